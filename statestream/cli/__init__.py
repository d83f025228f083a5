"""The ``statestream`` command line: one module per command (check, simulate, run, ...)."""
from __future__ import annotations

import argparse
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
    for module in _extra_commands():
        module.add_parser(sub)
    return parser


COMMANDS = ("check", "simulate", "run", "sessions", "attach", "config", "viz", "rollout")


def _extra_commands():
    """The modules of the subcommands, one per command."""
    import importlib

    return [importlib.import_module(f"statestream.cli.{name}") for name in COMMANDS]


def _is_graph(word: str) -> bool:
    """A graph or net file, or a graph name on the search path (not a mistyped command)."""
    if word.startswith("-"):
        return False
    if word.endswith((".st_graph", ".st_net")) or os.path.isfile(word):
        return True
    from statestream.graph.expand import resolve_graph_file

    try:
        return resolve_graph_file(word, None) is not None
    except Exception:  # noqa: BLE001 - an odd name is simply not a graph
        return False


def main(argv=None) -> int:
    try:
        parser = build_parser()
        argv = list(sys.argv[1:] if argv is None else argv)
        if argv and argv[0] not in COMMANDS and _is_graph(argv[0]):
            argv.insert(0, "run")  # statestream FILE = statestream run FILE
        args = parser.parse_args(argv)
        args.argv = argv
    except KeyboardInterrupt:
        print("statestream: interrupted", file=sys.stderr)
        return 130
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
