"""The meta-variable process: computes every meta-variable of a session, frame by frame.

It runs at the lowest CPU priority (SCHED_IDLE, else nice 19), so it uses the cycles the
network leaves idle while the items wait at the barrier, and it does not share the core's
interpreter lock. The core sends ``("frame", [(k, due), ...])`` for the frames k that
some meta-variable needs (two a message); the process reads NP states from ring slot k of
the session memory and parameters from slot k of the parameter ring, and answers
``("done", [(k, results, later), ...])``; the core keeps both slots until that answer is
in (``host``). Kernels that copy what they need in ``gather`` (``deferrable``: saliency)
compute after that answer, when no frame waits, and send ``("late", [(k, results),
...])``: the slow ones do not hold the state ring. Messages are few: each costs the core's
thread 30-60 us of system calls on a busy machine.
"""
from __future__ import annotations

import os
import signal
import time
from collections import deque

ADD, REMOVE, PARAMS, FRAME, STOP = "add", "remove", "params", "frame", "stop"
MAX_LATER = 32  # frames of values computed after their slots are free (then: slots wait)
LATE_RUN = 2  # deferred frames answered in one message (as many as the core sends at once)


def lower_priority() -> None:
    """The network's items come first: SCHED_IDLE (runs only where a core would idle; it
    measured 5 points better than nice 19 on the demo), else nice 19."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        try:
            os.setpriority(os.PRIO_PROCESS, 0, 19)
        except (AttributeError, OSError):
            pass


def process_main(sid: str, conn, threads: int, seed: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the core decides when we stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    lower_priority()
    from statestream.metavariables.param_ring import ParamRing
    from statestream.runtime.memory import keep_freed_memory

    keep_freed_memory()  # statistics allocate MBs every frame: no fresh pages each time
    from statestream.runtime.session_memory import SessionMemory
    from statestream.runtime.worker import load_session_graph

    try:
        import torch

        torch.set_num_threads(max(1, int(threads)))
    except ImportError:
        pass
    memory = SessionMemory.attach(sid)
    graph = load_session_graph(memory.layout)
    kernels: dict = {}
    params = None
    later: deque = deque()  # (frame, [(name, kernel, inputs)])
    try:
        while True:
            if later and not conn.poll(0):  # the frames of one message answer together
                conn.send(("late", [_compute_later(*later.popleft())
                                    for _ in range(min(len(later), LATE_RUN))]))
                continue
            message = conn.recv()
            if message[0] == STOP:
                break
            if message[0] == ADD:
                conn.send(("ack",) + _add(kernels, message[1], message[2], graph, seed,
                                          threads))
            elif message[0] == REMOVE:
                kernels.pop(message[1], None)
            elif message[0] == PARAMS:
                if params is not None:
                    params.close(unlink=False)
                params = None if message[1] is None else ParamRing(*message[1:], create=False)
            elif message[0] == FRAME:
                answers = []
                for frame, due in message[1]:
                    while len(later) >= MAX_LATER:
                        conn.send(("late", [_compute_later(*later.popleft())]))
                    values = params.views(frame) if params is not None else {}
                    now, deferred = _frame(kernels, memory, frame, due, values)
                    if deferred:
                        later.append((frame, deferred))
                    answers.append((frame, now, bool(deferred)))
                conn.send(("done", answers))
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the core is gone (or going): nothing to report to
    finally:
        memory.close()
        conn.close()
    os._exit(0)


def _add(kernels: dict, name: str, spec, graph, seed: int, threads: int) -> tuple:
    """(name, error or None, parameter keys, every_frame) of a new kernel."""
    from statestream.metavariables.kernels import make_kernel

    try:
        kernel = kernels[name] = make_kernel(spec, graph, seed, threads)
    except Exception as exc:  # noqa: BLE001 - reported as this meta-variable's error
        return name, f"{type(exc).__name__}: {exc}", (), False
    return name, None, tuple(kernel.param_keys), bool(kernel.every_frame)


def _frame(kernels: dict, memory, frame: int, due: list, params: dict) -> tuple:
    """([(name, value or None, error or None, CPU seconds)] of the due meta-variables that
    compute now, [(name, kernel, inputs)] of those that compute later). The others only
    keep the frame (e.g. saliency's recorded states)."""
    results, deferred = [], []
    for name, kernel in list(kernels.items()):
        if name not in due and not kernel.every_frame:
            continue
        t0 = time.thread_time()
        try:
            inputs = kernel.gather(memory, frame, params)
            if name not in due or inputs is None:
                continue
            if kernel.deferrable:
                deferred.append((name, kernel, inputs))
                continue
            value = kernel.compute(inputs)
        except Exception as exc:  # noqa: BLE001 - this meta-variable stops
            del kernels[name]
            results.append((name, None, f"{type(exc).__name__}: {exc}", 0.0))
            continue
        results.append((name, value, None, time.thread_time() - t0))
    return results, deferred


def _compute_later(frame: int, deferred: list) -> tuple:
    results = []
    for name, kernel, inputs in deferred:
        t0 = time.thread_time()
        try:
            results.append((name, kernel.compute(inputs), None, time.thread_time() - t0))
        except Exception as exc:  # noqa: BLE001 - this meta-variable stops
            results.append((name, None, f"{type(exc).__name__}: {exc}", 0.0))
    return frame, results
