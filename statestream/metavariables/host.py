"""Meta-variables in a session: one core hook computes them all, frame by frame.

After frame k the hook gathers each due meta-variable's inputs in the core thread (views
of the state ring slot k, copies of parameters) and hands them to one worker thread, which
computes while the network computes frame k + 1. Before a frame would overwrite ring slot
k the hook waits for that work, so every value belongs to exactly one frame. Values go
into a ring of the last ``history`` frames per meta-variable; a meta-variable that fails
is switched off with its error (the session goes on).
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from statestream.errors import UserError
from statestream.metavariables.kernels import make_kernel
from statestream.metavariables.spec import check_spec, value_shape


class MetaVariable:
    def __init__(self, spec, graph, seed: int, threads: int = 1):
        self.spec = spec
        self.kernel = make_kernel(spec, graph, seed, threads)
        self.shape = value_shape(spec, graph)
        self.frames = np.full(spec.history, -1, dtype=np.int64)
        self.values = np.zeros((spec.history,) + self.shape, dtype=np.float32)
        self.count = 0
        self.seconds = 0.0
        self.error: str | None = None
        self.lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.spec.name

    def record(self, frame: int, value: np.ndarray) -> None:
        with self.lock:
            slot = self.count % self.spec.history
            self.values[slot] = value
            self.frames[slot] = frame
            self.count += 1

    def history(self, n: int | None = None) -> tuple:
        """(frames, values) of the last ``n`` computed frames (default all kept), oldest
        first."""
        with self.lock:
            kept = min(self.count, self.spec.history)
            n = kept if n is None else max(0, min(int(n), kept))
            slots = [(self.count - n + i) % self.spec.history for i in range(n)]
            return self.frames[slots].copy(), self.values[slots].copy()

    def fail(self, frame: int, exc: BaseException) -> None:
        self.error = f"failed at frame {frame}: {type(exc).__name__}: {exc}"

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
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="statestream-mv")
        self.pending = None  # (frame, future)
        self.closed = False

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
        self.settle()
        mv = self.mvs[name] = MetaVariable(spec, self.graph, self.seed, self.threads)
        return mv

    def remove(self, name: str) -> None:
        self.get(name)
        self.settle()
        del self.mvs[name]

    def get(self, name: str) -> MetaVariable:
        if name not in self.mvs:
            known = ", ".join(self.mvs) or "none"
            raise UserError(f"no meta-variable {name!r} (meta-variables: {known})")
        return self.mvs[name]

    def definitions(self) -> dict:
        """{name: definition}: what a layout file saves and ``add`` takes back."""
        return {name: mv.spec.to_dict() for name, mv in self.mvs.items()}

    # -- hooks ------------------------------------------------------------------------------
    def before_frame(self, k: int) -> None:
        if self.pending is not None and k >= self.pending[0] + self.memory.ring_depth:
            self.settle()

    def after_frame(self, k: int) -> None:
        self.settle()
        jobs = []
        for mv in self.mvs.values():
            due = k % mv.spec.period == 0
            if mv.error is not None or not (due or mv.kernel.every_frame):
                continue
            try:
                inputs = mv.kernel.gather(self.memory, k)
            except Exception as exc:  # noqa: BLE001 - this meta-variable stops
                mv.fail(k, exc)
                continue
            if due and inputs is not None:
                jobs.append((mv, inputs))
        if jobs and not self.closed:
            self.pending = (k, self.pool.submit(_compute, k, jobs))

    def settle(self) -> None:
        """Wait for the work handed to the thread."""
        if self.pending is not None:
            self.pending[1].result()
            self.pending = None

    def close(self) -> None:
        self.closed = True
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pending = None


def _compute(frame: int, jobs: list) -> None:
    for mv, inputs in jobs:
        t0 = time.perf_counter()
        try:
            value = mv.kernel.compute(inputs)
        except Exception as exc:  # noqa: BLE001 - this meta-variable stops
            mv.fail(frame, exc)
            continue
        mv.seconds += time.perf_counter() - t0
        mv.record(frame, value)


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
