"""Commands from a file or a pipe, one per line (``# comment``); plain text output."""
from __future__ import annotations

import sys


def run_lines(terminal, lines, source: str, out=None) -> tuple:
    """Execute ``lines``; returns ``(failures, end)`` where ``end`` is "" or how it ended.

    A failed command prints ``SOURCE:LINE: COMMAND: error...`` on stderr."""
    out = out or sys.stdout
    failures = 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        result = terminal.execute(line)
        if not result.ok:
            failures += 1
            word = line.split()[0][:40]
            print(f"{source}:{number}: {word}: {result.text}", file=sys.stderr, flush=True)
        elif result.text:
            print(result.text, file=out, flush=True)
        if result.end:
            return failures, result.end
    return failures, ""


def read_lines(path: str) -> list:
    from statestream.errors import UserError

    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().splitlines()
    except FileNotFoundError:
        raise UserError(f"--commands {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"--commands {path}: cannot read ({exc})") from None
