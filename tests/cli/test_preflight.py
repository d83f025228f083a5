"""User mistakes found before the first frame: one line, exit code 2, never a traceback."""
from __future__ import annotations

import sys

import pytest

from statestream.cli import main
from tests.cli.helpers import DEMO, SMALL, statestream

OUTPUTS = ["--save-states", "--metrics-csv", "--metrics-png", "--report"]


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "internal error" not in err and "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("option", OUTPUTS + ["--checkpoint-every"])
def test_missing_output_folder_stops_before_the_first_frame(option, tmp_path, capsys):
    missing = tmp_path / "no" / "such"
    value = [str(missing / "out.file")]
    if option == "--checkpoint-every":
        value = ["10", *value]
    code = main(["simulate", DEMO, *SMALL, "--frames", "50", "--print-every", "10",
                 option, *value])
    out, err = capsys.readouterr()
    assert code == 2
    assert "frame" not in out  # nothing was computed
    line = _one_line(err)
    assert option in line and str(missing) in line and "does not exist" in line


def test_run_checks_output_folders_before_starting_workers(tmp_path, capsys):
    code = main(["run", DEMO, "--headless", *SMALL, "--frames", "50",
                 "--report", str(tmp_path / "no" / "r.json")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "does not exist" in _one_line(err)


def test_metrics_png_without_matplotlib_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    code = main(["simulate", DEMO, *SMALL, "--frames", "20", "--print-every", "10",
                 "--metrics-png", str(tmp_path / "m.png")])
    out, err = capsys.readouterr()
    assert code == 2 and "frame" not in out
    assert 'pip install "statestream[plot]"' in _one_line(err)


@pytest.fixture(scope="module")
def snapshot_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("snap") / "good.npz"
    assert main(["simulate", DEMO, *SMALL, "--frames", "2", "--save-states", str(path)]) == 0
    return path.read_bytes()


def _corrupt(data: bytes, how: str) -> bytes:
    if how == "truncated":
        return data[: len(data) // 2]
    if how == "empty":
        return b""
    flipped = bytearray(data)  # bytes inside the first stored array: its CRC fails
    for i in range(200, 400):
        flipped[i] ^= 0xFF
    return bytes(flipped)


@pytest.mark.parametrize("how", ["truncated", "empty", "flipped"])
def test_corrupted_snapshot_is_named(how, snapshot_bytes, tmp_path, capsys):
    path = tmp_path / f"{how}.npz"
    path.write_bytes(_corrupt(snapshot_bytes, how))
    code = main(["simulate", DEMO, *SMALL, "--frames", "2", "--init-states", str(path)])
    assert code == 2
    assert str(path) in _one_line(capsys.readouterr().err)


def test_corrupted_snapshot_is_named_by_run(snapshot_bytes, tmp_path, capsys):
    path = tmp_path / "truncated.npz"
    path.write_bytes(_corrupt(snapshot_bytes, "truncated"))
    code = main(["run", DEMO, "--headless", *SMALL, "--frames", "2",
                 "--init-states", str(path)])
    assert code == 2
    assert str(path) in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize("command", [["run", "--headless"], ["simulate"]])
def test_missing_gpu_is_one_line(command, capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code = main([*command, DEMO, *SMALL, "--frames", "2", "--device", "cuda:0"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    line = _one_line(err)
    assert "cuda:0" in line and "not available" in line


def test_run_prints_the_warnings_of_check(write_graph):
    path = write_graph("name: t\nagents: 2\nneuron_pools:\n    a: {shape: [1], tagz: [x]}\n"
                       "    b: {shape: [1]}\n")
    checked = statestream("check", path)
    warnings = [line for line in checked.stderr.splitlines() if "warning:" in line]
    assert checked.returncode == 0 and warnings and "tagz" in warnings[0]
    ran = statestream("run", path, "--headless", "--frames", "2")
    assert ran.returncode == 0, ran.stderr
    for warning in warnings:
        assert warning in ran.stderr
    assert "tagz" not in ran.stdout
