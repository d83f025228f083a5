"""Faults end a session cleanly: non-zero exit within seconds, the item named, and no
shared memory of the session left behind."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from statestream.runtime import shm
from statestream.runtime.session_memory import SessionMemory as Session
from tests.conftest import EXAMPLES, ROOT

DEMO = os.path.join(EXAMPLES, "demo.st_graph")
LIMIT_S = 5.0


def _start(args, env=None):
    environment = dict(os.environ, PYTHONPATH=ROOT, **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "statestream", "run", "--headless", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment, start_new_session=True)


def _session_of(proc, timeout=30.0) -> str:
    """The id of the session started by ``proc`` once all its items are ready."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for layout in shm.live_sessions():
            if layout["owner_pid"] == proc.pid:
                session = Session.attach(layout["session"])
                try:
                    if session.frame >= 2:
                        return layout["session"]
                finally:
                    session.close()
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("session did not start streaming")


def _finish(proc, sid: str, started: float):
    out, err = proc.communicate(timeout=LIMIT_S + 5)
    elapsed = time.time() - started
    assert elapsed < LIMIT_S, f"took {elapsed:.1f} s"
    assert shm.session_files(sid) == [], "shared memory left behind"
    assert "Traceback" not in err.split("failed:")[0]
    return proc.returncode, err


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_to_the_core(signum, code):
    proc = _start([DEMO, "--frames", "1000000", "--agents", "8"])
    sid = _session_of(proc)
    started = time.time()
    os.kill(proc.pid, signum)
    returncode, err = _finish(proc, sid, started)
    assert returncode == code
    assert "session stopped" in err


def test_kill_minus_9_of_a_child():
    proc = _start([DEMO, "--frames", "1000000", "--agents", "8"])
    sid = _session_of(proc)
    session = Session.attach(sid)
    victim = int(session.proc("pid")[session.index["hidden2"]])
    session.close()
    started = time.time()
    os.kill(victim, signal.SIGKILL)
    returncode, err = _finish(proc, sid, started)
    assert returncode != 0
    # hidden2 may share its process with other neuron-pools (hosting.py): all are named
    failed = re.search(r"statestream: items? (.*) failed: process \d+ was killed by signal 9", err)
    assert failed and "hidden2" in re.split(r", | and ", failed.group(1))


def test_item_that_raises(write_graph):
    path = write_graph("""
        name: faulty
        agents: 2
        neuron_pools:
            a: {shape: [3, 4, 4]}
            b: {shape: [3, 4, 4]}
        synapse_pools:
            a_b: {source: [[a]], target: b, rf: 3}
        interfaces:
            bomb:
                type: tests.runtime.faulty:Exploding
                out: [a]
                explode_at: 40
        """)
    proc = _start([path, "--frames", "1000000"])
    started = time.time()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "item bomb failed: in frame 40" in err and "RuntimeError: boom in frame 40" in err
    assert time.time() - started < 30
    assert not [p for p in os.listdir(shm.shm_dir()) if str(proc.pid) in p]


def test_startup_failure_is_reported_before_streaming(write_graph):
    path = write_graph("""
        name: nodata
        agents: 2
        neuron_pools:
            image: {shape: [1, 28, 28]}
            label: {shape: [10, 1, 1]}
        interfaces:
            digits:
                type: mnist
                out: [mnist_image, mnist_label]
                remap: {mnist_image: image, mnist_label: label}
                source_file: /no/such/mnist.pkl.gz
        """)
    proc = _start([path, "--frames", "10"])
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.startswith(f"{path}:11:")
    assert f"{path}:11: digits: dataset not found: /no/such/mnist.pkl.gz" in err
    assert "streamed" not in out
    assert not [p for p in os.listdir(shm.shm_dir()) if str(proc.pid) in p]


def test_unknown_device_is_a_startup_error(write_graph):
    path = write_graph("name: d\nagents: 2\nneuron_pools:\n    a: {shape: [1], device: 'gpu:9'}\n")
    proc = _start([path, "--frames", "10"])
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and f"{path}:4: a: device gpu:9 is not available" in err


def test_kill_minus_9_of_the_core_leaves_nothing_behind():
    proc = _start([DEMO, "--frames", "1000000", "--agents", "8"])
    sid = _session_of(proc)
    session = Session.attach(sid)
    workers = [int(p) for p in session.proc("pid")]
    session.close()
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)
    deadline = time.time() + LIMIT_S
    while time.time() < deadline and (shm.session_files(sid) or _any_alive(workers)):
        time.sleep(0.1)
    assert shm.session_files(sid) == []
    assert not _any_alive(workers)


def _any_alive(pids) -> bool:
    alive = False
    for pid in pids:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as handle:
                alive |= handle.read().rsplit(")", 1)[1].split()[0] != "Z"
        except (ProcessLookupError, FileNotFoundError):
            pass
    return alive


def test_unknown_core_client_is_a_startup_error(write_graph, capsys):
    from statestream.cli import main

    path = write_graph("name: c\nagents: 2\nneuron_pools:\n    a: {shape: [1]}\n"
                       "core_clients:\n    mail:\n        type: mailer\n")
    assert main(["simulate", path, "--frames", "2"]) == 2
    assert f"{path}:7: mail: core-client type 'mailer' not found" in capsys.readouterr().err
