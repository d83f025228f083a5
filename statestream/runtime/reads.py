"""Consistent reads: copies of states, parameters and interface variables that all belong
to one and the same frame, taken without stopping the session.

States and interface variables live in rings (frame k in slot k % depth): a copy of frame
f is good as long as the core has not started frame f + depth when the copy is done.
Parameters change where their neuron-pool adds its deltas, at the end of its write
phase; each neuron-pool marks that with its own sequence number (``proc/param_seq``: odd
while adding frame k's deltas, 2k+2 after), the core marks its own changes (commands,
hooks) with ``WRITE_SEQ``. A copy of parameters belongs to frame f when no neuron-pool
has started on frame f + 1's deltas and none of the numbers moved while copying, so a
reader can copy during most of the next frame's write phase too. Otherwise it simply
tries again.
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
    param_seq = memory.proc("param_seq")
    deadline = time.monotonic() + timeout
    tries = 0
    while True:
        sequence = int(ctl[C.WRITE_SEQ])
        frame = int(ctl[C.FRAME])
        marks = param_seq.copy() if has_params else None
        if not has_params or _params_of(frame, sequence, marks):
            out = {}
            for name, kind, key in resolved:
                array = memory.array(key)
                out[name] = np.array(array[frame % depth] if kind == "ring" else array)
            moved = int(ctl[C.NEXT]) - frame >= depth
            if has_params:
                moved = (moved or int(ctl[C.WRITE_SEQ]) != sequence
                         or not np.array_equal(param_seq, marks))
            if not moved:
                return frame, out
        tries += 1
        if time.monotonic() > deadline:
            raise UserError(f"could not read one consistent frame of session {memory.sid} in "
                            f"{timeout:g} s")
        if tries % 64 == 0:
            time.sleep(0.0002)


def _params_of(frame: int, sequence: int, marks: np.ndarray) -> bool:
    """Whether the parameters are those of ``frame``: nobody is changing them and no
    neuron-pool has added deltas of a later frame."""
    return not sequence % 2 and not (marks % 2).any() and int(marks.max()) <= 2 * frame + 2
