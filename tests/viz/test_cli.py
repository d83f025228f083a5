"""``statestream viz`` as a separate process attached to a session of this process."""
from __future__ import annotations

import os
import signal
import time

import pytest

import statestream
from tests.cli.helpers import environment, start, statestream as run
from tests.viz.cases import GRAPH, load


@pytest.fixture(scope="module")
def session():
    with statestream.open(GRAPH, seed=0, learning=False) as session:
        yield session


def test_screenshot_renders_after_n_more_frames(session, tmp_path):
    out = tmp_path / "shot.png"
    frame = session.frame
    result = run("viz", session.id, "--screenshot", str(out), "--frames", "3",
                 "--open", "gray:histogram", "--open", "vector:scatter:single",
                 "--size", "640x480")
    assert result.returncode == 0, result.stderr
    assert session.frame >= frame + 3
    image = load(str(out))
    assert image.shape == (480, 640, 3) and image.std() > 20
    assert os.listdir(tmp_path) == ["shot.png"]  # no temporary file left


def test_killing_the_gui_never_disturbs_the_session(session, tmp_path):
    session.stream()
    try:
        gui = start("viz", session.id, "--open", "maps", "--fps", "10")
        time.sleep(4)
        assert gui.poll() is None, gui.stderr.read()
        os.killpg(gui.pid, signal.SIGKILL)
        gui.wait(10)
        frame = session.frame
        session.wait_frame(frame + 5, timeout=20)
        assert session.streaming
        assert session.command("status").startswith("session ")
    finally:
        session.pause()


@pytest.mark.parametrize("args,message", [
    (["--size", "10"], "--size must look like 1280x800"),
    (["--frames", "-2", "--screenshot", "x.png"], "--frames must be 0 or more"),
    (["--open", "nothing"], "nothing called 'nothing' to show"),
    (["--open", "maps:cubes"], "unknown mode 'cubes'"),
    (["--screenshot", "/no/such/folder/x.png"], "folder /no/such/folder does not exist"),
])
def test_mistakes_are_one_line_and_exit_2(session, args, message, tmp_path):
    result = run("viz", session.id, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_session_is_one_line():
    result = run("viz", "nosuchsession")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr


def test_without_pygame_viz_names_the_extra(tmp_path):
    shim = tmp_path / "pygame"
    shim.mkdir()
    (shim / "__init__.py").write_text("raise ImportError('no pygame here')\n")
    env = environment()
    env["PYTHONPATH"] = f"{tmp_path}{os.pathsep}{env['PYTHONPATH']}"
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "statestream", "viz"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr == ('statestream: viz needs the viz extra: pip install '
                             '"statestream[viz]"\n')
