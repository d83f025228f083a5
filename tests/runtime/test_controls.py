"""Controls of a running session, used by an attached tool through the command channel."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from statestream.runtime import control as C
from statestream.runtime.commands import adapt_periods, send
from statestream.runtime.core import Core
from statestream.runtime.session import Session
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
    core = Core(parse_graph(GRAPH), backend="torch", seed=1, threads=1, memory=4)
    core.start()
    thread = threading.Thread(target=core.stream, daemon=True)
    core.session.ctl[C.STREAMING] = 0
    thread.start()
    tool = Session.attach(core.session.sid)
    yield core, tool
    send(tool, "exit")
    thread.join(5)
    tool.close()
    core.shutdown()


def _wait(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return False


def test_pause_step_stream(running):
    core, tool = running
    assert tool.frame == -1  # starts paused
    assert send(tool, "step 3") == "ok"
    assert _wait(lambda: tool.frame == 2)
    time.sleep(0.05)
    assert tool.frame == 2
    assert send(tool, "stream") == "ok"
    assert _wait(lambda: tool.frame > 20)
    assert send(tool, "pause") == "ok"
    frozen = tool.frame
    time.sleep(0.05)
    assert tool.frame == frozen
    assert "paused" in send(tool, "state")


def test_item_pause_off_and_period(running):
    core, tool = running
    send(tool, "off dst")
    send(tool, "period src 3")
    send(tool, "offset src 1")
    send(tool, "step 7")
    assert _wait(lambda: tool.frame == 6)
    assert np.all(tool.state("dst", 6) == 0)  # off: writes zeros
    # src computes only on frames with k % 3 == 1 (here 4) and keeps its state otherwise
    assert np.array_equal(tool.state("src", 6), tool.state("src", 4))
    assert np.array_equal(tool.state("src", 5), tool.state("src", 4))
    assert not np.array_equal(tool.state("src", 4), tool.state("src", 3))
    assert tool.proc("period")[tool.index["src"]] == 3


def test_memory_keeps_past_frames_readable(running):
    core, tool = running
    send(tool, "step 6")
    assert _wait(lambda: tool.frame == 5)
    sim = Simulator(core.graph, backend="torch", seed=1, threads=1)
    history = []
    sim.run(6, callback=lambda s: history.append(s.host_states()))
    for k in (3, 4, 5):  # memory 4: the last three frames stay readable
        assert np.array_equal(tool.state("src", k), history[k]["src"])


def test_set_parameters_and_interface_settings(running):
    core, tool = running
    assert send(tool, "set wave amplitude 3") == "ok"
    assert send(tool, "set out noise_std 0") == "ok"
    assert send(tool, "set out b 0.5") == "error: out.b is not a scalar"
    send(tool, "step 5")
    assert _wait(lambda: tool.frame == 4)
    osci = tool.if_var("wave", "osci", 4)
    assert 1.5 < np.abs(osci).max() <= 3.0
    assert send(tool, "set wave nothing 1").startswith("error: wave has no setting")
    assert send(tool, "split 99") == "ok" and tool.ctl[C.SPLIT] == 2


def test_bad_commands_answer_errors(running):
    core, tool = running
    assert send(tool, "flyaway").startswith("error: unknown command")
    assert send(tool, "period nowhere 2").startswith("error: no item 'nowhere'")
    assert send(tool, "period src zero").startswith("error: expected an integer")
    assert send(tool, "delay -5").startswith("error: expected a number >= 0")


def test_adapt_periods_can_rise_and_fall():
    period, offset = np.array([1, 1, 1]), np.array([0, 0, 0])
    factor = np.array([-1.0, 0.5, -1.0])
    busy = [0.002, 0.0, 0.001]  # the bottleneck takes 2 ms per frame
    assert adapt_periods(period, offset, factor, [0, 0.010, 0], busy) == [1]
    assert list(period) == [1, 10, 1]  # 10 ms / (0.5 * 2 ms)
    offset[1] = 7
    adapt_periods(period, offset, factor, [0, 0.003, 0], busy)
    assert period[1] == 3 and offset[1] == 7 % 3  # cheaper now: the period falls again
