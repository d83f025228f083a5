"""Long runs: save on Ctrl-C/SIGTERM, checkpoints, --split, threads, the progress bar."""
from __future__ import annotations

import os
import signal
import sys
import time

import numpy as np
import pytest

from statestream.cli import main
from tests.cli.helpers import DEMO, SMALL, environment, start, statestream


def _wait_for_frames(proc, timeout=60.0) -> None:
    """Until ``proc`` printed its first metrics line (so it streams)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        assert line or proc.poll() is None, proc.stderr.read()
        if line.startswith("frame"):
            return
    raise AssertionError("no frame was computed")


@pytest.mark.parametrize("command, signum, code", [
    (["run", "--headless"], signal.SIGINT, 130),
    (["run", "--headless"], signal.SIGTERM, 143),
    (["simulate"], signal.SIGINT, 130),
    (["simulate"], signal.SIGTERM, 143),
], ids=["run-sigint", "run-sigterm", "simulate-sigint", "simulate-sigterm"])
def test_signal_saves_the_states(command, signum, code, tmp_path):
    out = tmp_path / "x.npz"
    proc = start(*command, DEMO, *SMALL, "--frames", "100000", "--print-every", "5",
                 "--save-states", str(out))
    try:
        _wait_for_frames(proc)
        os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err and "saved the states" in err
    with np.load(out) as data:
        assert int(data["meta/frame"]) >= 5
        assert np.isfinite(data["np/prediction"]).all()
    assert os.listdir(tmp_path) == ["x.npz"]


def test_checkpoint_every_writes_a_loadable_snapshot(tmp_path, capsys):
    path = tmp_path / "ckpt.npz"
    assert main(["simulate", DEMO, *SMALL, "--frames", "25",
                 "--checkpoint-every", "10", str(path)]) == 0
    with np.load(path) as data:
        assert int(data["meta/frame"]) == 20
    assert main(["simulate", DEMO, *SMALL, "--frames", "1", "--init-states", str(path)]) == 0


def test_split_in_run_and_simulate(tmp_path):
    """run and simulate hold the same agents out of training (bit for bit), and the
    split changes what is learned; run's checkpoint is written too."""
    common = [DEMO, *SMALL, "--frames", "15", "--threads", "1"]
    ran = statestream("run", "--headless", *common, "--split", "3",
                      "--checkpoint-every", "5", str(tmp_path / "ckpt.npz"),
                      "--save-states", str(tmp_path / "run.npz"))
    assert ran.returncode == 0, ran.stderr
    for split in ("3", "0"):
        assert main(["simulate", *common, "--split", split,
                     "--save-states", str(tmp_path / f"sim{split}.npz")]) == 0
    run, sim3, sim0 = (dict(np.load(tmp_path / f"{n}.npz")) for n in ("run", "sim3", "sim0"))
    for key in sim3:
        assert np.array_equal(run[key], sim3[key]), key
    learned = [k for k in sim3 if k.startswith("hidden3_prediction/")]
    assert learned and any(not np.array_equal(sim3[k], sim0[k]) for k in learned)
    with np.load(tmp_path / "ckpt.npz") as data:
        assert int(data["meta/frame"]) == 15


def test_simulate_uses_one_thread_by_default(monkeypatch, capsys):
    import statestream.runtime.simulator as simulator

    asked = []
    real = simulator.get_backend

    def spy(name, device="cpu", threads=None):
        asked.append(threads)
        return real(name, device=device, threads=threads)

    monkeypatch.setattr(simulator, "get_backend", spy)
    assert main(["simulate", DEMO, *SMALL, "--frames", "1"]) == 0
    assert asked == [1]


BAR = r"\d+/300 \[\d\d:\d\d<\d\d:\d\d, +\d+(\.\d+)? frames/s"


def test_progress_bar_on_a_terminal():
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "statestream", "simulate", DEMO, *SMALL,
                                           "--frames", "300"],
                          env=environment(), dimensions=(24, 160), encoding="utf-8",
                          timeout=120)
    try:
        child.expect(BAR)
        child.expect(r"numerals\.acc \d\.\d{3}")  # the last accuracy as postfix
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_no_progress_bar_without_a_terminal():
    import re

    done = statestream("simulate", DEMO, *SMALL, "--frames", "300")
    assert done.returncode == 0, done.stderr
    assert not re.search(BAR, done.stderr) and "\r" not in done.stderr
