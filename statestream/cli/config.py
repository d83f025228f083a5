"""``statestream config``: the user configuration in force and where each value came from."""
from __future__ import annotations


def add_parser(sub) -> None:
    parser = sub.add_parser("config", help="show the user configuration in force")
    parser.set_defaults(handler=cmd_config)


def cmd_config(args) -> int:
    from statestream import config

    current = config.load()
    print(f"config file: {current.path}")
    for line in current.lines():
        print(line)
    return 0
