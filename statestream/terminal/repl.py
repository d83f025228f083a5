"""The interactive prompt: status line, history, completion; Ctrl-C clears the line,
Ctrl-D ends like ``exit``."""
from __future__ import annotations

import os
import time
from collections import deque

from prompt_toolkit import PromptSession
from prompt_toolkit.history import History

from statestream.terminal.completion import SessionNames, TerminalCompleter


class TrimmedHistory(History):
    """One command per line in a plain file, keeping the last ``size`` lines."""

    def __init__(self, path: str, size: int):
        super().__init__()
        self.path, self.size = path, size

    def load_history_strings(self):
        try:
            with open(self.path, encoding="utf-8", errors="replace") as handle:
                lines = [line.rstrip("\n") for line in handle if line.strip()]
        except OSError:
            return []
        lines = lines[-self.size:] if self.size else []
        self._rewrite(lines)
        return list(reversed(lines))

    def store_string(self, string: str) -> None:
        if not self.size or "\n" in string:
            return
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(string + "\n")
        except OSError:
            pass

    def _rewrite(self, lines: list) -> None:
        from statestream.errors import UserError
        from statestream.fileio import atomic_open

        try:
            with atomic_open(self.path, "w", what="history") as handle:
                handle.write("".join(line + "\n" for line in lines))
        except (OSError, UserError):
            pass


class Rate:
    """Frames per second from samples of the frame counter."""

    def __init__(self):
        self.samples = deque(maxlen=20)

    def __call__(self, frame: int) -> float:
        now = time.monotonic()
        self.samples.append((now, frame))
        (t0, f0), (t1, f1) = self.samples[0], self.samples[-1]
        return (f1 - f0) / (t1 - t0) if t1 > t0 and f1 >= f0 else 0.0


def status_line(session, rate: Rate) -> str:
    try:
        frame = session.frame
        mode = "streaming" if session.streaming else "paused"
    except Exception:  # noqa: BLE001 - the session went away under the toolbar
        return " session ended "
    return f" {session.id}  frame {frame}  {rate(frame):.1f} frames/s  {mode} "


def interactive(terminal, history_file: str, history_size: int) -> str:
    """Read and run commands until exit, Ctrl-D or detach; returns how it ended."""
    session = terminal.session
    rate = Rate()
    prompt = PromptSession(
        history=TrimmedHistory(history_file, history_size),
        completer=TerminalCompleter(SessionNames(session)),
        complete_while_typing=False,
        bottom_toolbar=lambda: status_line(session, rate),
        refresh_interval=0.5,
    )
    print(f"session {session.id} on {session.graph.name!r}: type help, Tab completes, "
          "Ctrl-D ends")
    while True:
        try:
            line = prompt.prompt("statestream> ")
        except KeyboardInterrupt:
            continue  # Ctrl-C clears the line
        except EOFError:  # Ctrl-D: the owner ends the session, an attached terminal leaves
            line = "exit" if terminal.owner else "detach"
        result = terminal.execute(line)
        if terminal.clean:
            print("\x1b[2J\x1b[H", end="")
        if result.text:
            print(result.text if result.ok else f"\x1b[31m{result.text}\x1b[0m", flush=True)
        if result.end:
            return result.end
