"""The single-process reference simulator: frame semantics, determinism, snapshots."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.backends.random import draw_normal
from statestream.cli import main
from statestream.runtime.simulator import Simulator
from statestream.graph import load_graph, parse_graph
from tests.conftest import EXAMPLES

DEMO = f"{EXAMPLES}/demo.st_graph"

CHAIN = """
name: chain
agents: 3
neuron_pools:
    src: {shape: [2, 4, 4], noise: normal, bias_shape: False}
    mid: {shape: [2, 4, 4], bias_shape: False}
    out: {shape: [2, 1, 1], bias_shape: False}
    slow: {shape: [2, 4, 4], bias_shape: False, period: 3, period offset: 1}
synapse_pools:
    src_mid: {source: [[src]], target: mid, rf: 1, init W_0_0: id}
    mid_out: {source: [[mid]], target: out}
    src_slow: {source: [[src]], target: slow, rf: 1, init W_0_0: id}
"""


def test_one_synapse_pool_per_frame():
    sim = Simulator(parse_graph(CHAIN), backend="numpy", seed=3)
    history = []
    sim.run(4, callback=lambda s: history.append(s.host_states()))
    # src is pure noise (bias off): frame k holds exactly the frame-k noise draw
    for k in range(4):
        assert np.array_equal(history[k]["src"], draw_normal(3, "src", "noise", k, (3, 2, 4, 4)))
    # mid copies src one frame later (identity weights, rf 1)
    assert np.allclose(history[2]["mid"], history[1]["src"], atol=1e-6)
    assert not np.allclose(history[2]["mid"], history[2]["src"])
    assert np.all(history[0]["mid"] == 0)  # nothing has reached it in frame 0


def test_period_and_offset():
    sim = Simulator(parse_graph(CHAIN), backend="numpy", seed=3)
    history = []
    sim.run(7, callback=lambda s: history.append(s.host_states()))
    for k in range(1, 7):
        due = k % 3 == 1
        if due:
            assert np.allclose(history[k]["slow"], history[k - 1]["src"], atol=1e-6)
        else:
            assert np.array_equal(history[k]["slow"], history[k - 1]["slow"])


def test_at_start_off_and_paused():
    graph = parse_graph(CHAIN.replace("mid: {shape: [2, 4, 4], bias_shape: False}",
                                      "mid: {shape: [2, 4, 4], bias_shape: False, at start: 2}")
                        .replace("out: {shape: [2, 1, 1], bias_shape: False}",
                                 "out: {shape: [2, 1, 1], bias_shape: False, at start: pause}"))
    sim = Simulator(graph, backend="numpy")
    sim.run(3)
    assert np.all(sim.host_states()["mid"] == 0) and np.all(sim.host_states()["out"] == 0)


def test_interface_output_enters_the_next_frame():
    sim = Simulator(load_graph(DEMO).with_agents(4), backend="numpy", seed=1, learning=False)
    history, labels = [], []
    sim.run(3, callback=lambda s: (history.append(s.host_states()),
                                   labels.append(s.if_vars["numerals"]["rn_label"].copy())))
    assert np.all(history[0]["label"] == 0)  # the interface writes frame 0's label in frame 0
    assert np.array_equal(history[1]["label"], labels[0])  # NP label holds it one frame later
    assert np.array_equal(history[2]["label"], labels[1])


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_same_seed_is_bit_identical_after_100_frames(backend):
    graph = load_graph(DEMO).with_agents(8)
    learn = backend == "torch"  # loss plasticities need gradients
    a = Simulator(graph, backend=backend, seed=5, threads=1, learning=learn)
    b = Simulator(graph, backend=backend, seed=5, threads=1, learning=learn)
    c = Simulator(graph, backend=backend, seed=6, threads=1, learning=learn)
    for sim in (a, b, c):
        sim.run(100)
    sa, sb, sc = a.host_states(), b.host_states(), c.host_states()
    assert all(np.array_equal(sa[n], sb[n]) for n in sa)
    assert not np.allclose(sa["prediction"], sc["prediction"])
    assert all(np.array_equal(v, b.host_params()[k]) for k, v in a.host_params().items())


def test_regenerated_noise_matches_the_simulator():
    graph = load_graph(DEMO).with_agents(4)
    sim = Simulator(graph, backend="torch", seed=11)
    frames = []
    sim.run(12, callback=lambda s: frames.append((s.host_states()["image"],
                                                   s.if_vars["numerals"]["rn_image"].copy())))
    f = 9
    image_f, stimulus_before = frames[f][0], frames[f - 1][1]
    noise = draw_normal(11, "image", "noise", f, (4, 1, 32, 32))
    expected = (np.float32(0.0) + np.float32(0.1) * noise) + stimulus_before
    assert np.allclose(image_f, expected, atol=1e-6)


def test_snapshot_continues_bit_identically(tmp_path):
    graph = load_graph(DEMO).with_agents(4)
    straight = Simulator(graph, backend="torch", seed=2, threads=1)
    straight.run(50)
    first = Simulator(graph, backend="torch", seed=2, threads=1)
    first.run(30)
    first.save_states(str(tmp_path / "s.npz"))
    second = Simulator(graph, backend="torch", seed=2, threads=1)
    second.load_states(str(tmp_path / "s.npz"))
    assert second.frame == 30
    second.run(20)
    a, b = straight.host_states(), second.host_states()
    assert all(np.array_equal(a[n], b[n]) for n in a)
    assert np.array_equal(straight.if_vars["numerals"]["conf_mat"],
                          second.if_vars["numerals"]["conf_mat"])


def test_cli_simulate_save_and_partial_init(tmp_path, capsys):
    out = tmp_path / "out.npz"
    assert main(["simulate", DEMO, "--frames", "5", "--agents", "2", "--save-states", str(out),
                 "--backend", "numpy", "--no-learning"]) == 0
    assert "simulated 5 frames of 'demo'" in capsys.readouterr().out
    data = dict(np.load(out))
    assert data["np/prediction"].shape == (2, 10, 1, 1)
    assert data["image_hidden1/W_0_0"].shape == (16, 1, 5, 5)
    assert data["hidden1/b"].shape == (16,)
    assert int(data["meta/frame"]) == 5
    partial = tmp_path / "partial.npz"
    np.savez(partial, **{"np/hidden3": np.full((2, 64, 1, 1), 0.5, np.float32)})
    sim = Simulator(load_graph(DEMO).with_agents(2), backend="numpy", learning=False)
    sim.load_states(str(partial))
    assert sim.frame == 0 and np.all(sim.host_states()["hidden3"] == 0.5)


def test_cli_simulate_bad_init_file(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    np.savez(bad, **{"np/nowhere": np.zeros(3, np.float32)})
    assert main(["simulate", DEMO, "--frames", "1", "--agents", "2", "--init-states",
                 str(bad)]) == 2
    assert "unknown key 'np/nowhere'" in capsys.readouterr().err


def test_cli_simulate_needs_an_available_backend(tmp_path, capsys, write_graph):
    path = write_graph("name: t\nagents: 2\nbackend: tensorflow\nneuron_pools:\n  a: {shape: [1]}\n")
    assert main(["simulate", path, "--frames", "1"]) == 2
    assert "--backend torch" in capsys.readouterr().err
    assert main(["simulate", path, "--frames", "1", "--backend", "torch"]) == 0
