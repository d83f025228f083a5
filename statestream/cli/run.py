"""``statestream run``: the streaming session, with the interactive terminal or
``--headless``."""
from __future__ import annotations

import argparse
import re
import signal
import sys
import time

from statestream.errors import UserError
from statestream.cli.common import (add_session_args, checkpoint_of, finish_metrics,
                                    make_recorder, prepare_graph, write_report)
from statestream.cli.longrun import (Interrupted, StopSignals, checkpoint_due, progress_bar,
                                     save_on_stop)

LAUNCHED = time.time()


def add_parser(sub) -> None:
    parser = sub.add_parser("run", help="stream a graph, one process per item")
    add_session_args(parser, frames_required=False)
    parser.add_argument("--headless", action="store_true",
                        help="no interactive terminal: stream --frames frames and exit")
    parser.add_argument("--memory", type=int, default=None,
                        help="frames of state history kept readable for tools (default: the "
                        "user configuration's, else 2)")
    parser.add_argument("--out", metavar="DIR",
                        help="folder for the core clients' outputs (default: the current one)")
    add_terminal_args(parser)
    parser.add_argument("--detach", action="store_true",
                        help="run the session in a process of its own: closing the terminal "
                        "leaves it running (statestream attach joins it)")
    parser.add_argument("--headless-serve", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=cmd_run)


def add_terminal_args(parser) -> None:
    parser.add_argument("--commands", metavar="FILE",
                        help="run the commands of FILE (one per line, # comments) first")
    parser.add_argument("--strict", action="store_true",
                        help="exit code 2 when a command failed")


def cmd_run(args) -> int:
    if not args.headless:
        from statestream.terminal.launch import run_terminal

        return run_terminal(args)
    from statestream.terminal.launch import session_file

    with session_file(args):
        return _headless(args)


def _headless(args) -> int:
    from statestream.clients.host import start_clients
    from statestream.runtime.core import Core, ItemFailed, print_progress

    graph, backend = prepare_graph(args)
    if not args.frames and not _clients_end(graph):
        raise UserError("--headless needs --frames N (or a core client that ends the "
                        "session, e.g. trainvaltest)")
    stop = StopSignals().install()
    core = None
    status = 0
    bar = None
    try:
        core = Core(graph, backend=backend, seed=args.seed, threads=args.threads or 1,
                    device=args.device, synthetic_inputs=args.synthetic_inputs,
                    memory=2 if args.memory is None else args.memory, progress=print_progress,
                    learning=not args.no_learning)
        if args.init_states:
            core.load_states(args.init_states)
        startup = core.start()
        start_clients(core, args.out)
        _set_split(core, args.split)
        recorder = make_recorder(graph, {n: i.variables for n, i in core.interfaces.items()},
                                 args)
        bar = progress_bar(args, args.frames, recorder)
        first = []
        on_frame = _frame_callback(core, args, recorder, bar, stop, first)
        t0 = time.perf_counter()
        done = _stream(core, args.frames, on_frame, stop)
        wall = time.perf_counter() - t0
        bar.close()
        first_frame_at = first[0] if first else time.time()
        if args.save_states:
            core.save_states(args.save_states)
        rate = done / wall if wall > 0 else float("inf")
        profile = core.profile()
        print(f"streamed {done} frames of {graph.name!r} ({backend}, {graph.agents} agents,"
              f" {len(profile)} items in {len(core.hosts)} processes) in {wall:.2f} s: "
              f"{rate:.1f} frames/s")
        print(_format_profile(profile))
        metrics = finish_metrics(recorder, args)
        if args.report:
            write_report(args.report, {
                "graph": graph.name, "backend": backend, "agents": graph.agents,
                "seed": args.seed, "frames": done, "wall_s": wall,
                "frames_per_s": rate, "startup_s": startup,
                "launch_to_first_frame_s": first_frame_at - _launch_time(),
                "profile": profile, "metrics": metrics,
            })
    except ItemFailed as exc:
        positioned = exc.user and re.match(r"\S+:\d+: ", exc.message)
        print(exc.message if positioned else f"statestream: {exc.what} failed: "
              f"{exc.message}", file=sys.stderr)
        status = 2 if exc.user else 1
    except Interrupted as exc:
        if bar is not None:
            bar.close()
        if core is not None:
            save_on_stop(exc, core.save_states, args.save_states, core.next_frame)
        how = "interrupted" if exc.code == 130 else "terminated"
        print(f"statestream: {how}, session stopped", file=sys.stderr)
        status = exc.code
    finally:
        if bar is not None:
            bar.close()
        if core is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            core.shutdown()
        stop.restore()
    return status


def _clients_end(graph) -> bool:
    """Whether some core client of the graph ends the session by itself."""
    from statestream.clients.lookup import client_class

    return any(getattr(client_class(c.type, graph.file), "ends_session", False)
               for c in graph.core_clients.values())


def _set_split(core, split: int) -> None:
    """Agents < ``split`` are held out of training."""
    from statestream.runtime import control as C

    core.session.ctl[C.SPLIT] = split


def _frame_callback(core, args, recorder, bar, stop, first: list):
    """Called after every frame: metrics, progress, checkpoints, then pending signals."""
    session = core.session
    every, checkpoint = checkpoint_of(args)
    done = 0

    def on_frame(k):
        nonlocal done
        done += 1
        if not first:
            first.append(time.time())
        if recorder is not None:
            recorder.update(k, lambda iface, var: session.if_var(iface, var, k))
        bar.update()
        if checkpoint_due(every, done):
            core.save_states(checkpoint)
        stop.check()

    return on_frame


def _stream(core, frames: int, on_frame, stop) -> int:
    """Stream ``frames`` frames; signals take effect between frames."""
    from statestream.runtime import control as C

    core.session.ctl[C.STREAMING] = 1
    stop.deferred = True
    try:
        done = core.stream(frames, on_frame=on_frame)
    finally:
        stop.deferred = False
    stop.check()
    return done


def _launch_time() -> float:
    """When this process was started (from /proc when available)."""
    try:
        import os

        with open(f"/proc/{os.getpid()}/stat") as handle:
            ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime"))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return LAUNCHED


def _format_profile(profile: list) -> str:
    rows = [("item", "kind", "read ms", "write ms", "compute ms", "period")]
    for p in sorted(profile, key=lambda p: -p["write_ms"]):
        rows.append((p["item"], p["kind"], f"{p['read_ms']:.3f}", f"{p['write_ms']:.3f}",
                     f"{p['compute_ms']:.3f}", f"{p['period']}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  " + "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                                      for i, (c, w) in enumerate(zip(r, widths))) for r in rows)
