"""Controls of a running session, used by an attached tool through the command channel."""
from __future__ import annotations

import time

import numpy as np
import pytest

import statestream
from statestream.errors import UserError
from statestream.runtime import control as C
from statestream.runtime.adapt import adapt_periods
from statestream.runtime.simulator import Simulator
from statestream.graph import parse_graph

GRAPH = """
name: controls
agents: 2
neuron_pools:
    src: {shape: [2, 4, 4], noise: normal, bias_shape: False}
    dst: {shape: [2, 4, 4], bias_shape: False}
    out: {shape: [3, 1, 1], noise: normal}
synapse_pools:
    src_dst: {source: [[src]], target: dst, rf: 1, init W_0_0: id}
interfaces:
    wave: {type: oscillator, out: [osci], remap: {osci: out}}
"""


@pytest.fixture
def running():
    """An owned session (paused) and a tool attached to it from the outside."""
    owner = statestream.open(parse_graph(GRAPH), backend="torch", seed=1, threads=1, memory=4)
    tool = statestream.attach(owner.id)
    yield owner, tool
    tool.close()
    owner.close()


def _wait(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def _ring(tool, name, frame):
    """A past frame kept readable by --memory (tests only: no consistency check)."""
    return np.array(tool.memory.state(name, frame))


def test_pause_step_stream(running):
    owner, tool = running
    assert tool.frame == -1  # starts paused
    assert tool.command("step 3") == "ok"
    assert _wait(lambda: tool.frame == 2)
    time.sleep(0.05)
    assert tool.frame == 2
    assert tool.command("stream") == "ok"
    assert _wait(lambda: tool.frame > 20)
    assert tool.command("pause") == "ok"
    frozen = tool.frame
    time.sleep(0.05)
    assert tool.frame == frozen
    assert "paused" in tool.command("status")
    assert tool.step(4) == frozen + 4


def test_item_pause_off_and_period(running):
    owner, tool = running
    tool.command("off dst")
    tool.command("period src 3")
    tool.command("offset src 1")
    tool.step(7)
    assert tool.frame == 6
    assert np.all(tool.state("dst") == 0)  # off: writes zeros
    # src computes only on frames with k % 3 == 1 (here 4) and keeps its state otherwise
    assert np.array_equal(_ring(tool, "src", 6), _ring(tool, "src", 4))
    assert np.array_equal(_ring(tool, "src", 5), _ring(tool, "src", 4))
    assert not np.array_equal(_ring(tool, "src", 4), _ring(tool, "src", 3))
    assert "src  np  period 3  offset 1  running" in tool.command("items")


def test_memory_keeps_past_frames_readable(running):
    owner, tool = running
    tool.step(6)
    sim = Simulator(owner.graph, backend="torch", seed=1, threads=1)
    history = []
    sim.run(6, callback=lambda s: history.append(s.host_states()))
    for k in (3, 4, 5):  # memory 4: the last three frames stay readable
        assert np.array_equal(_ring(tool, "src", k), history[k]["src"])


def test_set_parameters_and_interface_settings(running):
    owner, tool = running
    assert tool.command("set wave amplitude 3") == "ok"
    assert tool.command("set out noise_std 0") == "ok"
    assert tool.command("set out b 0.5").startswith("error: out.b is not a scalar")
    tool.step(5)
    osci = tool.read(["wave/osci"])[1]["wave/osci"]
    assert 1.5 < np.abs(osci).max() <= 3.0
    assert tool.command("set wave nothing 1").startswith("error: wave has no setting")
    assert tool.command("split 99").startswith("error: N must lie in [0, 2]")
    assert tool.command("split 2") == "ok" and tool.memory.ctl[C.SPLIT] == 2
    assert tool.command("get out noise_std") == "out.noise_std = 0"
    assert tool.param("wave", "amplitude") == 3.0


def test_bad_commands_answer_errors(running):
    owner, tool = running
    assert tool.command("flyaway").startswith("error: unknown command")
    assert tool.command("period nowhere 2").startswith("error: no item 'nowhere'")
    assert tool.command("period src zero").startswith("error: P must be a whole number")
    assert tool.command("delay -5").startswith("error: MS must lie in [0, 60000]")
    with pytest.raises(UserError, match="out.noise_std must lie in"):
        owner.set("out", "noise_std", -1)


def test_adapt_periods_can_rise_and_fall():
    period, offset = np.array([1, 1, 1]), np.array([0, 0, 0])
    factor = np.array([-1.0, 0.5, -1.0])
    busy = [0.002, 0.0, 0.001]  # the bottleneck takes 2 ms per frame
    assert adapt_periods(period, offset, factor, [0, 0.010, 0], busy) == [1]
    assert list(period) == [1, 10, 1]  # 10 ms / (0.5 * 2 ms)
    offset[1] = 7
    adapt_periods(period, offset, factor, [0, 0.003, 0], busy)
    assert period[1] == 3 and offset[1] == 7 % 3  # cheaper now: the period falls again


def test_every_set_is_logged(running):
    owner, tool = running
    assert tool.command("log") == "no changes yet"
    tool.step(2)
    owner.set("out", "noise_std", 0.25)
    tool.command("set wave amplitude 2")
    assert tool.command("log").splitlines() == ["frame 1: out.noise_std 1 -> 0.25",
                                                "frame 1: wave.amplitude 1 -> 2"]
