"""Commands from a pipe or a file: plain text, exit codes, and the same snapshot as simulate."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from tests.terminal.helpers import DEMO, SMALL, small_graph, user_env


def _run(tmp_path, *args, stdin=""):
    return subprocess.run([sys.executable, "-m", "statestream", *args], input=stdin,
                          capture_output=True, text=True, env=user_env(tmp_path),
                          cwd=str(tmp_path), timeout=180)


def _same_arrays(a_path, b_path):
    a, b = np.load(a_path), np.load(b_path)
    assert sorted(a.files) == sorted(b.files)
    different = [k for k in a.files if not np.array_equal(a[k], b[k])]
    assert different == []


def test_piped_steps_save_the_same_snapshot_as_simulate(tmp_path):
    common = ["--seed", "0", "--threads", "1", *SMALL]
    piped = _run(tmp_path, "run", DEMO, *common, stdin="step 20\nsave a.npz\nexit\n")
    assert piped.returncode == 0, piped.stderr
    assert "\x1b[" not in piped.stdout  # plain text when not a terminal
    reference = _run(tmp_path, "simulate", DEMO, "--frames", "20", *common,
                     "--save-states", "b.npz")
    assert reference.returncode == 0, reference.stderr
    _same_arrays(tmp_path / "a.npz", tmp_path / "b.npz")


def test_command_file_with_comments_wait_and_until(tmp_path):
    graph = small_graph(tmp_path)
    script = tmp_path / "cmds.txt"
    script.write_text("# a comment\n\nstream\nwait 5\nuntil frame 8\npause\nstatus\n")
    done = _run(tmp_path, "run", graph, "--commands", str(script), stdin="")
    assert done.returncode == 0, done.stderr
    frame = int(done.stdout.split("frame ")[-1].split(",")[0])
    assert frame >= 8 and "paused" in done.stdout


def test_failed_commands_give_file_line_errors_and_strict_exit_code(tmp_path):
    graph = small_graph(tmp_path)
    script = tmp_path / "cmds.txt"
    script.write_text("step 2\nperiod dst -1\nstep x\nstatus\n")
    loose = _run(tmp_path, "run", graph, "--commands", str(script))
    assert loose.returncode == 0
    assert f"{script}:2: period: error: P must lie in" in loose.stderr
    assert f"{script}:3: step: error: N must be a whole number" in loose.stderr
    assert "frame 1, paused" in loose.stdout  # the lines after a mistake still ran
    strict = _run(tmp_path, "run", graph, "--strict", stdin="nosuch\nstatus\n")
    assert strict.returncode == 2
    assert "<stdin>:1: nosuch: error: unknown command" in strict.stderr
    assert "Traceback" not in strict.stderr + loose.stderr


def test_missing_command_file_is_one_line(tmp_path):
    done = _run(tmp_path, "run", small_graph(tmp_path), "--commands", "nothere.txt")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == \
        "statestream: --commands nothere.txt: file not found"


def test_headless_still_streams_and_plain_file_form_opens_the_terminal(tmp_path):
    graph = small_graph(tmp_path)
    headless = _run(tmp_path, "run", graph, "--headless", "--frames", "5")
    assert headless.returncode == 0 and "streamed 5 frames" in headless.stdout
    short = _run(tmp_path, graph, stdin="step 2\nstatus\n")  # statestream FILE
    assert short.returncode == 0 and "frame 1, paused" in short.stdout


def test_savenet_keeps_the_schedule_and_resume_restores_it(tmp_path):
    graph = small_graph(tmp_path)
    first = _run(tmp_path, "run", graph, stdin="period dst 3\noffset dst 2\noff out\nsplit 1\n"
                 "step 4\nsavenet n\n")
    assert first.returncode == 0, first.stderr
    again = _run(tmp_path, "n.st_net", stdin="items\nstatus\n")
    assert again.returncode == 0, again.stderr
    assert "dst  np  period 3  offset 2  running" in again.stdout
    assert "out  np  period 1  offset 0  off" in again.stdout
    assert "frame 3, paused, split 1" in again.stdout
