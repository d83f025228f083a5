"""Every command typed into a real pseudo-terminal, with good and bad arguments."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.terminal.helpers import Tty, session_files_left, small_graph, user_env

GOOD = [  # (line, a regex the reply must contain)
    ("help", "commands: .*savenet"), ("help savenet", "savenet PATH"),
    ("status", r"frame -1, paused"), ("state", r"frame -1, paused"),
    ("step 3", "frame 2"), ("step", "frame 3"),
    ("nps", "dst"), ("sps", "src_dst"), ("items", "wave  if"),
    ("state src", "src at frame 3: shape"),
    ("set out noise_std 0.5", "ok"), ("get out noise_std", "out.noise_std = 0.5"),
    ("log", r"frame 3: out.noise_std 1 -> 0.5|out.noise_std .* -> 0.5"),
    ("period dst 2", "ok"), ("offset dst 1", "ok"), ("bottleneck dst 0", "ok"),
    ("pause dst", "ok"), ("off dst", "ok"), ("resume dst", "ok"),
    ("split 1", "ok"), ("delay 0", "ok"),
    ("save snap.npz", "saved .*snap.npz"), ("load snap.npz", "loaded .*snap.npz"),
    ("savenet net", r"saved .*net\.st_net"), ("load net.st_net", r"loaded .*net\.st_net"),
    ("savegraph now", r"saved .*now\.st_graph"),
    ("shm", "par  parameters"), ("shm np", "np/src"), ("shm np/src", r"shape \[2, 2, 4, 4\]"),
    ("shm src 0,0,0,:3", r"shape \[3\]"),
    ("viz on", "viz (started|ended at once|needs the viz extra)"),
    ("viz off", "viz (stopped|is not running)"),
    ("rv on", "rv (started|ended at once|needs the viz extra)"), ("rv off", "rv (stopped|is not running)"),
    ("clean on", "clean on"), ("clean off", "clean off"),
    ("profile core", "nothing to profile"),
    ("until frame 2", "frame 3"),
    ("ccs", "no core clients in this session"), ("cstat", "no core clients in this session"),
]
BAD = [  # (line, a regex of the one-line error)
    ("bogus", "unknown command 'bogus'"), ("step x", "whole number.*usage: step"),
    ("step -1", "must lie in"), ("period nosuch 2", "no item 'nosuch'"),
    ("period dst -2", "must lie in.*usage: period ITEM P"), ("offset dst", "usage: offset"),
    ("set out noise_std inf", "finite"), ("set out noise_std nan", "finite"),
    ("set out noise_std abc", "must be a number"), ("split 99", "must lie in"),
    ("delay -5", "must lie in"), ("get out nothere", "has no parameter 'nothere'"),
    ("state nonp", "no neuron-pool 'nonp'"), ("load missing.npz", "file not found"),
    ("load corrupt.npz", "corrupted"), ("load corrupt.st_net", "corrupted"),
    ("savenet /nonexistent-folder/x", "does not exist"),
    ("shm np/src 0,0,0,99", "out of bounds"), ("shm nothing", "no array 'nothing'"),
    ("shm np/src a", "not a whole number"), ("viz maybe", "expected on or off"),
    ("profile gpu", "usage: profile core"), ("until 5", "usage: until frame K"),
    ("wait x", "whole number"), ("wait 5", "paused"), ("help nosuch", "no command"),
    ("detach", "owns the session"), ("exit now", "usage: exit"),
]


@pytest.fixture
def tty(tmp_path):
    (tmp_path / "corrupt.npz").write_bytes(b"PK\x03\x04 not a zip")
    (tmp_path / "corrupt.st_net").write_bytes(b"\x89HDF\r\n garbage")
    term = Tty([small_graph(tmp_path)], tmp_path)
    yield term
    term.kill()


def _session_id(tty) -> str:
    before = tty.ready()
    return re.search(r"session (\S+) on", before).group(1)


def test_every_command_then_the_session_still_streams(tty, tmp_path):
    sid = _session_id(tty)  # the status line is up
    for line, reply in GOOD:
        tty.command(line, reply)
    for line, reply in BAD:
        tty.command(line, "error: .*" + reply)
    tty.command("stream", "ok")
    tty.command("wait 5", "frame")
    tty.command("status", "streaming")
    tty.command("profile core", "ms per frame")
    tty.child.sendline("exit")
    assert tty.ended() == 0
    assert session_files_left(sid) == []
    assert (tmp_path / "now.st_graph").exists() and (tmp_path / "net.st_net").exists()
    history = (tmp_path / "state" / "history").read_text().splitlines()
    assert history[:2] == ["help", "help savenet"] and history[-1] == "exit"


def test_ctrl_c_clears_the_line_and_ctrl_d_ends(tty):
    sid = _session_id(tty)
    tty.child.send("bogus words")
    tty.child.sendintr()
    tty.prompt()
    tty.command("status", "frame -1, paused")  # the cleared text was not run
    tty.child.send("ite\t")  # completion of a command ...
    tty.expect("items")
    tty.child.sendline("")
    tty.expect("wave  if")
    tty.prompt()
    tty.child.send("get out noise_s\t")  # ... and of a parameter name
    tty.expect("noise_std")
    tty.child.sendline("")
    tty.expect("out.noise_std = 1")
    tty.prompt()
    tty.command("delay 5", "ok")
    tty.child.sendline("step 100000")
    tty.expect("step 100000")
    time.sleep(1.0)
    tty.child.sendintr()  # stops waiting: the session pauses, the other steps are dropped
    tty.expect(r"interrupted at frame \d+: paused")
    tty.prompt()
    first = tty.command("status", r": frame (\d+), paused").group(1)
    time.sleep(0.3)
    assert tty.command("status", r": frame (\d+), paused").group(1) == first
    tty.child.sendeof()
    assert tty.ended() == 0
    assert session_files_left(sid) == []


def test_terminal_closed_stops_the_session(tty):
    sid = _session_id(tty)
    tty.command("stream", "ok")
    os.kill(tty.child.pid, signal.SIGHUP)
    assert tty.ended() == 128 + signal.SIGHUP
    assert session_files_left(sid) == []


def _statestream(tmp_path, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "statestream", *args], input=stdin,
                          capture_output=True, text=True, env=user_env(tmp_path), timeout=60)


def test_detached_session_survives_the_terminal_and_attach_finds_it(tmp_path):
    term = Tty([small_graph(tmp_path), "--detach"], tmp_path)
    sid = None
    try:
        before = term.ready()
        sid = re.search(r"session (\S+) runs detached", before).group(1)
        term.command("stream", "ok")
        os.kill(term.child.pid, signal.SIGHUP)
        term.ended()
        assert sid in _statestream(tmp_path, "sessions").stdout
        again = Tty(["attach", sid], tmp_path)
        try:
            again.ready()
            again.command("status", f"session {sid}: frame \\d+, streaming")
            again.child.sendline("exit")
            assert again.ended() == 0
        finally:
            again.kill()
        deadline = time.time() + 15
        while session_files_left(sid) and time.time() < deadline:
            time.sleep(0.1)
        assert session_files_left(sid) == []
    finally:
        term.kill()
        if sid and session_files_left(sid):  # a failed test must not leave the server
            _statestream(tmp_path, "attach", sid, stdin="exit\n")
