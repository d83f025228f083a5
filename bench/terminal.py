"""Round trip of ``state prediction`` typed into the terminal while the demo streams.

Times ``Terminal.execute`` (what the prompt runs on Enter: the command travels to the core,
waits for the next between-frames point and comes back) on an owned and on an attached
session. Prints the median and the 90th percentile in milliseconds (target: median < 100).

Usage: python bench/terminal.py [--agents N] [--rounds R]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import statestream  # noqa: E402
from statestream.graph import load_graph  # noqa: E402
from statestream.terminal.commands import Terminal  # noqa: E402

DEMO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    "examples", "demo.st_graph")


def round_trips(terminal, rounds: int) -> list:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = terminal.execute("state prediction")
        times.append(1000 * (time.perf_counter() - start))
        assert result.ok and "prediction at frame" in result.text, result.text
        time.sleep(0.01)  # a person types slower than this
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=None, help="default: the demo's")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    graph = load_graph(DEMO)
    if args.agents:
        graph = graph.with_agents(args.agents)
    with statestream.open(graph, seed=0, threads=1) as session:
        session.stream()
        session.wait_frame(20, timeout=300)
        owned = round_trips(Terminal(session, owner=True), args.rounds)
        with statestream.attach(session.id) as attached:
            joined = round_trips(Terminal(attached, owner=False), args.rounds)
        frames = session.frame
    for name, times in (("owner", owned), ("attached", joined)):
        q90 = statistics.quantiles(times, n=10)[-1]
        print(f"state prediction round trip ({name}, {graph.agents} agents, demo streaming): "
              f"median {statistics.median(times):.1f} ms, p90 {q90:.1f} ms "
              f"over {len(times)} rounds")
    print(f"frames computed meanwhile: {frames}")


if __name__ == "__main__":
    main()
