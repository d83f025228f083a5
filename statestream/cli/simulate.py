"""``statestream simulate``: the single-process reference simulator."""
from __future__ import annotations

import time

from statestream.cli.common import (add_session_args, finish_metrics, make_recorder,
                                            prepare_graph, write_report)


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
                    synthetic_inputs=args.synthetic_inputs, threads=args.threads,
                    learning=not args.no_learning)
    if args.init_states:
        sim.load_states(args.init_states)
    recorder = make_recorder(graph, {n: i.variables for n, i in sim.interfaces.items()}, args)
    callback = None
    if recorder is not None:
        def callback(s):
            recorder.update(s.frame - 1, lambda iface, var: s.if_vars[iface][var])
    start = time.perf_counter()
    sim.run(args.frames, callback=callback)
    elapsed = time.perf_counter() - start
    if args.save_states:
        sim.save_states(args.save_states)
    rate = args.frames / elapsed if elapsed > 0 else float("inf")
    print(f"simulated {args.frames} frames of {graph.name!r} ({backend}, {graph.agents} agents) "
          f"in {elapsed:.2f} s: {rate:.1f} frames/s")
    metrics = finish_metrics(recorder, args)
    if args.report:
        write_report(args.report, {
            "graph": graph.name, "backend": backend, "agents": graph.agents, "seed": args.seed,
            "frames": args.frames, "wall_s": elapsed, "frames_per_s": rate, "metrics": metrics})
    return 0
