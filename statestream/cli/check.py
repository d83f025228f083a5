"""``statestream check``: validate a graph and print its summary."""
from __future__ import annotations

import json
import sys


def add_parser(sub) -> None:
    check = sub.add_parser("check", help="validate a graph and print a summary")
    check.add_argument("file", help="the .st_graph file")
    check.add_argument("--explicit", action="store_true",
                       help="print the fully expanded graph as YAML")
    check.add_argument("--json", action="store_true", help="print the summary as JSON")
    check.set_defaults(handler=cmd_check)


def cmd_check(args) -> int:
    from statestream.cli.common import resolve_user_path
    from statestream.graph import load_graph
    from statestream.graph.environment import run_problems
    from statestream.graph.explicit import explicit_yaml
    from statestream.graph.summary import format_summary, summary

    graph = load_graph(resolve_user_path(args.file))
    warnings = list(graph.warnings) + run_problems(graph)
    if args.explicit:
        sys.stdout.write(explicit_yaml(graph))
    else:
        info = summary(graph)
        info["shm_bytes"] = _session_bytes(graph, info["shm_bytes"])
        warnings += _memory_warnings(graph, info["shm_bytes"])
        if args.json:
            info["warnings"] = [str(w) for w in warnings]
            print(json.dumps(info, indent=2))
        else:
            print(format_summary(info))
    for warning in warnings:
        print(str(warning), file=sys.stderr)
    return 0


def _session_bytes(graph, estimate: int) -> int:
    """What a session really allocates (state rings included), else the graph's estimate."""
    from statestream.errors import UserError
    from statestream.runtime.layout import session_size

    try:
        return session_size(graph)
    except UserError:
        return estimate


def _memory_warnings(graph, size: int) -> list:
    from statestream.errors import Problem
    from statestream.runtime.shm import free_bytes, shm_dir

    free = free_bytes()
    if size <= free:
        return []
    return [Problem(graph.pos_of("name"), graph.name, f"a session needs {size / 2**20:,.1f} MiB of shared "
                    f"memory, but {shm_dir()} has {free / 2**20:,.1f} MiB free", "warning")]
