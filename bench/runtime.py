"""The streaming runtime measured against itself and against the reference simulator.

(a) microseconds per frame for graphs of 2, 4, 8 and 16 items that compute nothing (each
    neuron-pool is paused, so a frame is the write phase plus a tiny copy per item), one
    process per item ($STATESTREAM_GROUP=off), next to a bare barrier of the same kind over
    as many processes (bench/bare_barrier.py: processes that only wait and post), measured
    interleaved in the same run, and their ratio: the bare barrier is the limit of the
    machine; then the same graphs as the runtime runs them by default (neuron-pools
    sharing processes where cores are few, runtime/hosting.py);
(b) demo frames/s in the multi-process runtime and in the reference simulator (same
    graph, seed and frame count, both with freed memory kept in the process), and ratio,
    without learning (the network alone) and with its plasticity (and, with learning,
    the runtime without plasticities computing ahead, items.PlastRunner), then the
    machine's cap of the learning ratio (bench/learning_limit.py: one gradient step of
    the plasticity alone and with the other core busy).

Usage: python bench/runtime.py [--frames N] [--demo-frames N] [--sizes 2,4,8,16] [--rounds R]
                              [--parts abc]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.bare_barrier import time_bare  # noqa: E402
from bench import learning_limit  # noqa: E402
from statestream.runtime import control as C  # noqa: E402
from statestream.runtime.core import Core  # noqa: E402
from statestream.runtime.hosting import GROUP_ENV  # noqa: E402
from statestream.runtime.memory import keep_freed_memory  # noqa: E402
from statestream.runtime.simulator import Simulator  # noqa: E402
from statestream.graph import load_graph, parse_graph  # noqa: E402

import torch  # noqa: E402

DEFAULT_THREADS = torch.get_num_threads()  # before any run sets its own count
DEMO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    "examples", "demo.st_graph")


def empty_graph(items: int):
    nps = "\n".join(f"    n{i}: {{shape: [1], at start: pause}}" for i in range(items))
    return parse_graph(f"name: empty{items}\nagents: 1\nneuron_pools:\n{nps}\n")


def time_core(graph, frames: int, threads: int = 1, learning: bool = False,
              group: str | None = None, ahead: bool = True) -> float:
    """Seconds per frame of the multi-process runtime (after a warm-up); ``group``: the
    $STATESTREAM_GROUP setting (None: as set); ``ahead``: plasticities compute the next
    frame right after the reduce phase (the default)."""
    saved = os.environ.get(GROUP_ENV)
    if group is not None:
        os.environ[GROUP_ENV] = group
    try:
        core = Core(graph, backend="torch", seed=0, threads=threads, learning=learning)
    finally:
        if saved is None:
            os.environ.pop(GROUP_ENV, None)
        else:
            os.environ[GROUP_ENV] = saved
    time_core.processes = f"{len(core.table)} items in {len(core.hosts)} processes"
    core.compute_ahead = ahead
    try:
        core.start()
        core.session.ctl[C.STREAMING] = 1
        core.stream(20, adapt=False)
        start = time.perf_counter()
        core.stream(frames, adapt=False)
        return (time.perf_counter() - start) / frames
    finally:
        core.shutdown()


def time_simulator(graph, frames: int, threads, learning: bool = False) -> float:
    """Seconds per frame of the one-process reference (plasticities never split)."""
    try:
        sim = Simulator(graph, backend="torch", seed=0, threads=threads, learning=learning,
                        plast_parts={})
    except TypeError:  # a version without split plasticities
        sim = Simulator(graph, backend="torch", seed=0, threads=threads, learning=learning)
    sim.run(5)
    start = time.perf_counter()
    sim.run(frames)
    return (time.perf_counter() - start) / frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=2000, help="frames per empty graph")
    parser.add_argument("--demo-frames", type=int, default=500)
    parser.add_argument("--sizes", default="2,4,8,16")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parts", default="abc", help="a: empty graphs, b/c: the demo")
    args = parser.parse_args()
    keep_freed_memory()
    if "a" in args.parts:
        empty_frames(args)
    demo = load_graph(DEMO)
    rates = {}
    for part, learning in (("b", False), ("c", True)):
        if part in args.parts:
            rates[learning] = compare(demo, args, learning, part)
    if len(rates) == 2:
        print(f"    runtime frames/s with learning / without = "
              f"{rates[True][0] / rates[False][0]:.2f}")
    if True in rates:
        runtime, reference = rates[True]
        learning_limit.report(compare.limit, 1 / reference, 1 / runtime)


def empty_frames(args) -> None:
    print(f"(a) empty-compute graphs, {args.frames} frames each (torch, 1 thread per process), "
          f"median of {args.rounds} interleaved rounds")
    for items in (int(s) for s in args.sizes.split(",")):
        runtime, bare, shared = [], [], []
        for _ in range(args.rounds):
            bare.append(time_bare(items, args.frames))
            runtime.append(time_core(empty_graph(items), args.frames, group="off"))
            shared.append(time_core(empty_graph(items), args.frames))
        runtime, bare = statistics.median(runtime), statistics.median(bare)
        print(f"    {items:3d} items: runtime {runtime * 1e6:8.1f} us/frame   bare barrier "
              f"{bare * 1e6:8.1f} us/frame   runtime / bare = {runtime / bare:.2f}   "
              f"default ({time_core.processes}): {statistics.median(shared) * 1e6:.1f} us/frame")


def compare(demo, args, learning: bool, part: str) -> tuple:
    """(runtime frames/s, 1-thread reference frames/s); with learning, ``compare.limit``:
    bench/learning_limit.py's step times, measured in the same rounds."""
    runs = {"runtime": [], "not ahead": [], 1: [], None: []}
    limits = []
    for _ in range(args.rounds):  # interleaved, so drifts of the machine hit both alike
        if learning:
            limits.append(learning_limit.measure(DEMO, rounds=1))
        runs["runtime"].append(time_core(demo, args.demo_frames, learning=learning))
        if learning:
            runs["not ahead"].append(time_core(demo, args.demo_frames, learning=True,
                                               ahead=False))
        for threads in (1, None):  # None: torch's default (set again: runs set their own)
            runs[threads].append(time_simulator(demo, args.demo_frames,
                                                threads or DEFAULT_THREADS, learning))
    if limits and None not in limits:
        compare.limit = {key: statistics.median(m[key] for m in limits) for key in limits[0]}
    runtime = statistics.median(runs["runtime"])
    reference = {t: statistics.median(runs[t]) for t in (1, None)}
    processes = time_core.processes
    what = "with learning" if learning else "without learning"
    print(f"({part}) demo {what} ({demo.agents} agents), {args.demo_frames} frames, median of "
          f"{args.rounds} interleaved rounds")
    print(f"    runtime, {processes}, 1 thread each: {1 / runtime:7.1f} frames/s")
    if learning:
        behind = statistics.median(runs["not ahead"])
        print(f"    the same, plasticities not computing ahead: {1 / behind:7.1f} frames/s   "
              f"ahead / not = {behind / runtime:.2f}")
    for threads, seconds in reference.items():
        label = f"{threads} thread" if threads else f"{DEFAULT_THREADS} threads (default)"
        print(f"    reference simulator, {label:19s}: {1 / seconds:7.1f} frames/s   "
              f"runtime / reference = {seconds / runtime:.2f}")
    return 1 / runtime, 1 / reference[1]


compare.limit = None

if __name__ == "__main__":
    main()
