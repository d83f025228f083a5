"""The core: creates a session, starts one process per item, and drives lock-step frames.

Frame k = read phase, barrier, write phase, barrier; every live worker takes part in every
phase (off-period and paused items just pass), so no read can tear and no update can be
lost. States live in rings indexed by frame, so nobody copies whole states to read them.
"""
from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing as mp
import os
import queue
import sys
import threading
import time

import numpy as np

from statestream.backends import preload_modules
from statestream.errors import UserError
from statestream.interfaces import create as create_interface
from statestream.neuronal.init import initial_params
from statestream.runtime import control as C
from statestream.runtime import snapshot
from statestream.runtime.adapt import adapt_periods
from statestream.runtime.channel import ChannelServer
from statestream.runtime.command_runner import CommandRunner
from statestream.plasticities import describe_plasticity, plasticity_parts
from statestream.runtime.hosting import host_groups, host_label
from statestream.runtime.layout import plan_memory, process_table
from statestream.runtime.placement import available_cores, placement
from statestream.runtime.session_store import SessionStore, read_interface_states
from statestream.runtime.store import load_snapshot, take_snapshot
from statestream.runtime.session_memory import SessionMemory
from statestream.runtime.sync import Barrier
from statestream.graph.environment import visible_gpus
from statestream.graph.explicit import explicit_yaml

EXIT_WAIT_S = 1.0


class ItemFailed(Exception):
    """A worker raised or died; ``user`` marks a mistake of the user (exit code 2)."""

    def __init__(self, name: str, message: str, user: bool = False, items: list | None = None):
        self.name, self.message, self.user = name, message, user
        self.items = list(items or [name])  # a process that died took all its items along
        super().__init__(f"{name}: {message}")

    @property
    def what(self) -> str:
        """``item NAME``, or ``items A, B and C`` for a shared process."""
        if len(self.items) == 1:
            return f"item {self.items[0]}"
        return f"items {', '.join(self.items[:-1])} and {self.items[-1]}"


class Core:
    def __init__(self, graph, backend: str = "torch", seed: int = 0, threads: int | None = 1,
                 device: str | None = None, synthetic_inputs: bool = False, memory: int = 2,
                 progress=None, learning: bool = True):
        self.graph = graph
        self.seed = int(seed)
        self.backend = backend
        self.progress = progress or (lambda text, final=False: None)
        self.interfaces = {name: create_interface(item, graph, self.seed, synthetic_inputs)
                           for name, item in graph.interfaces.items()}
        self.learning = {n: describe_plasticity(item, graph)
                         for n, item in graph.plasticities.items()} if learning else {}
        self.parts = plasticity_parts(graph, self.learning)  # learning split by agents
        self.table = process_table(graph, learning, self.parts)
        arrays, size, ring = plan_memory(graph, self.interfaces, self.learning, memory,
                                         self.parts)
        layout = {
            "format": 1, "processes": self.table, "arrays": arrays, "size": size,
            "ring_depth": ring, "graph_file": os.path.abspath(graph.file),
            "graph_yaml": explicit_yaml(graph),
            "graph_json": json.dumps(graph.to_dict(), sort_keys=True),
            "agents": graph.agents, "seed": self.seed, "backend": backend,
            "threads": threads, "device": device, "visible_gpus": visible_gpus(),
            "force_copy": bool(os.environ.get("STATESTREAM_FORCE_COPY")),
            "if_params": {n: list(i.params) for n, i in self.interfaces.items()},
            "plast_hyper": {n: list(d.hyper) for n, d in self.learning.items()},
            "trained": {n: [list(k) for k in d.trained] for n, d in self.learning.items()},
            "plast_parts": dict(self.parts),
            "cpus": placement(graph, self.table),  # process -> cores it is pinned to
        }
        # lists of items sharing one worker process (hosting.py); a phase wakes processes
        self.hosts = host_groups(graph, self.table, layout["cpus"],
                                 len(available_cores()) or os.cpu_count() or 1)
        self.host_of = {name: h for h, names in enumerate(self.hosts) for name in names}
        self.procs: dict = {}
        self.barrier = None
        self.channel = None
        self.read_active: list = []
        self.read_np: list = []  # the read phase when no plasticity needs to read
        # every plasticity process: part 0 sums its parts in the reduce phase, then each
        # computes the next frame's gradients ahead (items.PlastRunner)
        self.reduce_active = sorted({self.host_of[row["name"]] for row in self.table
                                     if row["kind"] == "plast"})
        self.inputs_changed = True  # since the plasticities took the next frame's inputs
        self.ahead = False  # whether they computed the next frame ahead
        self.compute_ahead = True  # False: never (bench/runtime.py measures both)
        self.all_processes = list(range(len(self.hosts)))
        self.next_frame = 0
        self.started_at = time.time()
        self.frame_done = threading.Condition()
        self.control_lock = threading.Lock()  # streaming controls, changed from any thread
        self.hooks: list = []  # run in the core between frames (core clients, recorders)
        self.during_read: list = []  # hooks that also work while the items read
        self.during_write: list = []  # ... and while they write
        self._during_read_hooks = functools.partial(self._during, "during_read")
        self._during_write_hooks = functools.partial(self._during, "during_write")
        self.during_failed: tuple | None = None
        self.session = SessionMemory.create(layout)
        try:  # from here on, every way out removes the session's files
            self.save_dir = self.session.layout["save_dir"]
            self._init_memory()
            self.commands = CommandRunner(self)
            self.channel = ChannelServer(self.session.sid, self.commands.answer_now)
        except BaseException:
            self.shutdown()
            raise

    # -- set-up --------------------------------------------------------------------------------
    def _init_memory(self) -> None:
        session, graph = self.session, self.graph
        for (item, pname), value in initial_params(graph, self.seed).items():
            session.param(item, pname)[...] = value
        for name, iface in self.interfaces.items():
            values = session.array(f"ifpar/{name}")
            for i, value in enumerate(iface.params.values()):
                values[i] = value
        for name, info in self.learning.items():
            values = session.array(f"hyp/{name}")
            for i, (default, _, _) in enumerate(info.hyper.values()):
                values[i] = default
        for row in self.table:
            item = graph.item(row.get("of", row["name"]))  # a part follows its plasticity
            i = session.index[row["name"]]
            session.proc("period")[i] = item.period
            session.proc("offset")[i] = item.period_offset
            session.proc("pause")[i] = item.at_start
            session.proc("bottleneck")[i] = item.bottleneck

    def load_states(self, path: str) -> None:
        """Load all or some keys of a snapshot before the session starts streaming."""
        self.inputs_changed = True
        load_snapshot(SessionStore(self), path)

    def start(self) -> float:
        """Start every worker and wait until all are ready; returns the seconds it took."""
        t0 = time.perf_counter()
        forkserver = mp.get_context("forkserver")
        preload = preload_modules(self.backend)
        if preload:  # the forkserver imports these once; every worker starts with them
            forkserver.set_forkserver_preload(["statestream.runtime.preload"] + preload)
        forked = mp.get_context("fork")
        from statestream.runtime.worker import worker_main

        self.barrier = Barrier(forkserver, len(self.hosts))
        with _main_module_hidden():
            self._spawn(forkserver, forked, worker_main)
        remaining = len(self.hosts)
        while remaining:
            self.progress(f"starting: {remaining} of {len(self.hosts)} processes initialising")
            self.barrier.wait_one(self._check_children)
            remaining -= 1
        self._check_failed()
        processes = self.session.processes
        self.read_active = sorted({self.host_of[processes[i]]
                                   for i in np.flatnonzero(self.session.proc("needs_read"))})
        self.read_np = [h for h in self.read_active if h not in self.reduce_active]
        self.progress(f"started {len(self.table)} items in {time.perf_counter() - t0:.1f} s",
                      final=True)
        return time.perf_counter() - t0

    def _spawn(self, forkserver, forked, worker_main) -> None:
        for h, names in enumerate(self.hosts):
            go, done = self.barrier.ends(h)
            ctx, iface = ((forked, self.interfaces[names[0]]) if names[0] in self.interfaces
                          else (forkserver, None))
            label = host_label(names)
            proc = ctx.Process(target=worker_main, name=f"statestream:{label}",
                               args=(self.session.sid, names, go, done, os.getpid(), iface),
                               daemon=True)
            proc.start()
            self.procs[label] = proc

    # -- frames ------------------------------------------------------------------------------------
    def frame(self) -> int:
        """Compute the next frame; returns its index."""
        ctl, k = self.session.ctl, self.next_frame
        active = self.all_processes
        ctl[C.NEXT] = k
        during = self._during_read_hooks if self.during_read else None
        # items without read work are not woken for it; plasticities that computed this
        # frame ahead only when something changed since they took its inputs
        changed = self.inputs_changed
        readers = self.read_active if changed or not self.ahead else self.read_np
        if readers:
            ctl[C.PHASE] = C.PHASE_READ
            self.barrier.phase(readers, self._check_children, during)
            self._check_failed()
        elif during is not None:
            during()
        self._raise_during_failed()
        # neuron-pools mark their own parameter updates (proc/param_seq); hooks that run
        # while the items write may change parameters at any moment: readers wait them out
        hooked = bool(self.during_write)
        ctl[C.WRITE_SEQ] += hooked
        ctl[C.PHASE] = C.PHASE_WRITE
        done = False
        try:
            self.barrier.phase(active, self._check_children,
                               self._during_write_hooks if self.during_write else None)
            self._check_failed()
            self._raise_during_failed()
            if self.reduce_active:
                # they take the next frame's inputs now, and compute it ahead unless this
                # frame's changed too (e.g. a hook that sets something every frame)
                self.ahead = self.compute_ahead and not changed
                ctl[C.AHEAD] = int(self.ahead)
                self.inputs_changed = False
                ctl[C.PHASE] = C.PHASE_REDUCE
                self.barrier.phase(self.reduce_active, self._check_children)
                self._check_failed()
            done = True
        finally:
            ctl[C.PHASE] = C.PHASE_IDLE
            if done:  # before a hooked write phase's counter turns even: a reader
                ctl[C.FRAME] = k  # never pairs its changes with the previous frame
            ctl[C.WRITE_SEQ] += hooked
        self.next_frame = k + 1
        with self.frame_done:
            self.frame_done.notify_all()
        return k

    def _check_children(self) -> None:
        for names, proc in zip(self.hosts, self.procs.values()):
            if proc.exitcode is None:
                continue
            for name in names:
                i = self.session.index[name]
                if self.session.proc("state")[i] == C.P_FAILED:
                    self._raise_failed(i)
            code = proc.exitcode
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            raise ItemFailed(host_label(names), f"process {proc.pid} {how} "
                             f"(frame {self.next_frame})", items=names)

    def _check_failed(self) -> None:
        if not self.session.ctl[C.FAILED]:
            return
        failed = np.flatnonzero(self.session.proc("state") == C.P_FAILED)
        if failed.size:
            self._raise_failed(int(failed[0]))

    def _raise_failed(self, index: int) -> None:
        text = C.get_text(self.session.proc("error")[index]).rstrip()
        user = int(self.session.proc("error_kind")[index]) == C.ERR_USER
        raise ItemFailed(self.session.processes[index], text, user)

    def stream(self, frames: int | None = None, on_frame=None, adapt: bool = True) -> int:
        """Compute frames while honouring the controls (stream/pause/step/delay/exit) and
        answering commands between frames, until ``frames`` more frames are done or an
        exit is requested. Returns the number of frames computed."""
        ctl = self.session.ctl
        target = None if frames is None else self.next_frame + int(frames)
        computed = 0
        while True:
            idle = not ctl[C.STREAMING] and ctl[C.STEPS] <= 0
            self.answer_commands(wait=0.05 if idle else 0.0)
            if ctl[C.EXIT] or (target is not None and self.next_frame >= target):
                return computed
            if not ctl[C.STREAMING]:
                if ctl[C.STEPS] <= 0:
                    self._check_children()
                    continue
                with self.control_lock:
                    ctl[C.STEPS] -= 1
            elif adapt and self.next_frame % (2 * C.WINDOW) == 0 and self.next_frame:
                self.adapt()
            self._run_hooks("before_frame", self.next_frame)
            k = self.frame()
            computed += 1
            self._run_hooks("after_frame", k)
            if on_frame is not None:
                on_frame(k)
            delay = int(ctl[C.DELAY_US])
            if delay > 0:
                self._sleep(delay / 1e6)

    def add_hook(self, hook) -> None:
        """``hook.before_frame(k)`` / ``hook.after_frame(k)`` run in the core between
        frames (where commands run too), ``hook.during_read(k)`` and
        ``hook.during_write(k)`` (optional) while the items read for frame k and while
        they compute it; ``hook.name`` names it when it raises; ``hook.close()``
        (optional) runs first in ``shutdown``. A hook that changes nothing the items read
        (settings, parameters, controls) between frames sets ``changes_inputs = False``:
        the plasticities then keep what they computed ahead."""
        self.hooks.append(hook)
        for method in ("during_read", "during_write"):
            if hasattr(hook, method):
                getattr(self, method).append(hook)

    def _during(self, method: str) -> None:
        """``hook.during_read(k)`` (or ``during_write``) of the hooks that have one, while
        the items read for frame k (states and parameters of frame k - 1 hold still until
        the write phase) or compute it."""
        k = self.next_frame
        for hook in getattr(self, method):
            try:
                getattr(hook, method)(k)
            except Exception:  # noqa: BLE001 - raised once the phase is over
                import traceback

                self.during_failed = (getattr(hook, "name", type(hook).__name__),
                                      traceback.format_exc().rstrip())
                return

    def _raise_during_failed(self) -> None:
        if self.during_failed is not None:
            name, text = self.during_failed
            self.during_failed = None
            raise ItemFailed(name, text)

    def _run_hooks(self, method: str, frame: int) -> None:
        for hook in self.hooks:
            function = getattr(hook, method, None)
            if function is None:
                continue
            changes = getattr(hook, "changes_inputs", True)
            if changes:  # it may change settings, parameters
                self.inputs_changed = True
            try:
                with self.changing_params(changes):
                    function(frame)
            except Exception:  # noqa: BLE001 - the session stops, naming the hook
                import traceback

                raise ItemFailed(getattr(hook, "name", type(hook).__name__),
                                 traceback.format_exc().rstrip()) from None

    @contextlib.contextmanager
    def changing_params(self, changes: bool = True):
        """Between frames: consistent readers retry while parameters may change."""
        ctl = self.session.ctl
        ctl[C.WRITE_SEQ] += changes
        try:
            yield
        finally:
            ctl[C.WRITE_SEQ] += changes

    def _sleep(self, seconds: float) -> None:
        """A delay between frames during which commands are still answered at once."""
        end = time.perf_counter() + seconds
        while not self.session.ctl[C.EXIT]:
            left = end - time.perf_counter()
            if left <= 0 or int(self.session.ctl[C.DELAY_US]) == 0:
                return
            self.answer_commands(wait=min(left, 0.05))

    def answer_commands(self, wait: float = 0.0) -> None:
        """Execute the queued commands (waiting up to ``wait`` s for the first one)."""
        requests = self.channel.requests
        if wait <= 0 and not requests.queue:  # the usual case between frames: nothing
            return
        try:
            request = requests.get(timeout=wait) if wait > 0 else requests.get_nowait()
        except queue.Empty:
            return
        while True:
            if request.text is not None:  # None: a wake-up call after a control changed
                try:
                    reply = self.commands.execute(request.text)
                except Exception as exc:  # a bug of ours must not end the session
                    reply = f"error: internal error in command: {type(exc).__name__}: {exc}"
                request.answer(reply)
            try:
                request = requests.get_nowait()
            except queue.Empty:
                return

    def adapt(self) -> list:
        """Bottleneck period adaptation from the profiled costs."""
        session = self.session
        executions = session.proc("executions")
        cost = [float(np.mean(session.proc("exec_s")[i, :min(int(executions[i]), C.WINDOW)]))
                if executions[i] else 0.0 for i in range(len(self.table))]
        busy = list(np.mean(session.proc("read_s") + session.proc("write_s"), axis=1))
        changed = adapt_periods(session.proc("period"), session.proc("offset"),
                                session.proc("bottleneck"), cost, busy)
        if changed:
            self.inputs_changed = True
        return changed

    # -- saving ------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        return take_snapshot(SessionStore(self))

    def interface_states(self) -> dict:
        return read_interface_states(self)

    def save_states(self, path: str) -> None:
        snapshot.save(path, self.snapshot())

    # -- profile -----------------------------------------------------------------------------------
    def profile(self) -> list[dict]:
        session = self.session
        filled = max(1, min(self.next_frame, C.WINDOW))
        out = []
        for row in self.table:
            i = session.index[row["name"]]
            execs = int(session.proc("executions")[i])
            out.append({
                "item": row["name"], "kind": row["kind"],
                "read_ms": 1000 * float(np.mean(session.proc("read_s")[i, :filled])),
                "write_ms": 1000 * float(np.mean(session.proc("write_s")[i, :filled])),
                "compute_ms": 1000 * float(np.mean(session.proc("exec_s")[i, :min(execs, C.WINDOW)]))
                if execs else 0.0,
                "executions": execs,
                "period": int(session.proc("period")[i]),
                "offset": int(session.proc("offset")[i]),
            })
        return out

    # -- shutdown ----------------------------------------------------------------------------------
    def shutdown(self) -> list:
        """Stop every worker (politely, then by force) and remove the session's memory."""
        try:
            for hook in self.hooks:  # e.g. a core client's interrupt(): before anything stops
                close = getattr(hook, "close", None)
                if close is not None:
                    close()
            if self.channel is not None:
                self.channel.close()
            with self.frame_done:
                self.frame_done.notify_all()
            if self.barrier is not None and self.session.ctl is not None:
                alive = [h for h, p in enumerate(self.procs.values()) if p.exitcode is None]
                self.session.ctl[C.PHASE] = C.PHASE_EXIT
                for i in alive:
                    self.barrier.go[i].release()
            deadline = time.time() + EXIT_WAIT_S
            for proc in self.procs.values():
                proc.join(max(0.0, deadline - time.time()))
            for proc in self.procs.values():
                if proc.exitcode is None:
                    proc.terminate()
            for proc in self.procs.values():
                proc.join(0.5)
                if proc.exitcode is None:
                    proc.kill()
                    proc.join(0.5)
        finally:
            removed = self.session.unlink()
        return removed


@contextlib.contextmanager
def _main_module_hidden():
    """Workers need nothing from ``__main__``: stop multiprocessing from re-importing it
    in every forkserver child (slow, and wrong for scripts without a main guard)."""
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    for key in saved:
        setattr(main, key, None) if key == "__spec__" else delattr(main, key)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(main, key, value)


def print_progress(text: str, final: bool = False) -> None:
    """Start-up progress on stderr: rewritten in place on a terminal, else only the end."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K" + text + ("\n" if final else ""))
        sys.stderr.flush()
    elif final:
        print(text, file=sys.stderr)


__all__ = ["Core", "ItemFailed", "print_progress", "UserError"]
