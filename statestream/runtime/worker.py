"""The main loop of a worker process: build the item, then follow the core's phases."""
from __future__ import annotations

import os
import signal
import sys
import time
import traceback

from statestream.errors import UserError
from statestream.runtime import control as C
from statestream.runtime.sync import CoreGone, CoreWatch, wait_go


def worker_main(sid: str, name: str, go, done, core_pid: int, iface=None) -> None:
    """Entry point of every worker (``iface``: an interface built by the core, forked)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the core decides when we stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from statestream.runtime.memory import keep_freed_memory

    keep_freed_memory()
    from statestream.runtime.session_memory import SessionMemory

    watch = CoreWatch(core_pid)
    session = SessionMemory.attach(sid)
    index = session.index[name]
    session.proc("pid")[index] = os.getpid()
    started = False
    try:
        runner = build_runner(session, name, iface)
        session.proc("needs_read")[index] = int(runner.needs_read)
        session.proc("state")[index] = C.P_READY
        done.release()
        started = True
        _profiled(loop, name, session, runner, index, go, done, watch)
    except CoreGone:
        session.unlink()  # nobody else is left to remove the session's memory
        os._exit(3)
    except BaseException as exc:  # report, then leave: the core shuts the session down
        kind = C.ERR_USER if isinstance(exc, UserError) else C.ERR_INTERNAL
        text = str(exc) if kind == C.ERR_USER else traceback.format_exc()
        if started and kind != C.ERR_USER:
            text = f"in frame {int(session.ctl[C.NEXT])}: {text}"
        C.put_text(session.proc("error")[index], text)
        session.proc("error_kind")[index] = kind
        session.proc("state")[index] = C.P_FAILED
        done.release()
        sys.stderr.flush()
        os._exit(1)
    session.proc("state")[index] = C.P_EXITED
    os._exit(0)


def _profiled(function, name, *args):
    """Run ``function``; with $STATESTREAM_PROFILE_DIR set, write cProfile stats per item."""
    folder = os.environ.get("STATESTREAM_PROFILE_DIR")
    if not folder:
        return function(*args)
    import cProfile

    profile = cProfile.Profile(time.process_time)  # CPU time: other processes share the cores
    try:
        return profile.runcall(function, *args)
    finally:
        profile.dump_stats(os.path.join(folder, f"{name}.prof"))


def build_runner(session, name: str, iface):
    from statestream.runtime.items import IFRunner, NPRunner, PlastRunner

    layout = session.layout
    kind = session.kinds[name]
    if layout.get("force_copy"):  # tests: the path a GPU takes, on the CPU
        os.environ["STATESTREAM_FORCE_COPY"] = "1"
    graph = load_session_graph(layout)
    if kind == "if":
        return IFRunner(session, graph, name, iface)
    from statestream.backends import get_backend

    item = graph.item(name)
    B = get_backend(layout["backend"], device=device_of(item, layout),
                    threads=layout.get("threads") or 1)
    if kind == "np":
        trained = [(p, [tuple(k) for k in keys]) for p, keys in layout["trained"].items()]
        return NPRunner(session, graph, name, B, layout["seed"], trained)
    return PlastRunner(session, graph, name, B, layout["seed"])


def load_session_graph(layout: dict):
    """The session's graph, re-read from its file (positions intact) and checked unchanged."""
    import json

    from statestream.graph import load_graph, parse_graph

    path = layout.get("graph_file")
    graph = None
    if path and os.path.isfile(path):
        graph = load_graph(path).with_agents(layout["agents"])
        if json.dumps(graph.to_dict(), sort_keys=True) != layout["graph_json"]:
            graph = None  # the file changed since the session started
    if graph is None:
        graph = parse_graph(layout["graph_yaml"], file=path or "<session>")
    return graph


def device_of(item, layout: dict) -> str:
    from statestream.backends import worker_device

    return worker_device(getattr(item, "device", "cpu"), layout.get("device"),
                         layout.get("visible_gpus") or [])


def loop(session, runner, index: int, go, done, watch) -> int:
    ctl = session.ctl
    state = session.proc("state")
    read_s, write_s, exec_s = (session.proc(t) for t in ("read_s", "write_s", "exec_s"))
    executions = session.proc("executions")
    frame = -1
    while True:
        wait_go(go, watch)
        phase = int(ctl[C.PHASE])
        if phase == C.PHASE_EXIT:
            done.release()
            return frame
        frame = int(ctl[C.NEXT])
        slot = frame % C.WINDOW
        state[index] = C.P_BUSY
        start = time.perf_counter()
        if phase == C.PHASE_READ:
            runner.read(frame)
            read_s[index, slot] = time.perf_counter() - start
        elif phase == C.PHASE_WRITE:
            computed = runner.write(frame)
            elapsed = time.perf_counter() - start
            write_s[index, slot] = elapsed
            if computed:
                exec_s[index, int(executions[index]) % C.WINDOW] = elapsed
                executions[index] += 1
        elif phase == C.PHASE_SAVE:
            runner.save(os.path.join(session.layout["save_dir"], f"{runner.name}.npy"))
        elif phase == C.PHASE_LOAD:
            runner.load(os.path.join(session.layout["save_dir"], f"{runner.name}.load.npy"))
        state[index] = C.P_IDLE
        done.release()


__all__ = ["worker_main"]
