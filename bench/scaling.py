"""How the runtime scales with cores: frames/s against the one-process reference.

For 1, 2, 4, 8... cores (up to what this process may use) each measurement runs in a child
process restricted to the first N cores with ``taskset``, so the runtime sees N cores (and
chooses its learning parts from them) exactly as on a machine that has N. Graphs: the demo,
and a wide graph (4 columns of 4 neuron-pools, 18 in all, one loss plasticity per column).
The reference is the single-process simulator with 1 thread (plasticities unsplit).

Usage: python bench/scaling.py [--frames N] [--cores 1,2,4] [--graphs demo,wide]
                               [--modes learning,forward] [--agents N] [--rounds R]
(--rounds R: R runs of each line, one after the other; the medians are printed)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

DEMO = os.path.join(ROOT, "examples", "demo.st_graph")
COLUMNS = 4


def wide_graph_text(agents: int) -> str:
    """18 neuron-pools: image, label and 4 columns a -> b -> c -> p, each column with its
    own loss plasticity."""
    nps = ["    image: {shape: [1, 32, 32]}", "    label: {shape: [10, 1, 1]}"]
    sps, plasts = [], []
    for i in range(COLUMNS):
        nps += [f"    a{i}: {{shape: [8, 16, 16], act: relu}}",
                f"    b{i}: {{shape: [16, 4, 4], act: relu}}",
                f"    c{i}: {{shape: [32, 1, 1], act: relu}}",
                f"    p{i}: {{shape: [10, 1, 1], act: softmax}}"]
        sps += [f"    image_a{i}: {{source: [[image]], target: a{i}, rf: 5}}",
                f"    a{i}_b{i}: {{source: [[a{i}]], target: b{i}, rf: 3}}",
                f"    b{i}_c{i}: {{source: [[b{i}]], target: c{i}}}",
                f"    c{i}_p{i}: {{source: [[c{i}]], target: p{i}}}"]
        params = ", ".join(f"[sp, {sp}, W_0_0]"
                           for sp in (f"image_a{i}", f"a{i}_b{i}", f"b{i}_c{i}", f"c{i}_p{i}"))
        plasts += [f"    learn{i}:", "        type: loss", "        loss_function: negloglikelihood",
                   f"        source: p{i}", "        source_t: 4", "        target: label",
                   "        target_t: 0", "        optimizer: adam", "        lr: 0.001",
                   f"        parameter: [{params}]"]
    return "\n".join([
        "name: wide", f"agents: {agents}", "neuron_pools:", *nps, "synapse_pools:", *sps,
        "plasticities:", *plasts, "interfaces:", "    numerals:", "        type: roman_numerals",
        "        in: [rn_pred]", "        out: [rn_image, rn_label]",
        "        remap: {rn_image: image, rn_label: label, rn_pred: p0}",
        "        min_duration: 8", "        max_duration: 12", ""])


def load(name: str, agents: int | None):
    from statestream.graph import load_graph, parse_graph

    if name == "demo":
        graph = load_graph(DEMO)
        return graph.with_agents(agents) if agents else graph
    return parse_graph(wide_graph_text(agents or 64), file="<wide>")


def child(args) -> None:
    """Measure one graph and mode on the cores this process was given; print JSON."""
    from statestream.runtime import control as C
    from statestream.runtime.core import Core
    from statestream.runtime.memory import keep_freed_memory
    from statestream.runtime.simulator import Simulator

    keep_freed_memory()
    graph, learning = load(args.graph, args.agents), args.mode == "learning"
    core = Core(graph, backend="torch", seed=0, threads=1, learning=learning)
    try:
        core.start()
        core.session.ctl[C.STREAMING] = 1
        core.stream(20, adapt=False)
        start = time.perf_counter()
        core.stream(args.frames, adapt=False)
        runtime = args.frames / (time.perf_counter() - start)
        processes, items = len(core.hosts), len(core.table)
    finally:
        core.shutdown()
    try:
        sim = Simulator(graph, backend="torch", seed=0, threads=1, learning=learning,
                        plast_parts={})
    except TypeError:  # a version without split plasticities
        sim = Simulator(graph, backend="torch", seed=0, threads=1, learning=learning)
    sim.run(5)
    start = time.perf_counter()
    sim.run(args.frames)
    reference = args.frames / (time.perf_counter() - start)
    print(json.dumps({"runtime": runtime, "reference": reference, "processes": processes,
                      "items": items}))


def core_counts(limit: int, wanted: str | None) -> list:
    if wanted:
        return [int(c) for c in wanted.split(",") if int(c) <= limit]
    counts, n = [], 1
    while n < limit:
        counts.append(n)
        n *= 2
    return counts + [limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--cores", default=None, help="e.g. 1,2,4 (default: powers of 2)")
    parser.add_argument("--graphs", default="demo,wide")
    parser.add_argument("--modes", default="learning,forward")
    parser.add_argument("--agents", type=int, default=None, help="default: the graph's")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("GRAPH", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.graph, args.mode = args.child
        return child(args)
    cores = sorted(os.sched_getaffinity(0))
    print(f"{'graph':6s} {'mode':9s} {'cores':>5s} {'items':>5s} {'procs':>5s} {'runtime':>9s} "
          f"{'reference':>9s} {'ratio':>6s}   (frames/s, {args.frames} frames, median of "
          f"{args.rounds})")
    for graph in args.graphs.split(","):
        for mode in args.modes.split(","):
            for n in core_counts(len(cores), args.cores):
                command = ["taskset", "-c", ",".join(map(str, cores[:n])), sys.executable,
                           os.path.abspath(__file__), "--child", graph, mode,
                           "--frames", str(args.frames)]
                if args.agents:
                    command += ["--agents", str(args.agents)]
                runs = []
                for _ in range(max(1, args.rounds)):
                    done = subprocess.run(command, capture_output=True, text=True)
                    if done.returncode:
                        print(f"{graph:6s} {mode:9s} {n:5d} failed: "
                              f"{done.stderr.strip()[-300:]}")
                        break
                    runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
                else:
                    r = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
                    print(f"{graph:6s} {mode:9s} {n:5d} {r['items']:5.0f} {r['processes']:5.0f} "
                          f"{r['runtime']:9.1f} {r['reference']:9.1f} "
                          f"{statistics.median(x['runtime'] / x['reference'] for x in runs):6.2f}",
                          flush=True)


if __name__ == "__main__":
    main()
