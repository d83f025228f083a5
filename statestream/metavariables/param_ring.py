"""Copies of the parameters meta-variables read, one slot per frame of the state ring.

The core copies the parameters of frame k into slot k % depth before they change; the
meta-variable process reads that slot while it computes frame k's values, which the core
waits for before it reuses the slot (as for the states' ring). The file is one of the
session's files (``statestream-<id>.mv<n>``), removed with them on every exit.
"""
from __future__ import annotations

import os

import numpy as np

from statestream.runtime import shm


class ParamRing:
    def __init__(self, path: str, table: dict, depth: int, create: bool):
        self.path, self.table, self.depth = path, table, depth
        self.slot_bytes = sum(_nbytes(shape, dtype) for _, shape, dtype in table.values())
        self.segment = shm.Segment(path, max(1, self.slot_bytes * depth), create=create)

    @classmethod
    def create(cls, sid: str, serial: int, memory, keys, depth: int) -> "ParamRing":
        table, offset = {}, 0
        for key in keys:
            value = memory.param(*key)
            table[key] = (offset, tuple(value.shape), value.dtype.str)
            offset += _nbytes(value.shape, value.dtype)
        return cls(f"{shm.data_path(sid)}.mv{serial}", table, depth, create=True)

    def views(self, frame: int) -> dict:
        base = (frame % self.depth) * self.slot_bytes
        return {key: np.ndarray(shape, dtype, self.segment.buf, base + offset)
                for key, (offset, shape, dtype) in self.table.items()}

    def store(self, frame: int, memory) -> None:
        for key, view in self.views(frame).items():
            np.copyto(view, memory.param(*key))

    def close(self, unlink: bool) -> None:
        self.segment.close()
        if unlink:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass


def _nbytes(shape, dtype) -> int:
    size = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    return (size + 63) // 64 * 64  # each array cache-line aligned
