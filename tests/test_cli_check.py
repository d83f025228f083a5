"""``statestream check``: exit codes, one-line errors, --json and --explicit."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from statestream.cli import main
from statestream.graph import load_graph, parse_graph

DEMO = os.path.join(os.path.dirname(os.path.dirname(__file__)), "examples", "demo.st_graph")


def test_check_demo_summary(capsys):
    assert main(["check", DEMO]) == 0
    out = capsys.readouterr().out
    assert "graph 'demo' is valid" in out
    assert "total parameters: 46,743" in out
    assert "prediction" in out and "shared memory estimate" in out


def test_check_json_keys(capsys):
    assert main(["check", DEMO, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["items"]["neuron_pools"] == 6
    assert info["neuron_pools"]["prediction"]["shape"] == [128, 10, 1, 1]
    assert info["neuron_pools"]["prediction"]["first_frame"] == 4
    assert info["neuron_pools"]["image"]["first_frame"] == 0
    assert info["neuron_pools"]["hidden1"]["parameters"] == 16 + 16 * 1 * 5 * 5
    assert info["total_parameters"] == sum(n["parameters"] for n in info["neuron_pools"].values())
    assert info["shm_bytes"] > 2 * 4 * 128 * (32 * 32 + 16 * 16 * 16)


def test_check_explicit_reparses(capsys):
    assert main(["check", DEMO, "--explicit"]) == 0
    text = capsys.readouterr().out
    assert parse_graph(text) == load_graph(DEMO)


def test_check_by_name_on_search_path(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "demo"]) == 0


def test_errors_are_one_line_each_with_exit_code_2(write_graph, capsys):
    path = write_graph("name: t\nagents: 2\nneuron_pools:\n    a: {shape: [0]}\n"
                       "    b: {shape: [1], act: '__import__(\"os\")'}\n")
    assert main(["check", path]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith(f"{path}:4: a: shape must be")
    assert err[1].startswith(f"{path}:5: b: act")
    assert len(err) == 2


def test_missing_file(capsys):
    assert main(["check", "no/such/file.st_graph"]) == 2
    assert capsys.readouterr().err.strip() == \
        "no/such/file.st_graph: graph: file not found: no/such/file.st_graph"


def test_warnings_go_to_stderr_and_exit_0(write_graph, capsys):
    path = write_graph("name: t\nagents: 2\nneuron_pools:\n    a: {shape: [1], tag: [x]}\n"
                       "    b: {shape: [1], device: 'gpu:7'}\n")
    assert main(["check", path]) == 0
    err = capsys.readouterr().err
    assert f"{path}:4: a: warning: unknown key 'tag'" in err
    assert f"{path}:5: b: warning: device gpu:7 is not available" in err


def test_module_entry_point_and_bad_usage():
    run = [sys.executable, "-m", "statestream"]
    done = subprocess.run(run + ["check", DEMO, "--json"], capture_output=True, text=True)
    assert done.returncode == 0 and json.loads(done.stdout)["name"] == "demo"
    bad = subprocess.run(run + ["chek", DEMO], capture_output=True, text=True)
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "invalid choice" in bad.stderr
    assert "Traceback" not in bad.stderr
