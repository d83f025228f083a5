"""The original's IPC flags (spec runtime 6.1) over the command language.

``IPC["break"].value = 0`` streams, ``IPC["pause"][proc_id] = 1`` pauses an item,
``IPC["save/load"].value = 1`` saves to the path in ``IPC["string"]``,
``IPC["gui request"][0] = 1`` ends the session, and so on. Every change is one checked
command (``core.commands.execute``); reading gives the session's current value.
"""
from __future__ import annotations

import numpy as np

from statestream.errors import UserError
from statestream.runtime import control as C

STRING_SIZE = 256
PAUSE_COMMANDS = {0: "resume", 1: "pause", 2: "off"}


class Value:
    """Like ``multiprocessing.Value``: read and write ``.value``."""

    def __init__(self, get, put=None, name=""):
        self._get, self._put, self._name = get, put, name

    @property
    def value(self):
        return self._get()

    @value.setter
    def value(self, new) -> None:
        if self._put is None:
            raise UserError(f"IPC[{self._name!r}] is read-only here")
        self._put(new)


class Array:
    """Like ``multiprocessing.Array`` of one value per process (or a fixed length)."""

    def __init__(self, length, get, put=None, name=""):
        self._length, self._get, self._put, self._name = length, get, put, name

    def __len__(self):
        return self._length

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._get(j) for j in range(*i.indices(self._length))]
        return self._get(self._index(i))

    def __setitem__(self, i, new) -> None:
        if self._put is None:
            raise UserError(f"IPC[{self._name!r}] is read-only here")
        self._put(self._index(i), new)

    def _index(self, i) -> int:
        i = int(i)
        if not 0 <= i < self._length:
            raise UserError(f"IPC[{self._name!r}]: index {i} out of range [0, {self._length})")
        return i


class IPCFlags(dict):
    """The IPC dict handed to clients written for the original."""

    def __init__(self, core):
        super().__init__()
        self.core = core
        memory = core.session
        ctl, proc = memory.ctl, memory.proc
        processes = memory.processes
        n = len(processes)
        self.string = np.zeros(STRING_SIZE, dtype=np.float64)
        self.instruction_len = 0

        def run(text):
            reply = core.commands.execute(text)
            if reply.startswith("error: "):
                raise UserError(f"IPC request {text!r}: {reply[len('error: '):]}")
            return reply

        def item(i):
            return processes[i]

        self["break"] = Value(lambda: 0 if ctl[C.STREAMING] else 1,
                              lambda v: run("stream" if int(v) == 0 else "pause"), "break")
        self["one-step"] = Value(lambda: 0, lambda v: run("step 1") if int(v) else None,
                                 "one-step")
        self["plast split"] = Value(lambda: int(ctl[C.SPLIT]), lambda v: run(
            f"split {min(max(int(v), 0), core.graph.agents)}"), "plast split")
        self["delay"] = Value(lambda: int(ctl[C.DELAY_US]) / 1000.0,
                              lambda v: run(f"delay {float(v)!r}"), "delay")
        self["now"] = Value(lambda: max(int(ctl[C.FRAME]), 0), name="now")
        self["session_id"] = Value(lambda: memory.sid, name="session_id")
        self["pause"] = Array(n, lambda i: int(proc("pause")[i]), lambda i, v: run(
            f"{PAUSE_COMMANDS.get(int(v), 'pause')} {item(i)}"), "pause")
        self["period"] = Array(n, lambda i: int(proc("period")[i]), lambda i, v: run(
            f"period {item(i)} {int(v)}") if int(v) > 0 else None, "period")
        self["period offset"] = Array(n, lambda i: int(proc("offset")[i]), lambda i, v: run(
            f"offset {item(i)} {int(v)}"), "period offset")
        self["state"] = Array(n, lambda i: int(proc("state")[i]), name="state")
        self["string"] = self.string
        self["instruction len"] = Value(lambda: self.instruction_len, self._set_len,
                                        "instruction len")
        self["instruction"] = Value(lambda: 0, lambda v: run(self.text()) if int(v) else None,
                                    "instruction")
        self["save/load"] = Value(lambda: 0, self._save_load, "save/load")
        self["gui request"] = Array(4, lambda i: 0, lambda i, v: run("exit")
                                    if i == 0 and int(v) == 1 else None, "gui request")
        self._run = run

    def _set_len(self, value) -> None:
        self.instruction_len = min(max(int(value), 0), STRING_SIZE)

    def text(self) -> str:
        """The text in ``string`` (its first ``instruction len`` character codes)."""
        codes = self.string[:self.instruction_len]
        return "".join(chr(int(c)) for c in codes if 0 < int(c) < 0x110000)

    def _save_load(self, value) -> None:
        how = int(value)
        if how == 1:
            path = self.text()
            if path.endswith(".st_net"):  # the original's format name: an .npz snapshot here
                path = path[:-len(".st_net")] + ".npz"
            self._run(f"save {path}")
        elif how == 2:
            raise UserError("IPC save/load = 2: loading a saved network while the session "
                            "runs is not supported (start it with --init-states)")


def put_string(ipc, text: str) -> None:
    """Write ``text`` into ``IPC["string"]`` and its length (the original's sender side)."""
    codes = [ord(c) for c in text][:STRING_SIZE]
    ipc["string"][:len(codes)] = codes
    ipc["instruction len"].value = len(codes)
