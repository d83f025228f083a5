"""``statestream simulate``: the single-process reference simulator."""
from __future__ import annotations

import sys
import time

from statestream.cli.common import (add_session_args, checkpoint_of, finish_metrics,
                                    make_recorder, prepare_graph, write_report)
from statestream.cli.longrun import (Interrupted, StopSignals, checkpoint_due, progress_bar,
                                     save_on_stop)


def add_parser(sub) -> None:
    parser = sub.add_parser("simulate", help="compute frames in one process (the reference)")
    add_session_args(parser)
    parser.set_defaults(handler=cmd_simulate)


def cmd_simulate(args) -> int:
    stop = StopSignals().install()
    try:
        return _simulate(args, stop)
    except Interrupted as exc:
        print(f"statestream: {'interrupted' if exc.code == 130 else 'terminated'}",
              file=sys.stderr)
        return exc.code
    finally:
        stop.restore()


def _simulate(args, stop: StopSignals) -> int:
    from statestream.runtime.memory import keep_freed_memory
    from statestream.runtime.simulator import Simulator

    graph, backend = prepare_graph(args, check_devices=False)
    keep_freed_memory()
    sim = Simulator(graph, backend=backend, device=args.device or "cpu", seed=args.seed,
                    synthetic_inputs=args.synthetic_inputs, threads=args.threads or 1,
                    learning=not args.no_learning)
    if args.init_states:
        sim.load_states(args.init_states)
    sim.split = args.split
    recorder = make_recorder(graph, {n: i.variables for n, i in sim.interfaces.items()}, args)
    every, checkpoint = checkpoint_of(args)
    bar = progress_bar(args, args.frames, recorder)
    done = 0

    def callback(s):
        nonlocal done
        done += 1
        if recorder is not None:
            recorder.update(s.frame - 1, lambda iface, var: s.if_vars[iface][var])
        bar.update()
        if checkpoint_due(every, done):
            s.save_states(checkpoint)
        stop.check()

    start = time.perf_counter()
    try:
        stop.deferred = True
        sim.run(args.frames, callback=callback)
        stop.deferred = False
        stop.check()
    except Interrupted as exc:
        bar.close()
        save_on_stop(exc, sim.save_states, args.save_states, done)
        raise
    finally:
        stop.deferred = False
        bar.close()
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
