"""statestream rollout: the same first frames as check --json, paths, pictures, sessions."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from statestream.cli import main
from statestream.graph import load_graph
from statestream.rollout import dependency_path, rollout_grid
from tests.conftest import EXAMPLES, needs_shared, upstream_files

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(EXAMPLES, "demo.st_graph")
REFERENCE = [f for f in upstream_files("reference")
             if os.path.basename(f) in ("mnist_skip.st_graph", "cifar_DSR3.st_graph")]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _cli(*args) -> tuple:
    env = dict(os.environ, PYTHONPATH=ROOT)
    done = subprocess.run([sys.executable, "-m", "statestream", *args], capture_output=True,
                          text=True, env=env, timeout=300)
    return done.returncode, done.stdout, done.stderr


def _same_first_frames(path, tmp_path):
    code, out, err = _cli("check", path, "--json")
    assert code == 0, err
    want = {n: info["first_frame"] for n, info in json.loads(out)["neuron_pools"].items()}
    png = tmp_path / "r.png"
    code, out, err = _cli("rollout", path, "--json", "--png", str(png))
    assert code == 0, err
    got = json.loads(out[:out.rindex("}") + 1])
    assert got["first_frames"] == want
    for name, per_input in got["first_from"].items():
        reached = [f for f in per_input.values() if f is not None]
        assert (min(reached) if reached else None) == want[name]
    assert png.read_bytes().startswith(PNG_MAGIC)


def test_demo_first_frames_match_check(tmp_path):
    _same_first_frames(DEMO, tmp_path)


@needs_shared
@pytest.mark.parametrize("path", REFERENCE, ids=[os.path.basename(p) for p in REFERENCE])
def test_reference_first_frames_match_check(path, tmp_path):
    assert len(REFERENCE) == 2
    _same_first_frames(path, tmp_path)


def test_dependency_path_of_a_cell():
    grid = rollout_grid(load_graph(DEMO))
    assert grid.rows[-1] == "prediction" and grid.frames == 6
    path = dependency_path(grid, "hidden3", 3)
    assert path["back"] == {("hidden3", 3), ("hidden2", 2), ("hidden1", 1), ("image", 0)}
    assert path["forward"] == {("hidden3", 3), ("prediction", 4)}
    assert (("hidden2", 2), ("hidden3", 3)) in path["edges"]
    assert (("hidden3", 3), ("prediction", 4)) in path["edges"]


def test_recurrent_links_reach_back_over_several_frames(write_graph):
    path = write_graph("""
        name: loop
        agents: 1
        neuron_pools:
            x: {shape: [1, 1, 1]}
            h: {shape: [2, 1, 1]}
        synapse_pools:
            xh: {source: [[x]], target: h}
            hh: {source: [[h]], target: h}
        interfaces:
            feed: {type: random, distribution: normal, out: [x]}
        """)
    grid = rollout_grid(load_graph(path), frames=4)
    cells = dependency_path(grid, "h", 3)["back"]
    assert {("h", 0), ("h", 1), ("h", 2), ("x", 0), ("x", 1), ("x", 2)} <= cells


@pytest.mark.parametrize("args, words", [
    (["--png", "/nonexistent-folder/x.png"], "does not exist"),
    (["--json", "--select", "hidden2"], "expected NP:FRAME"),
    (["--json", "--select", "nope:1"], "no neuron-pool 'nope'"),
    (["--json", "--select", "hidden2:99"], "outside the rollout"),
    (["--json", "--frames", "0"], "--frames must lie"),
    ([], "give --png"),
    (["--json", "--session", "nosuchsession"], "no running session"),
])
def test_mistakes_are_one_line(capsys, args, words):
    assert main(["rollout", DEMO] + args) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and "\n" not in err and "Traceback" not in err


def test_session_states_fill_the_cells(tmp_path, capsys):
    import statestream

    png = tmp_path / "s.png"
    with statestream.open("demo", learning=False) as session:
        session.step(3)
        from statestream.rollout import session_activity

        start, values = session_activity(session, rollout_grid(session.graph))
        assert start == session.frame - 5  # paused: only the current frame is seen
        assert values["hidden1"][-1] == pytest.approx(float(session.state("hidden1").mean()))
        assert all(v is None for v in values["hidden1"][:-1])
        assert main(["rollout", DEMO, "--png", str(png), "--session", session.id]) == 0
    assert png.read_bytes().startswith(PNG_MAGIC)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
