"""``STCClient``: the base class of core clients written for the original statestream.

A client module defines ``CClient_<type>(STCClient)`` with
``__init__(self, name, net, param, session_id, IPC_PROC)`` and overrides the hooks
``initialize``, ``before_readin``, ``readin``, ``writeout`` and ``interrupt``. It reads
and writes ``self.shm.dat[item]["state" | "parameter" | "variables"][name]`` in place
and steers the session with the IPC flags (``statestream.utils.ipc``).
"""
from __future__ import annotations

import copy

from statestream.errors import UserError
from statestream.utils.ipc import IPCFlags
from statestream.utils.shared_memory import ClientMemory


class STCClient:
    ends_session = True  # it may end the session (IPC gui request): run needs no --frames

    def __init__(self, name, net, param, session_id, IPC_PROC):  # noqa: N803 - the original's
        self.name = name
        self.param = copy.deepcopy(param)
        self.net = copy.deepcopy(net)
        self.session_id = session_id
        self.IPC_PROC = IPC_PROC
        core = getattr(IPC_PROC, "core", None)
        if core is None:
            raise UserError(f"core client {name}: IPC_PROC must be the IPC dict the core "
                            "passes to the client")
        self.shm = ClientMemory(core)
        self.p = copy.deepcopy(self.net.get("core_clients", {}).get(name, {}))
        self.active = bool(self.p.get("state", False))
        self.start_frame = int(self.p.get("start frame", 2))
        self.mesg = []

    def initialize(self):
        pass

    def before_readin(self):
        pass

    def readin(self):
        pass

    def writeout(self):
        pass

    def interrupt(self):
        pass


def compat_arguments(core, out_dir: str) -> tuple:
    """``(net, param, session_id, IPC_PROC)`` for ``CClient_T(name, ...)``."""
    graph = core.graph
    net = graph.to_dict()
    for name, pool in graph.neuron_pools.items():
        net["neuron_pools"][name].setdefault("shape", list(pool.shape))
    param = {"core": {"save_path": out_dir}}
    ipc = getattr(core, "compat_ipc", None)
    if ipc is None:
        ipc = core.compat_ipc = IPCFlags(core)
    return net, param, core.session.sid, ipc
