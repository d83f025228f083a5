"""Frames per second of the demo network in the reference simulator, numpy vs torch.

Usage: python bench/reference.py [--frames N] [--agents N] [--threads N]
Both backends run the same graph, seed and frame count in this one process, without
learning (the numpy backend has no gradients); torch is also timed with learning.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from statestream.runtime.memory import keep_freed_memory  # noqa: E402
from statestream.runtime.simulator import Simulator  # noqa: E402
from statestream.graph import load_graph  # noqa: E402

DEMO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    "examples", "demo.st_graph")


def measure(graph, backend: str, frames: int, threads: int | None, learning=False) -> float:
    sim = Simulator(graph, backend=backend, seed=0, threads=threads, learning=learning)
    sim.run(3)  # warm-up
    start = time.perf_counter()
    sim.run(frames)
    return frames / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--agents", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--graph", default=DEMO)
    args = parser.parse_args()
    graph = load_graph(args.graph)
    if args.agents:
        graph = graph.with_agents(args.agents)
    keep_freed_memory()
    rates = {b: measure(graph, b, args.frames, args.threads) for b in ("numpy", "torch")}
    learning = measure(graph, "torch", args.frames, args.threads, learning=True)
    print(f"reference simulator, {graph.name} ({graph.agents} agents), {args.frames} frames, "
          f"threads={args.threads or 'default'}")
    for backend, rate in rates.items():
        print(f"  {backend:6s} forward   {rate:8.1f} frames/s  ({1000 / rate:6.2f} ms/frame)")
    print(f"  torch / numpy = {rates['torch'] / rates['numpy']:.2f}")
    print(f"  torch  learning  {learning:8.1f} frames/s  ({1000 / learning:6.2f} ms/frame)")


if __name__ == "__main__":
    main()
