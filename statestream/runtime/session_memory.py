"""A session's shared memory: create it (the core) or attach to it by id (anyone)."""
from __future__ import annotations

import os
import time

from statestream.runtime import control as C
from statestream.runtime import shm
from statestream.runtime.layout import view
from statestream.errors import UserError
from statestream.runtime.janitor import start_janitor


class SessionMemory:
    """Named numpy views into one session's shared memory."""

    def __init__(self, sid: str, layout: dict, segment: shm.Segment, owner: bool):
        self.sid = sid
        self.layout = layout
        self.segment = segment
        self.owner = owner
        self._views: dict = {}
        self.ring_depth = int(layout["ring_depth"])
        self.processes = [p["name"] for p in layout["processes"]]
        self.kinds = {p["name"]: p["kind"] for p in layout["processes"]}
        self.index = {name: i for i, name in enumerate(self.processes)}
        self.ctl = self.array("ctl/i64")
        self.ctlf = self.array("ctl/f64")
        self.janitor = None

    # -- creation and attachment ------------------------------------------------------------
    @classmethod
    def create(cls, layout: dict) -> "SessionMemory":
        """A new session: its janitor first (it removes every file below if we die), then
        the data file (space reserved), then the layout that makes it visible."""
        sid = shm.new_session_id()
        janitor = start_janitor(shm.data_path(sid) + "*")
        try:
            layout = dict(layout, session=sid, owner_pid=os.getpid(),
                          owner_start=shm.process_start(os.getpid()), created=time.time(),
                          save_dir=shm.save_dir(sid))
            segment = shm.Segment(shm.data_path(sid), int(layout["size"]), create=True)
            session = cls(sid, layout, segment, owner=True)
            os.mkdir(layout["save_dir"], 0o700)
            session.ctl[C.FRAME] = -1
            session.ctlf[C.STARTED_AT] = time.time()
            shm.write_json(shm.layout_path(sid), layout)
        except BaseException:
            shm.unlink_session(sid)
            _stop(janitor)
            raise
        session.janitor = janitor
        return session

    @classmethod
    def attach(cls, sid: str) -> "SessionMemory":
        try:
            layout = shm.read_json(shm.layout_path(sid))
            segment = shm.Segment(shm.data_path(sid), 0, create=False)
        except FileNotFoundError:
            raise UserError(f"no running session {sid!r} (see statestream sessions)") from None
        return cls(sid, layout, segment, owner=False)

    def close(self) -> None:
        self._views.clear()
        self.ctl = self.ctlf = None
        self.segment.close()

    def unlink(self) -> list:
        removed = shm.unlink_session(self.sid)
        _stop(getattr(self, "janitor", None))
        return removed

    # -- arrays ---------------------------------------------------------------------------------
    def array(self, name: str):
        found = self._views.get(name)
        if found is None:
            entry = self.layout["arrays"].get(name)
            if entry is None:
                raise KeyError(f"session {self.sid} has no array {name!r}")
            found = self._views[name] = view(self.segment.buf, entry)
        return found

    def has(self, name: str) -> bool:
        return name in self.layout["arrays"]

    def state(self, np_name: str, frame: int):
        """The state ``np_name`` wrote in ``frame`` (valid for the last ring_depth frames)."""
        return self.array(f"np/{np_name}")[frame % self.ring_depth]

    def if_var(self, iface: str, var: str, frame: int):
        return self.array(f"if/{iface}/{var}")[frame % self.ring_depth]

    def param(self, item: str, pname: str):
        return self.array(f"par/{item}/{pname}")

    def proc(self, table: str):
        return self.array(f"proc/{table}")

    @property
    def frame(self) -> int:
        """The last completed frame (-1 before the first)."""
        return int(self.ctl[C.FRAME])


def _stop(process) -> None:
    if process is not None and process.poll() is None:
        process.kill()
        process.wait()
