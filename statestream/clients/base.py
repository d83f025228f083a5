"""The core-client base class and what a client may use of its session.

A client's hooks run in the core thread between frames (never during a frame):
``initialize()`` once when the session starts; while active, ``before_readin()`` and
``readin()`` before every frame, ``writeout()`` after it; ``interrupt()`` once when the
session ends. A client changes the session through the command language
(``self.session.command``) or by writing arrays in place (they land at the next frame).
"""
from __future__ import annotations

import numpy as np

from statestream.errors import UserError

MAX_MESSAGES = 1000


class ClientSession:
    """A client's door into its session: commands, reads, in-place views, its folder."""

    def __init__(self, core, out_dir: str, out_given: bool = True):
        self.core = core
        self.out_given = out_given  # False: the current folder (a client may use its own)
        self.memory = core.session
        self.graph = core.graph
        self.out_dir = out_dir
        self.id = core.session.sid

    @property
    def frame(self) -> int:
        """The last computed frame (-1 before the first)."""
        return self.memory.frame

    def command(self, text: str) -> str:
        """Execute a command now (between frames); returns the reply."""
        return self.core.commands.execute(text)

    def checked(self, text: str) -> str:
        """Like ``command`` but an ``error:`` reply raises (the session stops)."""
        reply = self.command(text)
        if reply.startswith("error: "):
            raise UserError(f"command {text!r}: {reply[len('error: '):]}")
        return reply

    def view(self, name: str) -> np.ndarray:
        """The live array of the last frame (writes land at the next frame): an NP name,
        ``item/param``, ``interface/variable`` or ``plasticity/variable``."""
        memory, frame = self.memory, self.frame
        if name in self.graph.neuron_pools:
            return memory.state(name, frame)
        head, _, tail = name.partition("/")
        if memory.has(f"if/{head}/{tail}"):
            return memory.if_var(head, tail, frame)
        for key in (f"par/{name}", f"plast/{name}"):
            if memory.has(key):
                return memory.array(key)
        raise UserError(f"nothing named {name!r} to read in session {self.id}")

    def read(self, name: str) -> np.ndarray:
        return np.array(self.view(name))

    def setting_view(self, item: str, name: str) -> np.ndarray:
        """A 1-element live view of a plasticity's or interface's scalar setting."""
        core = self.core
        if item in core.learning and name in core.learning[item].hyper:
            i = list(core.learning[item].hyper).index(name)
            return self.memory.array(f"hyp/{item}")[i:i + 1]
        if item in core.interfaces and name in core.interfaces[item].params:
            i = list(core.interfaces[item].params).index(name)
            return self.memory.array(f"ifpar/{item}")[i:i + 1]
        raise UserError(f"{item} has no setting {name!r}")

    def setting(self, item: str, name: str) -> float:
        """A scalar setting of an interface or plasticity (mode, lr, ...)."""
        reply = self.checked(f"get {item} {name}")
        return float(reply.rsplit("=", 1)[1])


class CoreClient:
    """Base class of the built-in clients (no-op hooks)."""

    ends_session = False  # True: it ends the session by itself (run needs no --frames)

    def __init__(self, name: str, spec: dict, session: ClientSession):
        self.name = name
        self.p = dict(spec)
        self.session = session
        self.mesg: list = []
        self.active = bool(self.p.get("state", False))
        self.start_frame = int(self.p.get("start frame", 2))

    @classmethod
    def problems(cls, spec: dict, graph) -> list:
        """(key, message) of every mistake in the client's keys (checked before a run)."""
        return []

    def message(self, text: str) -> None:
        self.mesg.append(str(text))
        del self.mesg[:-MAX_MESSAGES]

    def status(self) -> str:
        """One line of the client's own state (shown by cstat)."""
        return ""

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


def need(spec: dict, key: str, kind, graph_section=None, graph=None) -> list:
    """[(key, message)] unless ``spec[key]`` exists, has ``kind`` and names an item."""
    if key not in spec:
        return [(None, f"needs key {key!r}")]
    value = spec[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        return [(key, f"{key} must be {_kind_name(kind)}, got {value!r}")]
    if graph_section is not None and value not in getattr(graph, graph_section):
        known = ", ".join(getattr(graph, graph_section)) or "none"
        singular = {"plasticities": "plasticity"}.get(graph_section, graph_section[:-1])
        return [(key, f"{key}: no {singular.replace('_', '-')} {value!r} "
                      f"(known: {known})")]
    return []


def _kind_name(kind) -> str:
    names = {str: "a name", int: "a whole number", float: "a number"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)
