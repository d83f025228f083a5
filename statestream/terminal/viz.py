"""``viz on|off``: the GUI (``statestream viz ID``) as a child process of the terminal."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

STARTUP_S = 1.0  # a GUI that ends within this time is reported as failed
MISSING = 'viz needs the viz extra: pip install "statestream[viz]"'


def viz_switch(terminal, on: bool) -> str:
    running = terminal.viz is not None and terminal.viz.poll() is None
    if not on:
        if not running:
            return "viz is not running"
        stop_viz(terminal)
        return "viz stopped"
    if running:
        return f"viz is already running (pid {terminal.viz.pid})"
    if importlib.util.find_spec("pygame") is None:
        return MISSING
    terminal.viz = subprocess.Popen(
        [sys.executable, "-m", "statestream", "viz", terminal.session.id],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        code = terminal.viz.wait(STARTUP_S)
    except subprocess.TimeoutExpired:
        return f"viz started (pid {terminal.viz.pid})"
    terminal.viz = None
    return f"viz ended at once (exit code {code}): try statestream viz {terminal.session.id}"


def stop_viz(terminal) -> None:
    child, terminal.viz = terminal.viz, None
    if child is None or child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(2.0)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(2.0)
