"""Every file of a session goes, however the session ends; sessions --clean removes only
what is provably dead and this user's."""
from __future__ import annotations

import glob
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from statestream.cli import main
from statestream.runtime import shm
from tests.conftest import EXAMPLES, ROOT

DEMO = os.path.join(EXAMPLES, "demo.st_graph")


def _files_of_pid(pid: int) -> list:
    return glob.glob(os.path.join(shm.shm_dir(), f"{shm.PREFIX}{pid}-*"))


def _gone_within(pid: int, seconds: float) -> list:
    deadline = time.time() + seconds
    while time.time() < deadline and _files_of_pid(pid):
        time.sleep(0.05)
    return _files_of_pid(pid)


def _start_run(*extra):
    return subprocess.Popen([sys.executable, "-m", "statestream", "run", "--headless", DEMO,
                             "--frames", "1000000", "--agents", "8", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=ROOT), start_new_session=True)


@pytest.mark.parametrize("moment", range(10))
def test_sigint_at_a_random_moment_leaves_no_file(moment):
    """Moments spread over parsing, weight initialisation, worker start and streaming."""
    delay = random.Random(moment).uniform(0.0, 4.0)
    proc = _start_run()
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGINT)
    try:
        proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"SIGINT after {delay:.2f} s did not end the run")
    assert _gone_within(proc.pid, 5.0) == [], f"files left after SIGINT at {delay:.2f} s"
    # 130: our handler; -SIGINT: the signal came before Python installed one; 2: a user error
    assert proc.returncode in (130, 2, -signal.SIGINT), proc.returncode


@pytest.mark.parametrize("delay", [0.6, 1.2])
def test_kill_minus_9_of_the_core_during_start_up_leaves_no_file(delay):
    proc = _start_run()
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)
    assert _gone_within(proc.pid, 5.0) == []


def _fake_session(sid: str, pid: int, start=None) -> str:
    layout = os.path.join(shm.shm_dir(), f"{shm.PREFIX}{sid}.json")
    with open(layout, "w") as handle:
        json.dump({"session": sid, "owner_pid": pid, "owner_start": start, "created": 0,
                   "graph_file": "x", "agents": 1, "processes": []}, handle)
    open(os.path.join(shm.shm_dir(), f"{shm.PREFIX}{sid}"), "wb").close()
    return layout


def test_sessions_clean_removes_only_what_is_provably_dead(capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    me = os.getpid()
    _fake_session(f"{dead.pid}-aaaaaa", dead.pid)  # core gone
    _fake_session(f"{me}-bbbbbb", me, shm.process_start(me))  # alive
    _fake_session(f"{me}-cccccc", me, 1)  # PID reused by a later process: dead
    unreadable = os.path.join(shm.shm_dir(), f"{shm.PREFIX}{me}-dddddd.json")
    with open(unreadable, "w") as handle:
        handle.write("{not json")
    other = _fake_session(f"{dead.pid}-eeeeee", dead.pid)
    os.chown(other, 65534, 65534)  # another user's session: never ours to remove
    try:
        assert main(["sessions", "--clean"]) == 0
        left = {os.path.basename(p) for p in glob.glob(os.path.join(shm.shm_dir(), "statestream-*"))}
        assert f"statestream-{dead.pid}-aaaaaa.json" not in left
        assert f"statestream-{me}-cccccc" not in left
        assert f"statestream-{me}-bbbbbb.json" in left
        assert f"statestream-{me}-dddddd.json" in left
        assert f"statestream-{dead.pid}-eeeeee.json" in left
    finally:
        for pattern in (f"{me}-*", f"{dead.pid}-*"):
            for path in glob.glob(os.path.join(shm.shm_dir(), f"{shm.PREFIX}{pattern}")):
                os.unlink(path)
