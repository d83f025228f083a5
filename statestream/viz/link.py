"""The GUI's side of the session: one consistent read per drawn frame, slow polls of the
command channel (status, profile) and the network's frames/s."""
from __future__ import annotations

import re
from collections import deque


from statestream.errors import UserError

POLL_S = 1.0


class SessionLink:
    def __init__(self, session):
        self.session = session
        self.graph = session.graph
        arrays = session.memory.layout["arrays"]
        self.readable = readable_names(arrays)
        self.delay_ms = 0.0
        self.profile: dict = {}
        self.want_profile = False
        self.message = ""       # the last command reply or problem, shown in the status line
        self.ended = False
        self._frames = deque(maxlen=64)  # (time, frame)
        self._last_poll = -1e9

    def has_agents(self, name: str) -> bool:
        """Whether the first axis of a readable array is the agents axis."""
        kind, shape = self.readable.get(name, ("?", ()))
        return kind in ("np", "if") and len(shape) > 0 and shape[0] == self.graph.agents

    def read(self, names) -> tuple:
        """(frame, arrays) of one frame, or (frame, {}) when there is nothing to read or the
        read failed (the reason goes to ``message``)."""
        names = sorted(set(names))
        if not names or self.ended:
            return self.frame(), {}
        try:
            return self.session.read(names, timeout=0.5)
        except UserError as exc:
            self.message = f"error: {exc}"
            self._check_alive()
            return self.frame(), {}

    def frame(self) -> int:
        try:
            return self.session.frame
        except Exception:  # noqa: BLE001 - memory gone: the session ended
            self.ended = True
            return -1

    def command(self, text: str) -> str:
        """A command reply (errors are replies); a dead session marks ``ended``."""
        try:
            reply = self.session.command(text, timeout=2.0)
        except (UserError, OSError) as exc:
            reply = f"error: {exc}"
            self._check_alive()
        self.message = reply.splitlines()[0] if reply else ""
        return reply

    def _check_alive(self) -> None:
        if not self.session.alive:
            self.ended = True

    def poll(self, now: float) -> None:
        """Frames/s bookkeeping every call; status (and profile) once a second."""
        self._frames.append((now, self.frame()))
        if now - self._last_poll < POLL_S or self.ended:
            return
        self._last_poll = now
        try:
            status = self.session.command("status", timeout=2.0)
            match = re.search(r"delay ([0-9.e+-]+) ms", status)
            if match:
                self.delay_ms = float(match.group(1))
            if self.want_profile:
                self.profile = parse_profile(self.session.command("profile", timeout=2.0))
        except (UserError, OSError):
            self._check_alive()

    def network_fps(self) -> float:
        if len(self._frames) < 2:
            return 0.0
        (t0, f0), (t1, f1) = self._frames[0], self._frames[-1]
        return (f1 - f0) / (t1 - t0) if t1 > t0 else 0.0


def readable_names(arrays: dict) -> dict:
    """{read name: (kind, shape without the ring axis)} of a session's memory layout."""
    out = {}
    for key, (_, shape, _) in arrays.items():
        prefix, _, rest = key.partition("/")
        if prefix == "np":
            out[rest] = ("np", tuple(shape[1:]))
        elif prefix == "par":
            out[rest] = ("par", tuple(shape))
        elif prefix == "if" and not rest.rsplit("/", 1)[-1].startswith("_"):
            out[rest] = ("if", tuple(shape[1:]))
    return out


def parse_profile(reply: str) -> dict:
    """{item: compute ms} from the ``profile`` command's reply."""
    out = {}
    for line in reply.splitlines():
        match = re.match(r"(\S+)\s+compute ([0-9.e+-]+) ms", line)
        if match:
            out[match.group(1)] = float(match.group(2))
    return out
