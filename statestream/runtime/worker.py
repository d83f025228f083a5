"""The main loop of a worker process: build the item, then follow the core's phases."""
from __future__ import annotations

import os
import signal
import sys
import time
import traceback

from statestream.errors import UserError
from statestream.runtime import control as C
from statestream.runtime.hosting import host_label
from statestream.runtime.placement import pin
from statestream.runtime.sync import ORPHAN_POLL_S, CoreGone, CoreWatch


def worker_main(sid: str, names: list, go, done, core_pid: int, iface=None) -> None:
    """Entry point of every worker process: the items ``names`` (several neuron-pools may
    share a process, see hosting.py; ``iface``: an interface built by the core, forked)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the core decides when we stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from statestream.runtime.memory import keep_freed_memory

    keep_freed_memory()
    from statestream.runtime.session_memory import SessionMemory

    watch = CoreWatch(core_pid)
    session = SessionMemory.attach(sid)
    indexes = [session.index[name] for name in names]
    for index in indexes:
        session.proc("pid")[index] = os.getpid()
    at = [indexes[0]]  # the row of the item at work: a failure is reported there
    started = False
    try:
        pin(session.layout.get("cpus", {}).get(names[0]))
        runners = []
        for name, index in zip(names, indexes):
            at[0] = index
            runners.append(build_runner(session, name, iface))
            session.proc("needs_read")[index] = int(runners[-1].needs_read)
            session.proc("state")[index] = C.P_READY
        done.release()
        started = True
        _profiled(loop, host_label(names), session, runners, indexes, go, done, watch, at)
    except CoreGone:
        session.unlink()  # nobody else is left to remove the session's memory
        os._exit(3)
    except BaseException as exc:  # report, then leave: the core shuts the session down
        index = at[0]
        kind = C.ERR_USER if isinstance(exc, UserError) else C.ERR_INTERNAL
        text = str(exc) if kind == C.ERR_USER else traceback.format_exc()
        if started and kind != C.ERR_USER:
            text = f"in frame {int(session.ctl[C.NEXT])}: {text}"
        C.put_text(session.proc("error")[index], text)
        session.proc("error_kind")[index] = kind
        session.proc("state")[index] = C.P_FAILED
        session.ctl[C.FAILED] = 1
        done.release()
        sys.stderr.flush()
        os._exit(1)
    for index in indexes:
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

    item = graph.item(layout["processes"][session.index[name]].get("of", name))
    B = get_backend(layout["backend"], device=device_of(item, layout),
                    threads=layout.get("threads") or 1)
    if kind == "np":
        trained = [(p, [tuple(k) for k in keys]) for p, keys in layout["trained"].items()]
        return NPRunner(session, graph, name, B, layout["seed"], trained)
    row = layout["processes"][session.index[name]]
    return PlastRunner(session, graph, name, B, layout["seed"], row.get("of"), row.get("part", 0))


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


def loop(session, runners, indexes, go, done, watch, at) -> int:
    """Follow the core's phases, each item of the process in turn. Per phase: one wait,
    two clock reads per item, one post; nothing allocated beyond the runners' own work."""
    ctl = memoryview(session.ctl)  # plain ints, cheaper than numpy scalars
    items = [(runner, index, memoryview(session.proc("read_s")[index]),
              memoryview(session.proc("write_s")[index]), session.proc("exec_s")[index],
              session.proc("executions")[index:index + 1])
             for runner, index in zip(runners, indexes)]
    readers = [item for item in items if item[0].needs_read]
    learners = [item for item in items if hasattr(item[0], "ahead")]
    clock, release = time.perf_counter, done.release
    acquire, slice_s = go.acquire, ORPHAN_POLL_S
    PHASE, NEXT, WINDOW, AHEAD = C.PHASE, C.NEXT, C.WINDOW, C.AHEAD
    frame = -1
    while True:
        if not acquire(True, slice_s):
            if watch.gone():
                raise CoreGone
            continue
        phase = ctl[PHASE]
        if phase == C.PHASE_WRITE:
            frame = ctl[NEXT]
            slot = frame % WINDOW
            for runner, index, _, write_s, exec_s, executions in items:
                at[0] = index
                start = clock()
                if runner.write(frame):
                    elapsed = clock() - start + runner.ahead_s
                    write_s[slot] = elapsed
                    exec_s[executions[0] % WINDOW] = elapsed
                    executions[0] += 1
                else:  # a carry: too short to be worth a clock read
                    write_s[slot] = 0.0
        elif phase == C.PHASE_READ:
            frame = ctl[NEXT]
            for runner, index, read_s, *_ in readers:
                at[0] = index
                start = clock()
                runner.read(frame)
                read_s[frame % WINDOW] = clock() - start
        elif phase == C.PHASE_REDUCE:
            frame = ctl[NEXT]
            for runner, index, *_ in items:
                at[0] = index
                runner.reduce(frame)
            ahead = learners if ctl[AHEAD] else ()  # else the core wakes them to read
            for runner, index, *_ in ahead:  # inputs of the next frame: still in the phase
                runner.take_inputs(frame + 1)
            release()
            for runner, index, *_ in ahead:  # its gradients, while the core goes on
                at[0] = index
                runner.ahead(frame + 1)
            continue
        elif phase == C.PHASE_EXIT:
            release()
            return frame
        elif phase == C.PHASE_SAVE:
            for runner, index, *_ in items:
                at[0] = index
                runner.save(os.path.join(session.layout["save_dir"], f"{runner.name}.npy"))
        elif phase == C.PHASE_LOAD:
            for runner, index, *_ in items:
                at[0] = index
                runner.load(os.path.join(session.layout["save_dir"],
                                         f"{runner.name}.load.npy"))
        release()


__all__ = ["worker_main"]
