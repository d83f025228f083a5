"""Meta-variables in a session: a core hook and the meta-variable process behind it.

After frame k the hook notes which meta-variables are due. While the items read for frame
k + 1 (states and parameters of frame k hold still until the write phase) it copies the
parameters they read into slot k of a parameter ring (``param_ring.py``) and tells the
meta-variable process (``process.py``), which reads the NP states of frame k from their
ring slot while the network computes the next frames. Before a frame would overwrite those
slots the hook waits for the values, so every value belongs to exactly one frame, and the
process may lag behind by up to ring depth - 1 frames: it runs at the lowest CPU priority,
on cycles the network leaves idle. Everything on the core's side runs in the core thread
(hooks and ``mv`` commands), so it needs no thread or lock of its own. Values go into a
ring of the last ``history`` frames per meta-variable; a meta-variable that fails is
switched off with its error (the session goes on).
"""
from __future__ import annotations

import time
from collections import deque

import numpy as np

from statestream.errors import UserError
from statestream.metavariables import process as P
from statestream.metavariables.param_ring import ParamRing
from statestream.metavariables.spec import check_spec, value_shape

START_TIMEOUT_S = 120.0  # the process imports torch on a slow, busy machine
SEND_EVERY = 2  # frames a message: the process wakes half as often, with warm caches
POLL_S = 0.5


class MetaVariable:
    def __init__(self, spec, graph):
        self.spec = spec
        self.every_frame = False  # the process says: True when a value needs earlier frames
        self.param_keys: tuple = ()
        self.shape = value_shape(spec, graph)
        self.frames = np.full(spec.history, -1, dtype=np.int64)
        self.values = np.zeros((spec.history,) + self.shape, dtype=np.float32)
        self.count = 0
        self.seconds = 0.0
        self.error: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    def record(self, frame: int, value: np.ndarray) -> None:
        slot = self.count % self.spec.history
        self.values[slot] = value
        self.frames[slot] = frame
        self.count += 1

    def history(self, n: int | None = None) -> tuple:
        """(frames, values) of the last ``n`` computed frames (default all kept), oldest
        first."""
        kept = min(self.count, self.spec.history)
        n = kept if n is None else max(0, min(int(n), kept))
        slots = [(self.count - n + i) % self.spec.history for i in range(n)]
        return self.frames[slots].copy(), self.values[slots].copy()

    def fail(self, frame: int | None, what: str) -> None:
        if self.error is None:
            self.error = what if frame is None else f"failed at frame {frame}: {what}"

    def info(self) -> dict:
        frames, _ = self.history(1)
        return {"name": self.name, "type": self.spec.type, "definition": self.spec.to_dict(),
                "shape": list(self.shape), "computed": self.count,
                "last_frame": int(frames[0]) if len(frames) else None,
                "ms_per_value": 1000 * self.seconds / self.count if self.count else 0.0,
                "error": self.error}


class MetaHost:
    """The core hook of a session's meta-variables (``core.metavariables``)."""

    name = "metavariables"

    def __init__(self, core):
        self.core = core
        self.memory = core.session
        self.graph = core.graph
        self.seed = getattr(core, "seed", 0)
        self.threads = self.memory.layout.get("threads") or 1
        self.mvs: dict = {}
        self.pending: deque = deque()  # frames sent, oldest first (their slots are in use)
        self.late: deque = deque()  # frames whose deferred values are still to come
        self.proc = self.conn = self.params = None
        self.serial = 0
        self.unsent: tuple | None = None  # (frame, due names) whose parameters wait
        self.outbox: list = []  # (frame, due names) stored, sent SEND_EVERY at a time
        self.gone: str | None = None  # why the process ended early
        self.closed = False

    # -- the process ------------------------------------------------------------------------
    def _start(self) -> None:
        import multiprocessing as mp

        from statestream.runtime.core import _main_module_hidden

        ours, theirs = mp.Pipe()
        ctx = mp.get_context("forkserver")  # preloaded with the backend by the core
        self.proc = ctx.Process(target=P.process_main, name="statestream:metavariables",
                                args=(self.memory.sid, theirs, self.threads, self.seed),
                                daemon=True)
        with _main_module_hidden():
            self.proc.start()
        theirs.close()
        self.conn = ours

    def _send(self, message) -> None:
        try:
            self.conn.send(message)  # small: the pipe holds many
        except (OSError, ValueError):
            self._lost()

    def _receive(self, timeout: float) -> tuple | None:
        """The next answer of the process, or None after ``timeout`` seconds."""
        try:
            if not self.conn.poll(timeout):
                # a dead process is noticed while waiting (a look without waiting is cheap)
                if timeout and not self.proc.is_alive() and not self.conn.poll(0):
                    self._lost()
                return None
            return self.conn.recv()
        except (EOFError, OSError):
            self._lost()
            return None

    def _lost(self) -> None:
        if self.gone is None and not self.closed:
            code = self.proc.exitcode if self.proc is not None else None
            self.gone = "the meta-variable process ended" + (
                f" (killed by signal {-code})" if code is not None and code < 0 else "")
            for mv in self.mvs.values():
                mv.fail(None, self.gone)
        self.pending.clear()
        self.late.clear()
        self.outbox = []

    def _collect(self, message) -> None:
        """Record ``("done", [(frame, results, later), ...])`` or ``("late", [(frame,
        results), ...])``."""
        for answer in message[1]:
            frame, results = answer[0], answer[1]
            for name, value, error, seconds in results:
                mv = self.mvs.get(name)
                if mv is None:
                    continue
                if error is not None:
                    mv.fail(frame, error)
                else:
                    mv.seconds += seconds
                    mv.record(frame, value)
            if message[0] == "late":
                if self.late and self.late[0] == frame:
                    self.late.popleft()
                continue
            if self.pending and self.pending[0] == frame:
                self.pending.popleft()
            if answer[2]:
                self.late.append(frame)

    def _wait_until(self, done, timeout: float | None = None):
        """Collect answers until ``done()``; returns the ack that ended the wait, if any."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.gone is None and not done():
            message = self._receive(POLL_S)
            if message is None:
                if deadline is not None and time.monotonic() > deadline:
                    return None
                continue
            if message[0] == "ack":
                return message[1:]
            self._collect(message)
        return None

    def _relayout_params(self) -> None:
        """A parameter ring for the parameters the meta-variables read now (no frame is
        pending when this runs)."""
        keys = list(dict.fromkeys(k for mv in self.mvs.values() for k in mv.param_keys))
        old, self.params = self.params, None
        if keys:
            self.serial += 1
            self.params = ParamRing.create(self.memory.sid, self.serial, self.memory, keys,
                                           self.memory.ring_depth)
            self._send((P.PARAMS, self.params.path, self.params.table, self.params.depth))
        else:
            self._send((P.PARAMS, None, None, None))
        if old is not None:
            old.close(unlink=True)

    # -- definitions ------------------------------------------------------------------------
    def add(self, name: str, options: dict) -> MetaVariable:
        if self.closed:
            raise UserError("the session is ending")
        if name in self.mvs:
            raise UserError(f"meta-variable {name!r} exists (mv remove {name} first)")
        spec, problems = check_spec(name, dict(options), self.graph)
        if problems:
            key, message = problems[0]
            raise UserError(f"{name}: {message}" if key is None or message.startswith(key)
                            else f"{name}: {key}: {message}")
        if self.gone is not None:
            raise UserError(f"{name}: {self.gone}; meta-variables are off in this session")
        if self.proc is None:
            self._start()
        self.settle()
        mv = MetaVariable(spec, self.graph)
        self._send((P.ADD, name, spec))
        ack = self._wait_until(lambda: False, START_TIMEOUT_S)
        if ack is None:
            raise UserError(f"{name}: {self.gone or 'the meta-variable process does not answer'}")
        _, error, mv.param_keys, mv.every_frame = ack
        if error is not None:
            raise UserError(f"{name}: {error}")
        self.mvs[name] = mv
        if mv.param_keys:
            self._relayout_params()
        return mv

    def remove(self, name: str) -> None:
        mv = self.get(name)
        self.settle()
        del self.mvs[name]
        self._send((P.REMOVE, name))
        if mv.param_keys:
            self._relayout_params()

    def get(self, name: str) -> MetaVariable:
        if name not in self.mvs:
            known = ", ".join(self.mvs) or "none"
            raise UserError(f"no meta-variable {name!r} (meta-variables: {known})")
        return self.mvs[name]

    def definitions(self) -> dict:
        """{name: definition}: what a layout file saves and ``add`` takes back."""
        return {name: mv.spec.to_dict() for name, mv in self.mvs.items()}

    # -- hooks ------------------------------------------------------------------------------
    changes_inputs = False  # it only reads the session (core.add_hook)

    def before_frame(self, k: int) -> None:
        """Frame k overwrites the ring slots of frame k - ring depth: its value must be in."""
        ring = self.memory.ring_depth  # answers wait in the pipe until a slot is needed
        if self.pending and k >= self.pending[0] + ring:
            self._send_outbox()
            self._wait_until(lambda: not self.pending or k < self.pending[0] + ring)

    def after_frame(self, k: int) -> None:
        """Note what frame k owes; it is sent while the items read for frame k + 1 (the
        core thread waits then anyway) or when a command needs the values."""
        self.unsent = None
        if self.gone is not None or self.closed or not self.mvs:
            return
        due, needed = [], False
        for mv in self.mvs.values():
            if mv.error is not None:
                continue
            if k % mv.spec.period == 0:
                due.append(mv.name)
            elif not mv.every_frame:
                continue
            needed = True
        if needed:
            self.unsent = (k, due)

    def during_read(self, k: int) -> None:
        self._flush()

    def during_write(self, k: int) -> None:
        """Take in the answers that are there while the items compute (0.1-0.2 ms of the
        core thread's time a frame that would otherwise fall between two frames)."""
        self.collect()

    def _flush(self, send: bool = False) -> None:
        """Copy the parameters of the noted frame (they hold still until the next write
        phase); send the frames stored so far once there are SEND_EVERY, or ``send``, or
        when no frame was noted (a frame does not wait for the next due one)."""
        if self.unsent is None:
            send = True
        else:
            k, due = self.unsent
            self.unsent = None
            if self.gone is not None or self.closed:
                return
            if self.params is not None:
                self.params.store(k, self.memory)
            self.pending.append(k)
            self.outbox.append((k, due))
        if send or len(self.outbox) >= SEND_EVERY:
            self._send_outbox()

    def _send_outbox(self) -> None:
        if self.outbox and self.gone is None and not self.closed:
            self._send((P.FRAME, self.outbox))
        self.outbox = []

    def collect(self) -> None:
        """Record the answers that are in, without waiting."""
        while (self.pending or self.late) and self.gone is None:
            message = self._receive(0)
            if message is None:
                return
            self._collect(message)

    def settle(self) -> None:
        """Wait for the values of every frame computed so far (deferred ones too)."""
        self._flush(send=True)
        if self.pending or self.late:
            self._wait_until(lambda: not self.pending and not self.late)

    def close(self) -> None:
        self.closed = True
        if self.proc is None:
            return
        self._send((P.STOP,))
        self.proc.join(5.0)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5.0)
        try:
            self.conn.close()
        except OSError:
            pass
        if self.params is not None:
            self.params.close(unlink=True)
        self.pending.clear()
        self.late.clear()


def host_of(core) -> MetaHost:
    """The session's meta-variable host, created (and hooked into the core) on first use."""
    host = getattr(core, "metavariables", None)
    if host is None:
        host = core.metavariables = MetaHost(core)
        core.add_hook(host)
    return host


def start_graph_metavariables(core) -> None:
    """Create the meta-variables the graph defines (``metavariables:``)."""
    from statestream.graph.nodes import to_plain

    defined = to_plain(core.graph.extras.get("metavariables") or {})
    if defined:
        host = host_of(core)
        for name, options in defined.items():
            host.add(name, options)
