"""get_backend: names, caching, unavailable backends, lazy torch import."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from statestream.backends import (AVAILABLE_BACKENDS, KNOWN_BACKENDS, BackendUnavailable,
                                  get_backend)

ROOT = Path(__file__).resolve().parents[2]


def run_python(code):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize("name", ["tensorflow", "theano", "pytensor", "jax"])
def test_unavailable_backends_point_to_torch(name):
    with pytest.raises(BackendUnavailable) as info:
        get_backend(name)
    message = str(info.value)
    assert "--backend torch" in message and "\n" not in message
    if name in KNOWN_BACKENDS:
        assert "not available in this version" in message


def test_names_and_cache():
    assert set(AVAILABLE_BACKENDS) == {"numpy", "torch"} <= set(KNOWN_BACKENDS)
    assert get_backend("numpy") is get_backend("NumPy")
    assert get_backend() is get_backend("torch", "cpu")
    assert get_backend("torch").name == "torch" and get_backend("numpy").name == "numpy"
    assert get_backend("numpy").device == "cpu" and get_backend("torch").dtype == "float32"


def test_numpy_runs_on_cpu_only():
    with pytest.raises(BackendUnavailable):
        get_backend("numpy", device="cuda")


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_missing_cuda_is_reported():
    with pytest.raises(BackendUnavailable):
        get_backend("torch", device="cuda")


def test_threads_are_set():
    before = torch.get_num_threads()
    try:
        get_backend("torch", threads=1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_importing_backends_does_not_import_torch():
    result = run_python("import statestream.backends, sys; assert 'torch' not in sys.modules; "
                        "B = statestream.backends.get_backend('numpy'); B.relu(B.ones(3)); "
                        "B.conv2d(B.ones((1, 1, 4, 4)), B.ones((1, 1, 3, 3))); "
                        "assert 'torch' not in sys.modules")
    assert result.returncode == 0, result.stderr
