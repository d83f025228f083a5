"""The core: creates a session, starts one process per item, and drives lock-step frames.

Frame k = read phase, barrier, write phase, barrier; every live worker takes part in every
phase (off-period and paused items just pass), so no read can tear and no update can be
lost. States live in rings indexed by frame, so nobody copies whole states to read them.
"""
from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import queue
import sys
import threading
import time

import numpy as np

from statestream.errors import UserError
from statestream.interfaces import create as create_interface
from statestream.neuronal.init import initial_params
from statestream.runtime import control as C
from statestream.runtime import snapshot
from statestream.runtime.adapt import adapt_periods
from statestream.runtime.channel import ChannelServer
from statestream.runtime.command_runner import CommandRunner
from statestream.plasticities import describe_plasticity
from statestream.runtime.layout import build_layout, learning_arrays, process_table
from statestream.runtime.learning import (delta_key, history_if_key, history_needs,
                                          history_state_key, hyper_key, loaded_history_depth,
                                          parse_history_key, variable_key)
from statestream.runtime.session_memory import SessionMemory
from statestream.runtime.sync import Barrier
from statestream.graph.environment import visible_gpus
from statestream.graph.explicit import explicit_yaml

EXIT_WAIT_S = 1.0


class ItemFailed(Exception):
    """A worker raised or died; ``user`` marks a mistake of the user (exit code 2)."""

    def __init__(self, name: str, message: str, user: bool = False):
        self.name, self.message, self.user = name, message, user
        super().__init__(f"{name}: {message}")


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
        self.table = process_table(graph, learning)
        self.learning = {n: describe_plasticity(item, graph)
                         for n, item in graph.plasticities.items()} if learning else {}
        described = {n: (i.variables, list(i.params)) for n, i in self.interfaces.items()}
        depth = max((d.depth for d in self.learning.values()), default=0)
        ring = max(2, int(memory), depth + 2)  # plasticities read frames k-1-depth .. k-1
        arrays, size = build_layout(graph, described, ring, learning_arrays(graph, self.learning))
        layout = {
            "format": 1, "processes": self.table, "arrays": arrays, "size": size,
            "ring_depth": ring, "graph_file": os.path.abspath(graph.file),
            "graph_yaml": explicit_yaml(graph),
            "graph_json": json.dumps(graph.to_dict(), sort_keys=True),
            "agents": graph.agents, "seed": self.seed, "backend": backend,
            "threads": threads, "device": device, "visible_gpus": visible_gpus(),
            "if_params": {n: list(i.params) for n, i in self.interfaces.items()},
            "plast_hyper": {n: list(d.hyper) for n, d in self.learning.items()},
            "trained": {n: [list(k) for k in d.trained] for n, d in self.learning.items()},
        }
        self.procs: dict = {}
        self.barrier = None
        self.channel = None
        self.read_active: list = []
        self.next_frame = 0
        self.started_at = time.time()
        self.frame_done = threading.Condition()
        self.hooks: list = []  # run in the core between frames (core clients, recorders)
        self.session = SessionMemory.create(layout)
        try:  # from here on, every way out removes the session's files
            self.save_dir = self.session.layout["save_dir"]
            self._init_memory()
            self.channel = ChannelServer(self.session.sid)
            self.commands = CommandRunner(self)
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
            item = graph.item(row["name"])
            i = session.index[row["name"]]
            session.proc("period")[i] = item.period
            session.proc("offset")[i] = item.period_offset
            session.proc("pause")[i] = item.at_start
            session.proc("bottleneck")[i] = item.bottleneck

    def load_states(self, path: str) -> None:
        """Load all or some keys of a snapshot before the session starts streaming."""
        arrays = snapshot.load(path)
        expected = {f"np/{n}": self.graph.np_state_shape(n) for n in self.graph.neuron_pools}
        for name in self.session.layout["arrays"]:
            if name.startswith("par/"):
                expected[name[4:]] = tuple(self.session.array(name).shape)
        for iname, iface in self.interfaces.items():
            expected.update({f"if/{iname}/{v}": s for v, s in iface.variables.items()})
        expected.update({k: v.shape for k, v in self._learning_arrays().items()})
        depth, nps, ifaces = needs = history_needs(self.learning, self.graph)
        for back in range(1, depth + 1):
            expected.update({history_state_key(back, n): self.graph.np_state_shape(n)
                             for n in nps})
            expected.update({history_if_key(back, i, v): s for i in ifaces
                             for v, s in self.interfaces[i].variables.items()})
        snapshot.check_keys(path, arrays, expected)
        start = int(arrays["meta/frame"]) if "meta/frame" in arrays else self.next_frame
        before = start - 1
        variables = {i: list(self.interfaces[i].variables) for i in ifaces}
        self.session.ctl[C.HISTORY_FROM] = start - loaded_history_depth(arrays, needs,
                                                                        variables, start)
        for key, value in arrays.items():
            parsed = parse_history_key(key)
            if parsed is not None:
                frame = start - 1 - parsed[0]
                if parsed[1] == "np":
                    self.session.state(parsed[2], frame)[...] = value
                else:
                    self.session.if_var(parsed[2], parsed[3], frame)[...] = value
                continue
            head, _, rest = key.partition("/")
            if head == "np":
                self.session.state(rest, before)[...] = value
            elif head == "if":
                iface, _, var = rest.partition("/")
                if var == "__state__":
                    self.interfaces[iface].load_state_dict(snapshot.decode_state(value))
                else:
                    self.session.if_var(iface, var, before)[...] = value
            elif head in self.learning:
                self._load_learning(head, rest, value)
            elif head != "meta":
                self.session.array(f"par/{key}")[...] = value
        self.next_frame = start
        self.session.ctl[C.FRAME] = start - 1

    def _load_learning(self, name: str, rest: str, value) -> None:
        info, session = self.learning[name], self.session
        if rest in info.hyper:
            session.array(f"hyp/{name}")[list(info.hyper).index(rest)] = value
        elif rest in info.variables:
            session.array(f"plast/{name}/{rest}")[...] = value
        elif rest.startswith("delta."):
            owner, _, pname = rest[len("delta."):].rpartition(".")
            session.array(f"mail/{name}/{owner}/{pname}")[...] = value

    def start(self) -> float:
        """Start every worker and wait until all are ready; returns the seconds it took."""
        t0 = time.perf_counter()
        forkserver = mp.get_context("forkserver")
        if self.backend == "torch":
            forkserver.set_forkserver_preload(["statestream.runtime.preload"])
        forked = mp.get_context("fork")
        from statestream.runtime.worker import worker_main

        self.barrier = Barrier(forkserver, len(self.table))
        with _main_module_hidden():
            self._spawn(forkserver, forked, worker_main)
        remaining = len(self.table)
        while remaining:
            self.progress(f"starting: {remaining} of {len(self.table)} items initialising")
            self.barrier.wait_one(self._check_children)
            remaining -= 1
        self._check_failed()
        self.read_active = [int(i) for i in np.flatnonzero(self.session.proc("needs_read"))]
        self.progress(f"started {len(self.table)} items in {time.perf_counter() - t0:.1f} s",
                      final=True)
        return time.perf_counter() - t0

    def _spawn(self, forkserver, forked, worker_main) -> None:
        for row in self.table:
            name = row["name"]
            go, done = self.barrier.ends(self.session.index[name])
            ctx, iface = ((forked, self.interfaces[name]) if row["kind"] == "if"
                          else (forkserver, None))
            proc = ctx.Process(target=worker_main, name=f"statestream:{name}",
                               args=(self.session.sid, name, go, done, os.getpid(), iface),
                               daemon=True)
            proc.start()
            self.procs[name] = proc

    # -- frames ------------------------------------------------------------------------------------
    def frame(self) -> int:
        """Compute the next frame; returns its index."""
        ctl, k = self.session.ctl, self.next_frame
        active = range(len(self.table))
        ctl[C.NEXT] = k
        if self.read_active:  # items without read work are not woken for it
            ctl[C.PHASE] = C.PHASE_READ
            self.barrier.phase(self.read_active, self._check_children)
            self._check_failed()
        ctl[C.WRITE_SEQ] += 1  # odd: parameters may change (consistent readers retry)
        ctl[C.PHASE] = C.PHASE_WRITE
        try:
            self.barrier.phase(active, self._check_children)
            self._check_failed()
        finally:
            ctl[C.PHASE] = C.PHASE_IDLE
            ctl[C.WRITE_SEQ] += 1
        ctl[C.FRAME] = k
        self.next_frame = k + 1
        with self.frame_done:
            self.frame_done.notify_all()
        return k

    def _check_children(self) -> None:
        for name, proc in self.procs.items():
            if proc.exitcode is None:
                continue
            i = self.session.index[name]
            if self.session.proc("state")[i] == C.P_FAILED:
                self._raise_failed(i)
            code = proc.exitcode
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            raise ItemFailed(name, f"process {proc.pid} {how} (frame {self.next_frame})")

    def _check_failed(self) -> None:
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
        frames (where commands run too); ``hook.name`` names it when it raises;
        ``hook.close()`` (optional) runs first in ``shutdown``."""
        self.hooks.append(hook)

    def _run_hooks(self, method: str, frame: int) -> None:
        for hook in self.hooks:
            function = getattr(hook, method, None)
            if function is None:
                continue
            try:
                function(frame)
            except Exception:  # noqa: BLE001 - the session stops, naming the hook
                import traceback

                raise ItemFailed(getattr(hook, "name", type(hook).__name__),
                                 traceback.format_exc().rstrip()) from None

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
        try:
            request = requests.get(timeout=wait) if wait > 0 else requests.get_nowait()
        except queue.Empty:
            return
        while True:
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
        return adapt_periods(session.proc("period"), session.proc("offset"),
                             session.proc("bottleneck"), cost, busy)

    # -- saving ------------------------------------------------------------------------------------
    def snapshot(self) -> dict:
        session, k = self.session, self.next_frame - 1
        states = {n: np.array(session.state(n, k)) for n in self.graph.neuron_pools}
        params = {}
        for name in session.layout["arrays"]:
            if name.startswith("par/"):
                _, item, pname = name.split("/", 2)
                params[(item, pname)] = np.array(session.array(name))
        if_vars = {n: {v: np.array(session.if_var(n, v, k)) for v in iface.variables}
                   for n, iface in self.interfaces.items()}
        if_states = {}
        if self.interfaces:
            self.session.ctl[C.PHASE] = C.PHASE_SAVE
            index = [session.index[n] for n in self.interfaces]
            self.barrier.phase(index, self._check_children)
            self._check_failed()
            self.session.ctl[C.PHASE] = C.PHASE_IDLE
            for name in self.interfaces:
                raw = np.load(os.path.join(self.save_dir, f"{name}.npy"))
                if_states[name] = snapshot.decode_state(raw)
        arrays = snapshot.collect(states, params, if_vars, if_states, self.next_frame,
                                  self.seed, self.graph.agents)
        arrays.update(self._learning_arrays())
        return arrays

    def _learning_arrays(self) -> dict:
        session, out = self.session, {}
        for name, info in self.learning.items():
            values = session.array(f"hyp/{name}")
            for i, h in enumerate(info.hyper):
                out[hyper_key(name, h)] = np.asarray(values[i], dtype=np.float64)
            for v in info.variables:
                out[variable_key(name, v)] = np.array(session.array(f"plast/{name}/{v}"))
            for owner, pname in info.trained:
                out[delta_key(name, owner, pname)] = np.array(
                    session.array(f"mail/{name}/{owner}/{pname}"))
        depth, nps, ifaces = history_needs(self.learning, self.graph)
        valid_from = int(session.ctl[C.HISTORY_FROM])
        for back in range(1, depth + 1):
            frame = self.next_frame - 1 - back
            if frame < valid_from:
                break
            for n in nps:
                out[history_state_key(back, n)] = np.array(session.state(n, frame))
            for i in ifaces:
                for v in self.interfaces[i].variables:
                    out[history_if_key(back, i, v)] = np.array(session.if_var(i, v, frame))
        return out

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
                alive = [self.session.index[n] for n, p in self.procs.items() if p.exitcode is None]
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
