"""Consistent reads: copies of states, parameters and interface variables that all belong
to one and the same frame, taken without stopping the session.

States and interface variables live in rings (frame k in slot k % depth): a copy of frame
f is good as long as the core has not started frame f + depth when the copy is done.
Parameters change only inside write phases, which the core brackets with a sequence
counter (odd while writing): a copy is good when the counter and the frame did not move.
Otherwise the reader simply tries again.
"""
from __future__ import annotations

import time

import numpy as np

from statestream.errors import UserError
from statestream.runtime import control as C


def resolve(memory, name: str) -> tuple:
    """(kind, array name) of a readable name: NP, ``item/param`` or ``interface/var``."""
    if memory.has(f"np/{name}"):
        return "ring", f"np/{name}"
    if memory.has(f"par/{name}"):
        return "param", f"par/{name}"
    if memory.has(f"if/{name}"):
        return "ring", f"if/{name}"
    raise UserError(f"nothing called {name!r} to read in session {memory.sid} (a "
                    "neuron-pool, item/parameter or interface/variable)")


def read_consistent(memory, names: list, timeout: float = 5.0) -> tuple:
    """``(frame, {name: copy})`` for ``names``, all of one frame."""
    resolved = [(name,) + resolve(memory, name) for name in names]
    has_params = any(kind == "param" for _, kind, _ in resolved)
    ctl, depth = memory.ctl, memory.ring_depth
    deadline = time.monotonic() + timeout
    tries = 0
    while True:
        sequence = int(ctl[C.WRITE_SEQ])
        frame = int(ctl[C.FRAME])
        if not (has_params and sequence % 2):
            out = {}
            for name, kind, key in resolved:
                array = memory.array(key)
                out[name] = np.array(array[frame % depth] if kind == "ring" else array)
            moved = int(ctl[C.NEXT]) - frame >= depth
            if has_params:
                moved = moved or int(ctl[C.WRITE_SEQ]) != sequence or int(ctl[C.FRAME]) != frame
            if not moved:
                return frame, out
        tries += 1
        if time.monotonic() > deadline:
            raise UserError(f"could not read one consistent frame of session {memory.sid} in "
                            f"{timeout:g} s")
        if tries % 64 == 0:
            time.sleep(0.0002)
