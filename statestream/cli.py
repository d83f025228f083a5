"""The ``statestream`` command line: check, simulate, run."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

from statestream import __version__
from statestream.errors import EXIT_USER_ERROR, SpecError, UserError


class _Parser(argparse.ArgumentParser):
    """Usage mistakes: one line on stderr, exit code 2."""

    def error(self, message):  # noqa: D401 - argparse API
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="statestream", description="Design, run, train, watch and steer "
                     "streaming neural networks.")
    parser.add_argument("--version", action="version", version=f"statestream {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    check = sub.add_parser("check", help="validate a graph and print a summary")
    check.add_argument("file", help="the .st_graph file")
    check.add_argument("--explicit", action="store_true",
                       help="print the fully expanded graph as YAML")
    check.add_argument("--json", action="store_true", help="print the summary as JSON")
    check.set_defaults(handler=cmd_check)
    for module in _extra_commands():
        module.add_parser(sub)
    return parser


def _extra_commands():
    """Subcommands that live in their own modules (simulate, run, ...)."""
    import importlib

    found = []
    for name in ("statestream.runtime.cli_simulate", "statestream.runtime.cli_run",
                 "statestream.runtime.cli_sessions"):
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


def resolve_user_path(name: str) -> str:
    """``name`` itself if it exists, else a graph of that name on the search path."""
    from statestream.spec.expand import resolve_graph_file

    if os.path.exists(name):
        return name
    return resolve_graph_file(name, None) or name


def cmd_check(args) -> int:
    from statestream.spec import load_graph
    from statestream.spec.environment import run_problems
    from statestream.spec.explicit import explicit_yaml
    from statestream.spec.summary import format_summary, summary

    graph = load_graph(resolve_user_path(args.file))
    warnings = list(graph.warnings) + run_problems(graph)
    if args.explicit:
        sys.stdout.write(explicit_yaml(graph))
    elif args.json:
        info = summary(graph)
        info["warnings"] = [str(w) for w in warnings]
        print(json.dumps(info, indent=2))
    else:
        print(format_summary(summary(graph)))
    for warning in warnings:
        print(str(warning), file=sys.stderr)
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except SpecError as exc:
        for problem in exc.problems:
            print(str(problem), file=sys.stderr)
        return EXIT_USER_ERROR
    except UserError as exc:
        text = str(exc)
        positioned = re.match(r"\S+:\d+: ", text)  # already FILE:LINE: ITEM: message
        print(text if positioned else f"statestream: {text}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("statestream: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug of ours: keep the user's terminal free of tracebacks
        if os.environ.get("STATESTREAM_DEBUG"):
            raise
        print(f"statestream: internal error: {type(exc).__name__}: {exc} (please report it; "
              "set STATESTREAM_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
