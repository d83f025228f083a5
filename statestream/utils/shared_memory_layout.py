"""``SharedMemoryLayout``: what is known about one shared array (the original's name).

Clients written for the original import it; here it describes the arrays that
``STCClient.shm.layout`` lists (shape, dtype, default, bounds).
"""
from __future__ import annotations


class SharedMemoryLayout:
    def __init__(self, type="np", shape=(), dtype="float32", default=0.0,  # noqa: A002
                 min=None, max=None, broadcastable=None):  # noqa: A002 - the original's names
        self.type = type
        self.shape = tuple(shape)
        self.dtype = dtype
        self.default = default
        self.min = min
        self.max = max
        self.broadcastable = broadcastable

    def __repr__(self) -> str:
        return (f"SharedMemoryLayout(shape={list(self.shape)}, dtype={self.dtype}, "
                f"min={self.min}, max={self.max})")
