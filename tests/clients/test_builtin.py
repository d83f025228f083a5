"""Built-in clients: lr_scheduler, trainvaltest, the cc commands, type lookup."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

import statestream
from statestream.clients.lr_scheduler import learning_rate
from statestream.errors import SpecError

from .helpers import write_setup

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_learning_rate_schedules():
    assert learning_rate("constant", 0.1, 50, {}) == 0.1
    assert learning_rate("exponential_decay", 0.1, 3, {"decay": 0.5}) == pytest.approx(0.0125)
    assert learning_rate("exponential_decay", 0.1, 3, {"decay": 0.5, "floor": 0.02}) == 0.02
    assert learning_rate("step", 1.0, 9, {"step_size": 10, "gamma": 0.5}) == 1.0
    assert learning_rate("step", 1.0, 20, {"step_size": 10, "gamma": 0.5}) == 0.25
    cosine = {"period": 100, "lr_min": 0.1}
    assert learning_rate("cosine", 1.0, 0, cosine) == pytest.approx(1.0)
    assert learning_rate("cosine", 1.0, 50, cosine) == pytest.approx(0.55)
    assert learning_rate("cosine", 1.0, 500, cosine) == pytest.approx(0.1)


def test_lr_scheduler_in_a_session_and_the_cc_commands(tmp_path):
    path = write_setup(tmp_path, """
        decay:
            type: lr_scheduler
            plast: classification
            schedule: exponential_decay
            decay: 0.5
            floor: 0.0001
            state: true
        """)
    with statestream.open(path) as session:
        session.step(3)  # t = 0, 1, 2 before frames 0..2
        assert session.param("classification", "lr") == pytest.approx(0.001 * 0.25)
        assert session.command("ccs") == "decay  lr_scheduler  active  start frame 2"
        assert session.command("ccstop decay") == "ok"
        session.step(3)
        assert session.param("classification", "lr") == pytest.approx(0.001 * 0.25)
        assert "inactive" in session.command("ccs")
        session.command("ccstart decay")
        session.step(10)
        assert session.param("classification", "lr") == pytest.approx(0.0001)  # the floor
        assert "decay (lr_scheduler): active, 13 frames" in session.command("cstat")
        assert session.command("ccstart nobody").startswith("error: no core client 'nobody'")


def test_wrong_client_keys_and_unknown_types_are_one_line_each(tmp_path):
    path = write_setup(tmp_path, """
        a: {type: lr_scheduler, plast: nothing, schedule: wobbly}
        b: {type: no_such_client}
        """)
    with pytest.raises(SpecError) as info:
        statestream.open(path)
    lines = str(info.value).splitlines()
    assert any(line.endswith("a: plast: no plasticity 'nothing' (known: classification)")
               for line in lines)
    assert any("tiny.st_graph:" in line and "schedule must be one of" in line for line in lines)
    assert any("b: core-client type 'no_such_client' not found" in line for line in lines)


def test_a_file_beside_the_graph_replaces_a_built_in(tmp_path):
    own = '''
    from statestream.clients.base import CoreClient

    class CClient_lr_scheduler(CoreClient):
        def initialize(self):
            self.message("my own scheduler")
    '''
    path = write_setup(tmp_path, "mine: {type: lr_scheduler}\n", {"lr_scheduler": own})
    with statestream.open(path) as session:  # no 'plast' key: the built-in would refuse
        assert session.command("ccmsg") == "mine: my own scheduler"


def test_trainvaltest_interrupted_before_validation_writes_a_valid_report(tmp_path):
    path = write_setup(tmp_path, """
        tvt: {type: trainvaltest, main_interface: digits, main_plasticity: classification}
        """)
    with statestream.open(path, out=str(tmp_path / "out")) as session:
        session.wait_frame(5, timeout=60)  # the client starts streaming by itself
    report = json.load(open(tmp_path / "out" / "report.json"))
    assert report["status"] == "interrupted"
    assert report["best_validation_accuracy"] is None and report["validation"] == []


def test_digits_schedule_runs_to_the_end_without_frames(tmp_path):
    """A shortened digits schedule (3 epochs, validation every epoch) from the command line."""
    text = open(os.path.join(ROOT, "statestream", "examples", "digits.st_graph")).read()
    text = text.replace("validate_after_epochs: 5", "validate_after_epochs: 1")
    text = text.replace("test_after_epochs: 30", "test_after_epochs: 3")
    graph = tmp_path / "digits.st_graph"
    graph.write_text(text)
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-m", "statestream", "run", str(graph),
                             "--headless", "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    report = json.load(open(out / "report.json"))
    assert report["status"] == "finished" and report["epochs"] == 3
    assert [v["epoch"] for v in report["validation"]] == [1, 2]
    best = max(v["accuracy"] for v in report["validation"])
    assert report["best_validation_accuracy"] == best
    assert report["test_accuracy"] > 0.8 and report["path_length"] == 3
    assert len(report["test_accuracy_per_delay"]) == 9
    assert math.isclose(report["test_accuracy_per_delay"][3], report["test_accuracy"],
                        abs_tol=0.05)
    for name in ("model_best.npz", "model_last.npz", "accuracy_per_delay.png", "loss.png"):
        assert (out / name).stat().st_size > 0


def test_train_val_test_script(tmp_path):
    script = os.path.join(ROOT, "statestream", "examples", "scripts", "train_val_test.py")
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, script, "--epochs", "2", "--validate-every", "1",
                             "--out", str(tmp_path)], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.load(open(tmp_path / "script_report.json"))
    assert [v["epoch"] for v in report["validation"]] == [1, 2]
    assert report["test_accuracy"] > 0.8
    assert (tmp_path / "model_best.npz").stat().st_size > 0
