"""Command-line options shared by ``simulate`` and ``run``."""
from __future__ import annotations

import os
import sys

from statestream.errors import UserError


def add_session_args(parser, frames_required: bool = True) -> None:
    parser.add_argument("file", help="the .st_graph file (or a graph name on the search path)")
    parser.add_argument("--frames", type=_positive, required=frames_required,
                        help="number of frames to compute")
    parser.add_argument("--backend", choices=("torch", "numpy"),
                        help="array backend (default: the graph's, else torch)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--agents", type=_positive, help="override the graph's agents")
    parser.add_argument("--threads", type=_positive, help="torch threads per process")
    parser.add_argument("--device", default=None,
                        help="cpu or cuda:N for every item (default: the items' devices)")
    parser.add_argument("--synthetic-inputs", action="store_true",
                        help="replace interfaces that need a dataset by seeded random data")
    parser.add_argument("--data-root", metavar="DIR", type=_data_root,
                        help="folder where datasets are looked up (sets STATESTREAM_DATA_ROOT)")
    parser.add_argument("--no-learning", action="store_true",
                        help="do not run the plasticities (parameters stay as they are)")
    parser.add_argument("--init-states", metavar="IN.npz",
                        help="load states/parameters (all or some keys) before the first frame")
    parser.add_argument("--save-states", metavar="OUT.npz",
                        help="write every NP state and parameter after the last frame")
    parser.add_argument("--print-every", type=int, default=0, metavar="K",
                        help="print interface metrics (accuracy per delay) every K frames")
    parser.add_argument("--metrics-csv", metavar="OUT.csv",
                        help="write the metrics every K frames (default K 100) as CSV")
    parser.add_argument("--metrics-png", metavar="OUT.png",
                        help="plot accuracy per delay over the session (needs matplotlib)")
    parser.add_argument("--report", metavar="OUT.json",
                        help="write frames, wall time, frames/s and metrics as JSON")
    parser.add_argument("--checkpoint-every", nargs=2, metavar=("K", "OUT.npz"),
                        help="every K frames, write the latest snapshot to OUT.npz (atomically)")
    parser.add_argument("--split", type=_non_negative, default=0, metavar="N",
                        help="agents < N are held out of training (default 0)")


def write_report(path: str, data: dict) -> None:
    """Write ``data`` as JSON atomically."""
    import json

    from statestream.fileio import atomic_open

    with atomic_open(path, "w", what="report") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")


def check_outputs(args) -> None:
    """Before the first frame: every output path is writable, optional packages exist."""
    from statestream.fileio import check_writable

    outputs = [(args.save_states, "--save-states"), (args.metrics_csv, "--metrics-csv"),
               (args.metrics_png, "--metrics-png"), (args.report, "--report"),
               (checkpoint_of(args)[1], "--checkpoint-every")]
    for path, option in outputs:
        if path:
            check_writable(path, f"{option} file")
    if args.metrics_png:
        from statestream.runtime.metrics import pyplot

        pyplot()


def checkpoint_of(args) -> tuple:
    """``(K, PATH)`` of ``--checkpoint-every`` (``(0, None)`` without it)."""
    if not args.checkpoint_every:
        return 0, None
    every, path = args.checkpoint_every
    try:
        return _positive(every), path
    except Exception:
        raise UserError(f"--checkpoint-every K OUT.npz: K must be a positive integer, "
                        f"got {every!r}") from None


def make_recorder(graph, variables: dict, args):
    """The metrics recorder for the command line options (None without metrics)."""
    from statestream.runtime.metrics import MetricsRecorder

    every = args.print_every or 100
    recorder = MetricsRecorder(graph, variables, every,
                               echo=print if args.print_every else None)
    return recorder if recorder else None


def finish_metrics(recorder, args) -> list:
    """Final lines, CSV and PNG; returns the report entries."""
    if recorder is None:
        return []
    for line in recorder.final_lines():
        print(line)
    if args.metrics_csv:
        recorder.write_csv(args.metrics_csv)
    if args.metrics_png:
        recorder.plot(args.metrics_png)
    return recorder.report()


def _non_negative(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def _data_root(text: str) -> str:
    os.environ["STATESTREAM_DATA_ROOT"] = os.path.abspath(text)  # read by the loaders
    return text


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def prepare_graph(args, check_devices: bool = True):
    """The validated graph with the command-line overrides; run-only problems are errors.

    Also checked here, before any process starts: ``--device``, ``--split``, the output
    paths and optional packages. ``check``'s warnings are printed on stderr."""
    from statestream.errors import SpecError
    from statestream.graph import load_graph
    from statestream.graph.environment import run_problems

    graph = load_graph(resolve_user_path(args.file))
    for warning in graph.warnings:
        print(str(warning), file=sys.stderr)
    if args.agents:
        graph = graph.with_agents(args.agents)
    backend = args.backend or graph.backend
    problems = [p for p in run_problems(graph, backend)
                if check_devices and args.device is None or p.item == "backend"]
    problems += _client_problems(graph)
    if problems:
        from dataclasses import replace

        raise SpecError([replace(p, severity="error") for p in problems])
    check_device(args.device)
    if args.split > graph.agents:
        raise UserError(f"--split {args.split}: the graph has only {graph.agents} agents")
    checkpoint_of(args)
    check_outputs(args)
    return graph, backend


def check_device(device) -> None:
    """``--device`` names cpu or a CUDA device that torch can use here."""
    from statestream.backends import device_problem

    problem = device_problem(device)
    if problem:
        raise UserError(f"--device {device}: {problem}")


def _client_problems(graph) -> list:
    from statestream.runtime.preflight import client_problems

    return client_problems(graph)


def resolve_user_path(name: str) -> str:
    """``name`` itself if it exists, else a graph of that name on the search path."""
    from statestream.graph.expand import resolve_graph_file

    if os.path.exists(name):
        return name
    return resolve_graph_file(name, None) or name
