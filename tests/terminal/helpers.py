"""Shared helpers of the terminal tests: a small numpy graph and a real pseudo-terminal."""
from __future__ import annotations

import os
import re
import sys

import pexpect

from tests.cli.helpers import DEMO, SMALL, environment

__all__ = ["DEMO", "SMALL", "PROMPT", "SMALL_GRAPH", "Tty", "session_files_left",
           "small_graph", "user_env"]

PROMPT = "statestream>"
CPR_REQUEST = re.escape("\x1b[6n")

SMALL_GRAPH = """\
name: small
agents: 2
backend: numpy
neuron_pools:
    src: {shape: [2, 4, 4], noise: normal, bias_shape: False}
    dst: {shape: [2, 4, 4], bias_shape: False}
    out: {shape: [3, 1, 1], noise: normal}
synapse_pools:
    src_dst: {source: [[src]], target: dst, rf: 1, init W_0_0: id}
interfaces:
    wave: {type: oscillator, out: [osci], remap: {osci: out}}
"""


def user_env(tmp_path) -> dict:
    """The test's own config and state folders (never the user's)."""
    return dict(environment(), STATESTREAM_CONFIG_DIR=str(tmp_path / "config"),
                STATESTREAM_STATE_DIR=str(tmp_path / "state"), TERM="xterm")


def small_graph(tmp_path) -> str:
    path = tmp_path / "small.st_graph"
    path.write_text(SMALL_GRAPH)
    return str(path)


class Tty:
    """``python -m statestream ARGS`` on a pseudo-terminal that answers cursor-position
    requests like a real terminal (prompt_toolkit then draws its status line)."""

    def __init__(self, args, tmp_path, timeout=60):
        self.child = pexpect.spawn(sys.executable, ["-m", "statestream", *args],
                                   cwd=str(tmp_path), env=user_env(tmp_path),
                                   encoding="utf-8", timeout=timeout, dimensions=(40, 160))
        self.log = []
        if os.environ.get("STATESTREAM_TTY_LOG"):
            self.child.logfile_read = open(os.environ["STATESTREAM_TTY_LOG"], "a")

    def expect(self, pattern, timeout=-1) -> str:
        """Wait for ``pattern`` (a regex); returns the text before it."""
        seen = ""
        while True:
            index = self.child.expect([CPR_REQUEST, pattern], timeout=timeout)
            seen += self.child.before
            if index == 1:
                self.log.append(seen + self.child.after)
                return seen
            self.child.send("\x1b[1;1R")

    def prompt(self) -> str:
        """Wait for a prompt and its status line (typing before it is drawn races with the
        terminal's cursor-position request); returns the text before them."""
        before = self.expect(PROMPT)
        self.expect("frames/s")
        return before

    ready = prompt

    def command(self, line: str, reply: str):
        """Type ``line``, wait for ``reply`` (a regex) and the next prompt; returns the match."""
        self.child.sendline(line)
        self.expect(reply)
        match = self.child.match
        self.prompt()
        return match

    def ended(self, timeout=30) -> int:
        self.child.expect(pexpect.EOF, timeout=timeout)
        self.child.close()
        return self.child.exitstatus if self.child.exitstatus is not None else \
            -self.child.signalstatus

    def kill(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


def session_files_left(sid: str) -> list:
    from statestream.runtime import shm

    return [p for p in shm.session_files(sid) if os.path.exists(p)]
