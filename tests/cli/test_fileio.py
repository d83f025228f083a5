"""The atomic writer: umask permissions, fsync, nothing left behind on failure."""
from __future__ import annotations

import csv
import os
import stat

import pytest

from statestream import fileio
from statestream.cli import main
from statestream.errors import UserError
from statestream.runtime.metrics import MetricsRecorder
from tests.cli.helpers import DEMO, SMALL


@pytest.fixture
def umask():
    """Set a umask for the test; returns the setter."""
    saved = os.umask(0o022)
    os.umask(saved)
    yield lambda mask: os.umask(mask)
    os.umask(saved)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_mode_follows_the_umask(tmp_path, umask):
    umask(0o002)
    with fileio.atomic_open(tmp_path / "a.txt", "w") as handle:
        handle.write("hello")
    assert (tmp_path / "a.txt").read_text() == "hello"
    assert _mode(tmp_path / "a.txt") == 0o664


def test_every_output_of_simulate_has_umask_permissions(tmp_path, umask):
    umask(0o027)
    outputs = {"--save-states": "s.npz", "--report": "r.json", "--metrics-csv": "m.csv",
               "--metrics-png": "m.png"}
    args = ["simulate", DEMO, *SMALL, "--frames", "20", "--print-every", "10",
            "--checkpoint-every", "10", str(tmp_path / "c.npz")]
    for option, name in outputs.items():
        args += [option, str(tmp_path / name)]
    assert main(args) == 0
    for name in [*outputs.values(), "c.npz"]:
        assert _mode(tmp_path / name) == 0o640, name
    assert sorted(os.listdir(tmp_path)) == sorted([*outputs.values(), "c.npz"])


def test_no_temporary_file_left_on_failure(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with fileio.atomic_open(target, "w") as handle:
            handle.write("half of the new")
            raise RuntimeError("disk on fire")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.json"]


def test_file_and_folder_are_fsynced(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    with fileio.atomic_open(tmp_path / "a.bin", "wb") as handle:
        handle.write(b"x")
    assert len(synced) == 2


def test_metrics_csv_is_written_atomically(tmp_path, monkeypatch):
    """A write that fails half way (disk full) keeps the previous CSV and leaves no file."""
    target = tmp_path / "m.csv"
    target.write_text("frame,metric,delay,accuracy\nold rows\n")

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def writerow(self, row):
            self.handle.write(",".join(map(str, row)) + "\n")
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(csv, "writer", FullDisk)
    recorder = MetricsRecorder.__new__(MetricsRecorder)
    recorder.metrics = []
    with pytest.raises(UserError, match="No space left"):
        recorder.write_csv(str(target))
    assert target.read_text() == "frame,metric,delay,accuracy\nold rows\n"
    assert os.listdir(tmp_path) == ["m.csv"]
