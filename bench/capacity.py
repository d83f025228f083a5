"""What the machine's cores give the demo's learning work, without the runtime.

One reference simulator (one process, plasticity unsplit, 1 thread) runs the demo with
learning alone, then N copies run at once (independent, unsynchronised); printed: frames/s
alone, each copy's frames/s together, and N x together / alone, the most any runtime could
get from N cores for this work (bench/runtime.py (c) measures what the runtime gets).

Usage: python bench/capacity.py [--frames N] [--copies N] [--rounds R]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "examples", "demo.st_graph")


def simulator_rate(frames: int, results) -> None:
    sys.path.insert(0, ROOT)
    from statestream.graph import load_graph
    from statestream.runtime.memory import keep_freed_memory
    from statestream.runtime.simulator import Simulator

    keep_freed_memory()
    sim = Simulator(load_graph(DEMO), backend="torch", seed=0, threads=1, learning=True,
                    plast_parts={})
    sim.run(10)
    start = time.perf_counter()
    sim.run(frames)
    results.put(frames / (time.perf_counter() - start))


def together(ctx, copies: int, frames: int) -> list:
    results = ctx.Queue()
    procs = [ctx.Process(target=simulator_rate, args=(frames, results)) for _ in range(copies)]
    for proc in procs:
        proc.start()
    rates = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    alone, each = [], []
    for round_ in range(args.rounds):  # interleaved: drifts of the machine hit both alike
        alone.append(together(ctx, 1, args.frames)[0])
        rates = together(ctx, args.copies, args.frames)
        each.append(statistics.mean(rates))
        print(f"  round {round_ + 1}: alone {alone[-1]:.1f} frames/s, {args.copies} at once "
              + ", ".join(f"{r:.1f}" for r in rates), flush=True)
    a, b = statistics.median(alone), statistics.median(each)
    print(f"demo with learning, reference simulator: alone {a:.1f} frames/s, each of "
          f"{args.copies} at once {b:.1f} frames/s: {args.copies} cores give "
          f"{args.copies * b / a:.2f}x one")


if __name__ == "__main__":
    main()
