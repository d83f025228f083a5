"""One test per hole the session API closed (issue: sessions as a public API)."""
from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

import statestream
from statestream.cli import main
from statestream.errors import UserError
from statestream.graph import parse_graph
from statestream.runtime.channel import ChannelClient
from statestream.runtime.simulator import Simulator

GRAPH = """
name: defects
agents: 2
neuron_pools:
    src: {shape: [2, 4, 4]}
    dst: {shape: [2, 4, 4], act: tanh}
    pred: {shape: [3, 1, 1], act: softmax}
    target: {shape: [3, 1, 1]}
synapse_pools:
    src_dst: {source: [[src]], target: dst, rf: 3}
    dst_pred: {source: [[dst]], target: pred}
plasticities:
    learn:
        type: loss
        loss_function: MSE
        source: pred
        source_t: 2
        target: target
        target_t: 0
        optimizer: adam
        parameter: [[sp, dst_pred, W_0_0]]
interfaces:
    wave: {type: oscillator, out: [osci], remap: {osci: src}}
"""


@pytest.fixture
def session():
    with statestream.open(parse_graph(GRAPH), seed=2) as owned:
        yield owned


@pytest.mark.parametrize("line, reply", [
    ("delay 1e20", "error: MS must lie in [0, 60000], got '1e20'"),
    ("period src 99999999999999999999", "error: P must lie in [1, 1e+06], got "),
    ("step 99999999999999999999", "error: N must lie in [1, 1e+09], got "),
    ("set learn beta1 5", "error: learn.beta1 must lie in [0, 1], got 5"),
    ("set learn lr inf", "error: VALUE must be a finite number, got 'inf'"),
    ("set learn lr 1e39", "error: VALUE must be a finite number, got '1e39'"),
    ("set learn lr -1", "error: learn.lr must lie in [0, "),
])
def test_out_of_range_arguments_are_one_line_errors(session, line, reply):
    assert session.command(line).startswith(reply)
    assert session.step(2) == 1  # and the session goes on


def test_a_tool_that_times_out_leaves_nothing_pending(session):
    """Before: a timed-out request stayed pending and the next tool got its reply."""
    class SlowFrames:
        name = "slow"

        def before_frame(self, frame):
            time.sleep(0.3)

    session.core.add_hook(SlowFrames())
    session.stream()
    time.sleep(0.05)
    slow = ChannelClient(session.id)
    with pytest.raises(UserError, match="did not answer"):
        slow.request("period src 2", timeout=0.05)  # waits for the next frame boundary
    other = ChannelClient(session.id)
    assert other.request("status").startswith(f"session {session.id}")
    assert other.request("get learn lr").startswith("learn.lr = ")
    slow.close()
    other.close()
    session.pause()


def test_clients_at_once_each_get_their_own_replies(session):
    session.stream()
    errors = []

    def talk(name):
        client = ChannelClient(session.id)
        for i in range(30):
            reply = client.request(f"help {name}")
            if not reply.startswith(f"{name}"):
                errors.append(reply)
        client.close()

    threads = [threading.Thread(target=talk, args=(c,)) for c in ("step", "set", "period")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []


def test_an_interface_switched_off_writes_zeros(session):
    """Before: the runtime and the simulator kept the interface's last output."""
    session.step(3)
    assert session.command("off wave") == "ok"
    session.step(2)
    assert not np.any(session.read(["wave/osci"])[1]["wave/osci"])
    sim = Simulator(parse_graph(GRAPH), backend="torch", seed=2, threads=1)
    sim.run(3)
    sim.mode["wave"] = 2
    sim.run(2)
    assert not np.any(sim.if_vars["wave"]["osci"])


def test_check_reports_the_memory_a_session_allocates(session, tmp_path, capsys):
    path = tmp_path / "g.st_graph"
    path.write_text(GRAPH)
    assert main(["check", str(path), "--json"]) == 0
    reported = json.loads(capsys.readouterr().out)["shm_bytes"]
    assert reported == session.memory.layout["size"]  # ring depth included


def test_wait_frame_times_out_instead_of_hanging(session):
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        session.wait_frame(10**6, timeout=0.2)
    assert time.monotonic() - start < 5


def test_synapse_pool_parameters_are_reachable_by_get_and_set(session):
    assert session.command("get src_dst W_0_0").startswith("src_dst.W_0_0 at frame -1: shape")
    assert session.command("set src_dst W_0_0 1").startswith("error: src_dst.W_0_0 is not a scalar")
    assert session.command("period src_dst 2").startswith("error: no item 'src_dst'")
    assert session.alive
