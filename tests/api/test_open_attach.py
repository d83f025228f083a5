"""The Python API: statestream.open / statestream.attach."""
from __future__ import annotations

import glob
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import statestream
from statestream.cli import main
from statestream.errors import UserError
from statestream.runtime import shm
from tests.conftest import ROOT

SMALL = """
name: small
agents: 2
neuron_pools:
    src: {shape: [2, 4, 4], noise: normal}
    dst: {shape: [2, 4, 4], act: tanh}
synapse_pools:
    src_dst: {source: [[src]], target: dst, rf: 3}
interfaces:
    wave: {type: oscillator, out: [osci], remap: {osci: src}}
"""


def _files_of(sid):
    return shm.session_files(sid)


def test_open_step_save_equals_simulate(tmp_path):
    with statestream.open("demo", seed=0, threads=1) as session:
        assert session.frame == -1
        assert session.step(50) == 49
        session.save(str(tmp_path / "api.npz"))
        sid = session.id
    assert _files_of(sid) == []
    assert main(["simulate", "demo", "--frames", "50", "--seed", "0", "--threads", "1",
                 "--save-states", str(tmp_path / "sim.npz")]) == 0
    a, b = dict(np.load(tmp_path / "api.npz")), dict(np.load(tmp_path / "sim.npz"))
    assert set(a) == set(b)
    for key in a:
        assert np.array_equal(a[key], b[key]), key


def test_read_returns_one_frame_and_names_what_is_missing(write_graph):
    with statestream.open(write_graph(SMALL), seed=3) as session:
        session.step(3)
        frame, arrays = session.read(["dst", "src_dst/W_0_0", "wave/osci"])
        assert frame == 2 and arrays["dst"].shape == (2, 2, 4, 4)
        assert np.array_equal(session.state("dst"), arrays["dst"])
        with pytest.raises(UserError, match="nothing called 'nope'"):
            session.read(["nope"])
        with pytest.raises(UserError, match="must be a finite number"):
            session.set("dst", "noise_std", float("inf"))
        with pytest.raises(UserError, match="expected a number"):
            session.set("dst", "noise_std", "abc")


def test_attach_from_another_process_never_stops_the_session(write_graph):
    with statestream.open(write_graph(SMALL)) as session:
        script = textwrap.dedent(f"""
            import statestream
            tool = statestream.attach({session.id!r})
            print(tool.step(4), tool.command("status"))
            tool.close()
        """)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60, env=dict(os.environ, PYTHONPATH=ROOT))
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("3 session")
        assert session.step(1) == 4  # still alive after the tool left
        killed = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
            import os, statestream
            tool = statestream.attach({session.id!r})
            tool.command("stream")
            os.kill(os.getpid(), 9)
        """)], env=dict(os.environ, PYTHONPATH=ROOT))
        killed.wait(60)
        start = session.frame
        session.wait_frame(start + 5, timeout=10)
        session.pause()


def test_open_refuses_what_cannot_work(tmp_path, write_graph, monkeypatch):
    with pytest.raises(UserError, match="device cuda:7 is not available"):
        statestream.open(write_graph(SMALL), device="cuda:7")
    with pytest.raises(UserError, match="not found"):
        statestream.open(str(tmp_path / "missing.st_graph"))
    before = set(glob.glob(os.path.join(shm.shm_dir(), "statestream-*")))
    monkeypatch.setattr(shm, "free_bytes", lambda folder=None: 1024)
    with pytest.raises(UserError, match="of shared memory, but only"):
        statestream.open(write_graph(SMALL))
    assert set(glob.glob(os.path.join(shm.shm_dir(), "statestream-*"))) <= before


def test_attach_needs_a_running_session():
    with pytest.raises(UserError, match="no running session"):
        statestream.attach("1-abcdef")
