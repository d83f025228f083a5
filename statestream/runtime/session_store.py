"""A session's shared memory as a snapshot store (see :mod:`statestream.runtime.store`).

Used by the core between frames, when no worker writes. Interfaces keep their internal
state in their own processes: a save phase asks them to write it into the session's
save folder."""
from __future__ import annotations

import os

import numpy as np

from statestream.runtime import control as C
from statestream.runtime import snapshot


class SessionStore:
    def __init__(self, core):
        self.core = core
        self.memory = core.session
        self.graph, self.seed = core.graph, core.seed
        self.interfaces, self.learning = core.interfaces, core.learning
        self.next_frame = core.next_frame
        self._if_states = None

    def _frame(self, back: int):
        frame = self.next_frame - 1 - back
        if back > 0 and frame < int(self.memory.ctl[C.HISTORY_FROM]):
            return None
        return frame

    def state(self, name: str, back: int):
        frame = self._frame(back)
        return None if frame is None else np.array(self.memory.state(name, frame))

    def if_var(self, iface: str, var: str, back: int):
        frame = self._frame(back)
        return None if frame is None else np.array(self.memory.if_var(iface, var, frame))

    def params(self) -> dict:
        out = {}
        for name in self.memory.layout["arrays"]:
            if name.startswith("par/"):
                _, item, pname = name.split("/", 2)
                out[(item, pname)] = np.array(self.memory.array(name))
        return out

    def if_state(self, iface: str):
        if self._if_states is None:
            self._if_states = self.core.interface_states()
        return self._if_states[iface]

    def hyper(self, plast: str) -> dict:
        values = self.memory.array(f"hyp/{plast}")
        return {h: float(values[i]) for i, h in enumerate(self.learning[plast].hyper)}

    def variable(self, plast: str, var: str):
        return np.array(self.memory.array(f"plast/{plast}/{var}"))

    def delta(self, plast: str, owner: str, pname: str):
        return np.array(self.memory.array(f"mail/{plast}/{owner}/{pname}"))

    # -- loading (before the workers start) -------------------------------------------------
    def begin_load(self, start: int, recorded: int) -> None:
        self.start = start
        self.memory.ctl[C.HISTORY_FROM] = start - recorded

    def put_state(self, name: str, back: int, value) -> None:
        self.memory.state(name, self.start - 1 - back)[...] = value

    def put_if_var(self, iface: str, var: str, back: int, value) -> None:
        self.memory.if_var(iface, var, self.start - 1 - back)[...] = value

    def put_param(self, key: tuple, value) -> None:
        self.memory.param(*key)[...] = value

    def put_if_state(self, iface: str, state) -> None:
        self.core.interfaces[iface].load_state_dict(state)

    def put_hyper(self, plast: str, name: str, value) -> None:
        self.memory.array(f"hyp/{plast}")[list(self.learning[plast].hyper).index(name)] = value

    def put_variable(self, plast: str, var: str, value) -> None:
        self.memory.array(f"plast/{plast}/{var}")[...] = value

    def put_delta(self, plast: str, owner: str, pname: str, value) -> None:
        self.memory.array(f"mail/{plast}/{owner}/{pname}")[...] = value

    def end_load(self) -> None:
        self.core.next_frame = self.start
        self.memory.ctl[C.FRAME] = self.start - 1


def read_interface_states(core) -> dict:
    """Ask every interface worker to save its internal state, then read them."""
    if not core.interfaces:
        return {}
    memory = core.session
    memory.ctl[C.PHASE] = C.PHASE_SAVE
    try:
        core.barrier.phase(sorted({core.host_of[n] for n in core.interfaces}),
                            core._check_children)
        core._check_failed()
    finally:
        memory.ctl[C.PHASE] = C.PHASE_IDLE
    out = {}
    for name in core.interfaces:
        raw = np.load(os.path.join(core.save_dir, f"{name}.npy"))
        out[name] = snapshot.decode_state(raw)
    return out
