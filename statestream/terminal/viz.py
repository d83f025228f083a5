"""``viz on|off`` and ``rv on|off``: the GUI (``statestream viz ID``, for ``rv`` with
``--open rollout``) as a child process of the terminal."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

STARTUP_S = 1.0  # a GUI that ends within this time is reported as failed
MISSING = '{what} needs the viz extra: pip install "statestream[viz]"'
EXTRA_ARGS = {"viz": [], "rv": ["--open", "rollout"]}


def viz_switch(terminal, on: bool, what: str = "viz") -> str:
    """Start or stop the child ``what`` (viz: the GUI, rv: the GUI's rollout view)."""
    child = terminal.children.get(what)
    running = child is not None and child.poll() is None
    if not on:
        if not running:
            return f"{what} is not running"
        stop_viz(terminal, what)
        return f"{what} stopped"
    if running:
        return f"{what} is already running (pid {child.pid})"
    if importlib.util.find_spec("pygame") is None:
        return MISSING.format(what=what)
    child = terminal.children[what] = subprocess.Popen(
        [sys.executable, "-m", "statestream", "viz", terminal.session.id] + EXTRA_ARGS[what],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        code = child.wait(STARTUP_S)
    except subprocess.TimeoutExpired:
        return f"{what} started (pid {child.pid})"
    terminal.children[what] = None
    return (f"{what} ended at once (exit code {code}): try statestream viz "
            f"{' '.join([terminal.session.id] + EXTRA_ARGS[what])}")


def stop_viz(terminal, what: str | None = None) -> None:
    """Stop the child ``what`` (None: every child)."""
    for name in [what] if what else list(terminal.children):
        child = terminal.children.get(name)
        terminal.children[name] = None
        if child is None or child.poll() is not None:
            continue
        child.terminate()
        try:
            child.wait(2.0)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(2.0)
