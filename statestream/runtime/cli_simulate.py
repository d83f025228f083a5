"""``statestream simulate``: the single-process reference simulator."""
from __future__ import annotations

import time

from statestream.runtime.cli_common import add_session_args, prepare_graph


def add_parser(sub) -> None:
    parser = sub.add_parser("simulate", help="compute frames in one process (the reference)")
    add_session_args(parser)
    parser.set_defaults(handler=cmd_simulate)


def cmd_simulate(args) -> int:
    from statestream.runtime.simulator import Simulator

    from statestream.runtime.memory import keep_freed_memory

    graph, backend = prepare_graph(args, check_devices=False)
    keep_freed_memory()
    sim = Simulator(graph, backend=backend, device=args.device or "cpu", seed=args.seed,
                    synthetic_inputs=args.synthetic_inputs, threads=args.threads)
    if args.init_states:
        sim.load_states(args.init_states)
    start = time.perf_counter()
    sim.run(args.frames)
    elapsed = time.perf_counter() - start
    if args.save_states:
        sim.save_states(args.save_states)
    rate = args.frames / elapsed if elapsed > 0 else float("inf")
    print(f"simulated {args.frames} frames of {graph.name!r} ({backend}, {graph.agents} agents) "
          f"in {elapsed:.2f} s: {rate:.1f} frames/s")
    return 0
