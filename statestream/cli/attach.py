"""``statestream attach [ID]``: the interactive terminal on a running session."""
from __future__ import annotations


def add_parser(sub) -> None:
    from statestream.cli.run import add_terminal_args

    parser = sub.add_parser("attach", help="open the terminal on a running session "
                            "(detaching leaves it running)")
    parser.add_argument("session", nargs="?", default=None,
                        help="the session id (see statestream sessions; default: the only one)")
    add_terminal_args(parser)
    parser.set_defaults(handler=cmd_attach, threads=None, backend=None, memory=None)


def cmd_attach(args) -> int:
    from statestream.terminal.launch import run_attached

    return run_attached(args.session, args)
