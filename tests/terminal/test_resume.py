"""Resume is exact: savenet + run FILE.st_net, and load into a running session."""
from __future__ import annotations

import os

import numpy as np
import pytest

import statestream
from statestream.graph import load_graph
from statestream.terminal.commands import Terminal
from tests.terminal.helpers import DEMO, SMALL
from tests.terminal.test_script import _run, _same_arrays


def test_savenet_quit_resume_equals_straight_run(tmp_path):
    common = ["--seed", "0", "--threads", "1", *SMALL]
    first = _run(tmp_path, "run", DEMO, *common, stdin="step 100\nsavenet x\nexit\n")
    assert first.returncode == 0, first.stderr
    resumed = _run(tmp_path, "run", "x.st_net", "--threads", "1",
                   stdin="status\nstep 100\nsave resumed.npz\nexit\n")
    assert resumed.returncode == 0, resumed.stderr
    assert "frame 99, paused" in resumed.stdout  # resumes paused where it was saved
    straight = _run(tmp_path, "simulate", DEMO, "--frames", "200", *common,
                    "--save-states", "straight.npz")
    assert straight.returncode == 0, straight.stderr
    _same_arrays(tmp_path / "resumed.npz", tmp_path / "straight.npz")
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


@pytest.fixture(scope="module")
def demo_session():
    graph = load_graph(DEMO).with_agents(8)
    with statestream.open(graph, seed=0, threads=1) as session:
        yield session, Terminal(session, owner=True)


@pytest.mark.parametrize("kind", ["npz", "st_net"])
def test_load_in_a_running_session_equals_starting_from_it(demo_session, tmp_path, kind):
    session, terminal = demo_session
    saved = str(tmp_path / f"at.{kind}")
    session.step(7)
    command = "save" if kind == "npz" else "savenet"
    assert terminal.execute(f"{command} {saved}").ok
    session.step(6)
    assert terminal.execute(f"save {tmp_path / 'straight.npz'}").ok
    session.step(9)  # wander off, then come back
    result = terminal.execute(f"load {saved}")
    assert result.ok, result.text
    session.step(6)
    assert terminal.execute(f"save {tmp_path / 'again.npz'}").ok
    _same_arrays(tmp_path / "straight.npz", tmp_path / "again.npz")


def test_load_refuses_mismatching_files_and_changes_nothing(demo_session, tmp_path):
    session, terminal = demo_session
    before = session.state("hidden1")
    bad = tmp_path / "bad.npz"
    np.savez(bad, **{"np/hidden1": np.ones((8, 16, 16, 16), np.float32),
                     "np/image": np.zeros(3, np.float32), "nothere/W": np.zeros(1)})
    result = terminal.execute(f"load {bad}")
    assert not result.ok
    assert "np/image has shape [3]" in result.text and "unknown key 'nothere/W'" in result.text
    np.testing.assert_array_equal(session.state("hidden1"), before)  # nothing half-loaded
    assert session.command("status").startswith("session")
