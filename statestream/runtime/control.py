"""The control block of a session: frame counter, phase, streaming controls and per-process
tables (state, period, offset, pause, profile, errors). Commands travel over a socket
(:mod:`statestream.runtime.channel`), not through this block.

Everything is a fixed-size numpy array in the session's shared memory, so every process
(workers, the core, attached tools) reads and writes it without messages.
"""
from __future__ import annotations

import numpy as np

# ctl/i64 slots
FRAME = 0  # last completed frame (-1 before the first)
NEXT = 1  # the frame being computed
PHASE = 2  # PHASE_* below
STREAMING = 3  # 1 streaming, 0 paused
STEPS = 4  # pending single-frame requests (while paused)
EXIT = 5  # a tool asked the session to end
SPLIT = 6  # agents < split are held out of training
DELAY_US = 7  # extra wait per frame
HISTORY_FROM = 9  # the earliest frame whose recorded states are real (learning)
WRITE_SEQ = 10  # odd while the core may change parameters (commands, hooks; readers retry)
FAILED = 11  # set by a worker that failed (the core looks at one number per phase)
AHEAD = 12  # 1: plasticities compute the next frame right after the reduce phase
I64_SLOTS = 16
# ctl/f64 slots
STARTED_AT = 0  # wall time (time.time) of the core's start
F64_SLOTS = 8

PHASE_IDLE, PHASE_READ, PHASE_WRITE, PHASE_EXIT, PHASE_SAVE, PHASE_LOAD = 0, 1, 2, 3, 4, 5
PHASE_REDUCE = 6  # after the write phase: split plasticities sum their parts, every
# plasticity takes the next frame's inputs (and computes it ahead when AHEAD is 1)

# proc/state codes
P_STARTING, P_READY, P_BUSY, P_IDLE, P_FAILED, P_EXITED = 0, 1, 2, 3, 4, 5
# proc/error_kind
ERR_NONE, ERR_INTERNAL, ERR_USER = 0, 1, 2

WINDOW = 16  # profiler window (frames)
ERROR_BYTES = 8192


def control_arrays(processes: int) -> dict:
    """{name: (shape, dtype)} of the control block for ``processes`` workers."""
    p = max(processes, 1)
    return {
        "ctl/i64": ((I64_SLOTS,), "int64"),
        "ctl/f64": ((F64_SLOTS,), "float64"),
        "proc/state": ((p,), "int64"),
        "proc/pid": ((p,), "int64"),
        "proc/period": ((p,), "int64"),
        "proc/offset": ((p,), "int64"),
        "proc/pause": ((p,), "int64"),
        "proc/bottleneck": ((p,), "float64"),
        "proc/read_s": ((p, WINDOW), "float64"),
        "proc/write_s": ((p, WINDOW), "float64"),
        "proc/exec_s": ((p, WINDOW), "float64"),
        "proc/executions": ((p,), "int64"),
        "proc/needs_read": ((p,), "int64"),  # 1: the item has read-phase work
        # 2k+1 while a neuron-pool adds frame k's deltas to its parameters, 2k+2 after
        "proc/param_seq": ((p,), "int64"),
        "proc/error_kind": ((p,), "int64"),
        "proc/error": ((p, ERROR_BYTES), "uint8"),
    }


def put_text(array, text: str) -> None:
    """Store ``text`` NUL-terminated (cut to fit) in a uint8 array."""
    data = text.encode("utf-8", "replace")[: len(array) - 1]
    array[: len(data)] = np.frombuffer(data, dtype=np.uint8)
    array[len(data)] = 0


def get_text(array) -> str:
    raw = bytes(array)
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
