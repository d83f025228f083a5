"""The user configuration: defaults file, FILE:LINE errors, environment overrides."""
from __future__ import annotations

import subprocess
import sys

from tests.terminal.helpers import small_graph, user_env


def _config(tmp_path, text=None, **env):
    folder = tmp_path / "config"
    if text is not None:
        folder.mkdir(exist_ok=True)
        (folder / "config.yml").write_text(text)
    return subprocess.run([sys.executable, "-m", "statestream", "config"], text=True,
                          capture_output=True, env=dict(user_env(tmp_path), **env), timeout=60)


def test_first_use_writes_commented_defaults(tmp_path):
    done = _config(tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "config" / "config.yml").read_text()
    for key in ("save_path", "visible_devices", "memory", "profiler_window", "history_size",
                "backend", "threads"):
        assert f"# {key}:" in text
        assert any(line.startswith(key) and line.endswith("(default)")
                   for line in done.stdout.splitlines())


def test_values_come_from_file_lines_and_environment(tmp_path):
    done = _config(tmp_path, "# mine\nthreads: 3\nbackend: numpy\n", STATESTREAM_THREADS="5")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[1:]}
    assert "'numpy'" in lines["backend"] and "config.yml:3)" in lines["backend"]
    assert "5" in lines["threads"] and "(env STATESTREAM_THREADS)" in lines["threads"]


def test_bad_key_or_value_is_file_line_error(tmp_path):
    path = tmp_path / "config" / "config.yml"
    done = _config(tmp_path, "threads: 2\nthreadz: 3\n")
    assert done.returncode == 2
    assert done.stderr.startswith(f"{path}:2: threadz: unknown key")
    done = _config(tmp_path, "memory: 2\nbackend: jax\n")
    assert done.returncode == 2 and f"{path}:2: backend: expected one of" in done.stderr
    done = _config(tmp_path, "profiler_window: -1\n")
    assert done.returncode == 2 and f"{path}:1: profiler_window: expected" in done.stderr
    done = _config(tmp_path, "threads: [\n")
    assert done.returncode == 2 and "invalid YAML" in done.stderr
    assert "Traceback" not in done.stderr


def test_save_path_places_relative_savenet_files(tmp_path):
    saves = tmp_path / "saves"
    saves.mkdir()
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yml").write_text(f"save_path: {saves}\n")
    done = subprocess.run([sys.executable, "-m", "statestream", small_graph(tmp_path)],
                          input="step 2\nsavenet n\nsavegraph g\n", text=True,
                          capture_output=True, env=user_env(tmp_path), timeout=120)
    assert done.returncode == 0, done.stderr
    assert (saves / "n.st_net").exists() and (saves / "g.st_graph").exists()
