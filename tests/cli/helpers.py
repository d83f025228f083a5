"""Shared helpers of the command-line tests."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import EXAMPLES, ROOT

DEMO = os.path.join(EXAMPLES, "demo.st_graph")
SMALL = ["--agents", "8"]  # the demo with few agents: fast on a busy machine


def environment() -> dict:
    return dict(os.environ, PYTHONPATH=ROOT, PYTHONUNBUFFERED="1")


def statestream(*args, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m statestream ARGS`` with output captured (stderr is not a TTY)."""
    return subprocess.run([sys.executable, "-m", "statestream", *args], capture_output=True,
                          text=True, env=environment(), timeout=kwargs.pop("timeout", 180),
                          **kwargs)


def start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "statestream", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(), start_new_session=True)
