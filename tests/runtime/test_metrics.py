"""Interface metrics over a session: accuracy per delay, path length, 95% frame, files."""
from __future__ import annotations

import csv
import json

import numpy as np

from statestream.cli import main
from statestream.runtime.metrics import MetricsRecorder
from statestream.graph import load_graph
from tests.conftest import EXAMPLES

DEMO = f"{EXAMPLES}/demo.st_graph"


def _conf(correct_from: int, window: int = 9, classes: int = 10, accuracy: float = 1.0):
    """A confusion matrix stack: chance before ``correct_from``, ``accuracy`` after."""
    conf = np.full((window, classes, classes), 1.0, np.float32)
    for d in range(correct_from, window):
        conf[d] = np.eye(classes) * accuracy * 10 + (1 - accuracy) * 10 / classes
    return conf


def test_path_length_and_first_frame_at_95():
    graph = load_graph(DEMO)
    recorder = MetricsRecorder(graph, {"numerals": {"conf_mat": (9, 10, 10), "acc": (9, 1, 1)}},
                               every=10)
    (metric,) = recorder.metrics
    assert metric.path_length == 5  # one frame into image, four SP hops to the prediction
    for frame in range(30):
        quality = 0.5 if frame < 17 else 1.0
        recorder.update(frame, lambda i, v: _conf(5, accuracy=quality))
    assert metric.reached_at == 17
    summary = recorder.report()[0]
    assert summary["accuracy_per_delay"][0] == 0.1 and summary["accuracy_per_delay"][5] == 1.0
    assert summary["accuracy_from_path_length"] == 1.0 and summary["first_frame_at_95"] == 17
    assert len(metric.rows) == 3  # frames 9, 19, 29


def test_csv_and_png(tmp_path):
    graph = load_graph(DEMO)
    recorder = MetricsRecorder(graph, {"numerals": {"conf_mat": (9, 10, 10)}}, every=5)
    for frame in range(20):
        recorder.update(frame, lambda i, v: _conf(5))
    recorder.write_csv(str(tmp_path / "m.csv"))
    rows = list(csv.reader(open(tmp_path / "m.csv")))
    assert rows[0] == ["frame", "metric", "delay", "accuracy"]
    assert ["4", "numerals.acc", ">=5", "1.0"] in rows
    recorder.plot(str(tmp_path / "m.png"))
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"


def test_simulate_prints_and_reports_metrics(tmp_path, capsys):
    assert main(["simulate", DEMO, "--frames", "40", "--agents", "8", "--print-every", "20",
                 "--metrics-csv", str(tmp_path / "m.csv")]) == 0
    out = capsys.readouterr().out
    assert out.count("numerals.acc: per delay") == 3  # frames 19, 39 and the final line
    assert "delays >= 5" in out
    assert (tmp_path / "m.csv").exists()


def test_run_report_has_metrics(tmp_path):
    report = tmp_path / "r.json"
    assert main(["run", DEMO, "--headless", "--frames", "30", "--agents", "8", "--report",
                 str(report)]) == 0
    data = json.loads(report.read_text())
    assert data["frames"] == 30 and data["frames_per_s"] > 0
    assert data["launch_to_first_frame_s"] > 0 and data["startup_s"] > 0
    assert {p["item"] for p in data["profile"]} >= {"image", "numerals", "classification"}
    (metric,) = data["metrics"]
    assert metric["path_length"] == 5 and len(metric["accuracy_per_delay"]) == 9


def test_demo_learns_the_numerals(tmp_path):
    """The demo reaches 95% accuracy at delays >= the path length within 6,000 frames
    (in practice within a few hundred)."""
    report = tmp_path / "r.json"
    assert main(["simulate", DEMO, "--frames", "400", "--threads", "2", "--report",
                 str(report)]) == 0
    (metric,) = json.loads(report.read_text())["metrics"]
    assert metric["path_length"] == 5
    assert metric["first_frame_at_95"] is not None and metric["first_frame_at_95"] <= 6000
    assert metric["accuracy_from_path_length"] >= 0.95
    assert max(metric["accuracy_per_delay"][:4]) < 0.3  # the answer cannot arrive earlier
