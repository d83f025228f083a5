"""``rv on`` starts the GUI's rollout view as a child (SDL dummy driver), ``rv off`` ends it;
tab completion knows ``mv``, its actions, the meta-variables and their types."""
from __future__ import annotations

import re
import time

import pytest

from tests.terminal.helpers import Tty, session_files_left, small_graph

pytest.importorskip("pygame")


@pytest.fixture
def tty(tmp_path, monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    monkeypatch.setenv("STATESTREAM_DATA_DIR", str(tmp_path / "data"))
    term = Tty([small_graph(tmp_path)], tmp_path)
    yield term
    term.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_rv_on_starts_the_rollout_view_and_rv_off_ends_it(tty):
    sid = re.search(r"session (\S+) on", tty.ready()).group(1)
    tty.command("rv off", "rv is not running")
    pid = int(tty.command("rv on", r"rv started \(pid (\d+)\)").group(1))
    with open(f"/proc/{pid}/cmdline") as handle:
        args = handle.read().split("\0")
    assert args[args.index("viz"):args.index("viz") + 4] == ["viz", sid, "--open", "rollout"]
    tty.command("rv on", f"rv is already running \\(pid {pid}\\)")
    tty.command("stream", "ok")
    time.sleep(1.0)
    assert _alive(pid)  # the GUI runs on the streaming session
    tty.command("rv off", "rv stopped")
    assert not _alive(pid)
    tty.command("rv off", "rv is not running")
    tty.child.sendline("exit")
    assert tty.ended() == 0
    assert session_files_left(sid) == []


def test_tab_completes_mv_its_actions_names_and_types(tty):
    tty.ready()
    tty.child.send("mv sh\t")
    tty.expect("mv show")
    tty.child.sendline("")
    tty.expect("error: .*usage: mv")
    tty.prompt()
    tty.child.send("mv add wave_out scalar_s\t")
    time.sleep(0.5)
    tty.child.sendline(" source=out")
    tty.expect(r"added wave_out \(scalar_stats")
    tty.prompt()
    tty.child.send("mv show wave_\t")
    time.sleep(0.5)
    tty.child.sendline("")
    tty.expect("wave_out: scalar_stats source=out")
    tty.prompt()
