"""The public Python API: ``statestream.open`` starts a session, ``statestream.attach``
joins a running one from any process of the same user.

Both return an object with the same reading methods and the same command language as the
terminal; only the owner (``open``) can close the session. Example::

    import statestream
    with statestream.open("demo", seed=0, threads=1) as session:
        session.step(50)
        frame, arrays = session.read(["prediction", "label"])
"""
from __future__ import annotations

import threading
import time

import numpy as np

from statestream.errors import UserError
from statestream.runtime import control as C
from statestream.runtime import shm
from statestream.runtime.channel import ChannelClient
from statestream.runtime.reads import read_consistent
from statestream.runtime.session_memory import SessionMemory


class _Client:
    """What owners and attached tools share: reads from shared memory, commands."""

    memory: SessionMemory

    @property
    def id(self) -> str:
        return self.memory.sid

    @property
    def frame(self) -> int:
        """The last computed frame (-1 before the first)."""
        return int(self.memory.ctl[C.FRAME])

    @property
    def graph(self):
        if getattr(self, "_graph", None) is None:
            from statestream.runtime.worker import load_session_graph

            self._graph = load_session_graph(self.memory.layout)
        return self._graph

    @property
    def items(self) -> list:
        return list(self.memory.processes)

    @property
    def alive(self) -> bool:
        """Whether the session still runs."""
        try:
            self._alive()
        except (UserError, Exception):  # noqa: BLE001 - any failure means: not alive
            return False
        return True

    @property
    def streaming(self) -> bool:
        return bool(self.memory.ctl[C.STREAMING])

    def command(self, text: str, timeout: float = 10.0) -> str:
        """Send one command line (see ``help``); returns the reply text."""
        raise NotImplementedError

    def _checked(self, text: str) -> str:
        reply = self.command(text)
        if reply.startswith("error: "):
            raise UserError(reply[len("error: "):])
        return reply

    # -- control ------------------------------------------------------------------------------
    def step(self, n: int = 1, timeout: float | None = None) -> int:
        """Compute ``n`` frames and return when they are done; returns the last frame."""
        n = int(n)
        target = self.frame + n
        self._checked(f"step {n}")
        self.wait_frame(target, timeout)
        return self.frame

    def stream(self) -> None:
        self._checked("stream")

    def pause(self) -> None:
        self._checked("pause")

    def set(self, item: str, name: str, value) -> None:
        """Change a scalar setting or parameter through the checked path (bounds, finite)."""
        self._checked(f"set {item} {name} {_number(value)}")

    def save(self, path: str) -> None:
        """Save the whole session (states, parameters, learning state) as ``.npz``."""
        import os

        self._checked(f"save {os.path.abspath(path)}")

    def wait_frame(self, frame: int, timeout: float | None = None) -> None:
        """Block until ``frame`` has been computed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.frame < frame:
            self._alive()
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"frame {frame} not reached in {timeout:g} s "
                                   f"(at frame {self.frame})")
            self._wait_a_little()

    def _wait_a_little(self) -> None:
        time.sleep(0.0005)

    def _alive(self) -> None:
        pass

    # -- reading ------------------------------------------------------------------------------
    def read(self, names, timeout: float = 5.0) -> tuple:
        """``(frame, {name: array})``: copies that all belong to one and the same frame.

        A name is a neuron-pool (its state), ``item/param`` (a parameter) or
        ``interface/variable`` (an interface variable)."""
        return read_consistent(self.memory, list(names), timeout)

    def state(self, np_name: str):
        """A copy of the neuron-pool's state in the last computed frame."""
        return self.read([np_name])[1][np_name]

    def param(self, item: str, name: str):
        """A copy of a parameter (``W_0_0``, ``b``...) or a scalar setting (lr, noise_std)."""
        key = f"{item}/{name}"
        if self.memory.has(f"par/{key}"):
            return self.read([key])[1][key]
        reply = self._checked(f"get {item} {name}")
        return float(reply.rsplit("=", 1)[1])

    def metrics(self) -> list:
        """Accuracy per delay since stimulus onset of every classifying interface, from the
        confusion matrices of the last frame (see :mod:`statestream.runtime.metrics`)."""
        from statestream.runtime.live_metrics import current_metrics

        return current_metrics(self)

    # -- meta-variables (the ``mv`` command; docs/metavariables.md) ---------------------------
    def metavariables(self) -> list:
        """One dict per meta-variable: name, type, definition, shape, computed, last_frame,
        ms_per_value, error."""
        import json

        return json.loads(self._checked("mv info"))

    def add_metavariable(self, name: str, type: str, **options) -> None:  # noqa: A002
        """Compute a meta-variable from the next frame on, e.g.
        ``add_metavariable("h1", "scalar_stats", source=["hidden1"], stats=["mean"])``."""
        from statestream.metavariables.commands import option_words

        self._checked(" ".join(["mv", "add", str(name), str(type)] + option_words(options)))

    def remove_metavariable(self, name: str) -> None:
        self._checked(f"mv remove {name}")

    def metavariable(self, name: str, frames: int = 1) -> tuple:
        """``(frames, values)`` of the last ``frames`` computed frames, oldest first
        (``values[i]`` belongs to frame ``frames[i]``)."""
        from statestream.metavariables.commands import decode_data

        return decode_data(self._checked(f"mv data {name} {int(frames)}"))


class Session(_Client):
    """A session this process owns: its core runs in a thread of this process."""

    def __init__(self, core):
        self.core = core
        self.memory = core.session
        self._graph = core.graph
        self.error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._drive, name="statestream-core",
                                        daemon=True)
        self._thread.start()

    def _drive(self) -> None:
        try:
            while not self.memory.ctl[C.EXIT]:
                self.core.stream(None)
        except BaseException as exc:  # noqa: BLE001 - reported to the owner's calls
            self.error = exc
        finally:
            with self.core.frame_done:
                self.core.frame_done.notify_all()

    def command(self, text: str, timeout: float = 10.0) -> str:
        self._alive()
        request = self.core.channel.submit(text)
        if not request.done.wait(timeout):
            self._alive()
            raise UserError(f"session {self.id} did not answer {text!r} in {timeout:g} s")
        return request.reply

    def _wait_a_little(self) -> None:
        with self.core.frame_done:
            self.core.frame_done.wait(0.05)

    def _alive(self) -> None:
        if self.error is not None:
            from statestream.runtime.core import ItemFailed

            exc = self.error
            if isinstance(exc, ItemFailed):
                raise UserError(f"{exc.what} failed: {exc.message}") from exc
            raise exc
        if self._closed or not self._thread.is_alive():
            raise UserError(f"session {self.id} has ended")

    def close(self) -> None:
        """Stop every process and remove every file of the session (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.memory.ctl[C.EXIT] = 1
            self._thread.join(5.0)
        finally:
            self.core.shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class AttachedSession(_Client):
    """A running session joined by id; detaching (or dying) never stops it."""

    def __init__(self, session_id: str):
        self.memory = SessionMemory.attach(session_id)
        self.channel = ChannelClient(session_id)

    def command(self, text: str, timeout: float = 10.0) -> str:
        return self.channel.request(text, timeout)

    def _alive(self) -> None:
        if not shm.core_alive(self.memory.layout):
            raise UserError(f"session {self.id} has ended")

    def exit(self) -> None:
        """Ask the session's core to end the session."""
        self.command("exit")

    def close(self) -> None:
        """Detach (the session goes on)."""
        self.channel.close()
        self.memory.close()

    detach = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open(graph, *, seed: int = 0, backend: str | None = None, threads: int = 1,  # noqa: A001
         device: str | None = None, synthetic_inputs: bool = False, learning: bool = True,
         memory: int = 2, init_states: str | None = None, progress=None,
         out: str | None = None) -> Session:
    """Start a session on ``graph`` (a path, a graph name on the search path, or a parsed
    graph), paused at frame -1; use it as a context manager or call ``close()``. The
    graph's core clients write into ``out`` (default: the current folder)."""
    from statestream.clients.host import start_clients
    from statestream.runtime.core import Core
    from statestream.runtime.preflight import prepare_graph

    graph, backend = prepare_graph(graph, backend, device)
    core = Core(graph, backend=backend, seed=seed, threads=threads, device=device,
                synthetic_inputs=synthetic_inputs, memory=memory, progress=progress,
                learning=learning)
    try:
        if init_states:
            core.load_states(init_states)
        core.start()
        start_clients(core, out)
    except BaseException:
        core.shutdown()
        raise
    return Session(core)


def attach(session_id: str | None = None) -> AttachedSession:
    """Join a running session of this user (the only one when ``session_id`` is None)."""
    if session_id is None:
        live = shm.live_sessions()
        if len(live) != 1:
            ids = ", ".join(s["session"] for s in live) or "none running"
            raise UserError(f"name the session to attach to ({ids})")
        session_id = live[0]["session"]
    return AttachedSession(str(session_id))


def _number(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        raise UserError(f"expected a number, got {value!r}")
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        raise UserError(f"expected a number, got {value!r}") from None
