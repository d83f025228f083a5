"""The multi-process runtime computes exactly the reference simulator's frames."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from statestream.runtime.core import Core
from statestream.runtime.simulator import Simulator
from statestream.graph import load_graph, parse_graph
from tests.conftest import EXAMPLES

FRAMES = 200

PERIODS = """
name: periods
agents: 4
neuron_pools:
    image: {shape: [1, 8, 8]}
    fast: {shape: [4, 8, 8], act: tanh}
    slow: {shape: [4, 4, 4], act: relu, period: 3, period offset: 1}
    pred: {shape: [10, 1, 1], act: softmax, period: 2}
    label: {shape: [10, 1, 1]}
synapse_pools:
    image_fast: {source: [[image]], target: fast, rf: 3}
    fast_slow: {source: [[fast]], target: slow, rf: 3}
    slow_pred: {source: [[slow]], target: pred}
interfaces:
    numbers:
        type: roman_numerals
        in: [rn_pred]
        out: [rn_image, rn_label]
        remap: {rn_image: image, rn_label: label, rn_pred: pred}
        min_duration: 3
        max_duration: 5
        period: 2
        period offset: 1
"""

RECURRENT = """
name: recurrent
agents: 4
neuron_pools:
    image: {shape: [1, 8, 8], noise: normal, noise_std: 0.2}
    h1: {shape: [6, 4, 4], act: tanh, dropout: 0.2, zoneout: 0.3}
    h2: {shape: [8, 1, 1], act: relu, layernorm_mean: full}
    pred: {shape: [3, 1, 1], act: softmax}
synapse_pools:
    image_h1: {source: [[image]], target: h1, rf: 3}
    h1_h1: {source: [[h1]], target: h1, rf: 3, init W_0_0: id_0.5}
    h1_h2: {source: [[h1]], target: h2}
    h2_pred: {source: [[h2]], target: pred}
    image_pred: {source: [[image]], target: pred, noise: normal, noise_std: 0.05}
interfaces:
    data:
        type: random
        distribution: uniform
        out: [random]
        remap: {random: image}
"""

FUNC = """
name: func
agents: 4
neuron_pools:
    a: {shape: [3, 4, 4]}
    b: {shape: [3, 4, 4]}
    err: {shape: [1, 1, 1]}
synapse_pools:
    diff:
        source: [[a], [b]]
        target: err
        func: "B.mean(($00 - $10)**2, axis=(1, 2, 3), keepdims=True)"
    a_b: {source: [[a]], target: b, rf: 3, act: tanh}
interfaces:
    wave:
        type: oscillator
        out: [osci]
        remap: {osci: a}
        frequency: 0.05
"""

FACTORS = """
name: factors
agents: 4
neuron_pools:
    x: {shape: [2, 6, 6]}
    gate: {shape: [4, 1, 1]}
    y: {shape: [4, 6, 6], act: relu}
    z: {shape: [8, 3, 3]}
synapse_pools:
    gated:
        source: [[x, y], [gate]]
        target: y
        rf: [[3, 1], [0]]
        factor_shapes: [full, feature]
        bias_shapes: [full, feature]
        act: [tanh, sigmoid]
    down:
        source: [[y]]
        target: z
        rf: 3
        dilation: 2
        avgout: 2
    x_gate: {source: [[x]], target: gate, maxout: 2}
interfaces:
    noise:
        type: random
        distribution: normal
        out: [random]
        remap: {random: x}
"""


def _run_core(graph, frames, seed=4, backend="torch", learning=True):
    core = Core(graph, backend=backend, seed=seed, threads=1, learning=learning)
    try:
        core.start()
        for _ in range(frames):
            core.frame()
        return core.snapshot()
    finally:
        core.shutdown()


def _run_sim(graph, frames, seed=4):
    sim = Simulator(graph, backend="torch", seed=seed, threads=1)
    sim.run(frames)
    return sim.snapshot()


def _assert_identical(a: dict, b: dict):
    assert set(a) == set(b)
    for key in a:
        assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape, key
        assert np.array_equal(a[key], b[key]), f"{key} differs"


@pytest.mark.parametrize("text", [PERIODS, RECURRENT, FUNC, FACTORS],
                         ids=["period-offset", "recurrent-skip", "func-sp", "factors"])
def test_runtime_equals_simulator_bit_for_bit(text):
    graph = parse_graph(text)
    _assert_identical(_run_core(graph, FRAMES), _run_sim(graph, FRAMES))


def test_demo_run_and_simulate_save_identical_states(tmp_path):
    demo = os.path.join(EXAMPLES, "demo.st_graph")
    common = [demo, "--frames", str(FRAMES), "--seed", "7", "--threads", "1", "--agents", "16"]
    for command in ("run", "simulate"):
        extra = ["--headless"] if command == "run" else []
        done = subprocess.run([sys.executable, "-m", "statestream", command, *extra, *common,
                               "--save-states", str(tmp_path / f"{command}.npz"),
                               "--metrics-csv", str(tmp_path / f"{command}.csv"),
                               "--print-every", "20"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    a, b = dict(np.load(tmp_path / "run.npz")), dict(np.load(tmp_path / "simulate.npz"))
    _assert_identical(a, b)
    assert np.abs(a["np/prediction"]).sum() > 0
    # the same learning, so the same accuracy curve
    assert (tmp_path / "run.csv").read_text() == (tmp_path / "simulate.csv").read_text()
    assert int(a["classification/t"]) > FRAMES - 10


def _continue_in_core(graph, path: str, frames: int) -> dict:
    """Load a simulator's save into the runtime and compute ``frames`` more frames."""
    core = Core(graph, backend="torch", seed=4, threads=1)
    try:
        core.load_states(path)
        core.start()
        for _ in range(frames):
            core.frame()
        return core.snapshot()
    finally:
        core.shutdown()


def test_init_states_continue_in_the_runtime(tmp_path):
    graph = parse_graph(RECURRENT)
    sim = Simulator(graph, backend="torch", seed=4, threads=1)
    sim.run(30)
    sim.save_states(str(tmp_path / "mid.npz"))
    sim.run(20)
    _assert_identical(_continue_in_core(graph, str(tmp_path / "mid.npz"), 20), sim.snapshot())


def test_demo_graph_file_loads():
    assert load_graph(os.path.join(EXAMPLES, "demo.st_graph")).name == "demo"


LEARNING = """
name: learning
agents: 6
neuron_pools:
    image: {shape: [1, 8, 8], noise: normal, noise_std: 0.1}
    h1: {shape: [4, 4, 4], act: relu, dropout: 0.1}
    h2: {shape: [8, 1, 1], act: tanh}
    pred: {shape: [10, 1, 1], act: softmax}
    label: {shape: [10, 1, 1]}
    echo: {shape: [10, 1, 1]}
synapse_pools:
    image_h1: {source: [[image]], target: h1, rf: 3}
    h1_h1: {source: [[h1]], target: h1, rf: 3}
    h1_h2: {source: [[h1]], target: h2}
    h2_pred: {source: [[h2]], target: pred}
    image_pred: {source: [[image]], target: pred}
    h2_echo: {source: [[h2]], target: echo, share params: {W_0_0: [h2_pred, W_0_0]}}
plasticities:
    replay:
        type: loss
        loss_function: negloglikelihood
        source: pred
        source_t: 3
        target: label
        optimizer: adam
        lr: 0.01
        parameter: [[sp, image_h1, W_0_0], [sp, h1_h1, W_0_0], [sp, h1_h2, W_0_0],
                    [sp, h2_pred, W_0_0], [sp, image_pred, W_0_0], [np, h2, b]]
    forecast:
        type: loss
        rollout: forecast
        loss_function: MSE
        source: echo
        source_t: 1
        target: label
        optimizer: rmsprop
        lr: 0.001
        parameter: [[sp, h2_echo, W_0_0]]
    hebb:
        type: hebbian
        modus: dt anti_hebbian
        source: h2
        target: pred
        lr: 0.0001
        parameter: [[sp, h2_pred, W_0_0]]
    decay:
        type: L_regularizer
        L2: 0.01
        lr: 0.01
        period: 2
        parameter: [[sp, h1_h1, W_0_0]]
interfaces:
    numbers:
        type: roman_numerals
        in: [rn_pred]
        out: [rn_image, rn_label]
        remap: {rn_image: image, rn_label: label, rn_pred: pred}
        min_duration: 4
        max_duration: 6
"""


def test_learning_runtime_equals_simulator_bit_for_bit():
    graph = parse_graph(LEARNING)
    a, b = _run_core(graph, 120), _run_sim(graph, 120)
    _assert_identical(a, b)
    initial = _run_sim(graph, 0)
    for key in ("image_h1/W_0_0", "h1_h1/W_0_0", "h2_pred/W_0_0", "h2/b"):
        assert not np.array_equal(a[key], initial[key]), f"{key} did not learn"
    assert a["replay/t"] > 100 and a["forecast/loss1"] > 0


def test_learning_continues_exactly_from_saved_states(tmp_path):
    graph = parse_graph(LEARNING)
    straight = Simulator(graph, backend="torch", seed=4, threads=1)
    straight.run(60)
    first = Simulator(graph, backend="torch", seed=4, threads=1)
    first.run(35)
    first.save_states(str(tmp_path / "mid.npz"))
    _assert_identical(_continue_in_core(graph, str(tmp_path / "mid.npz"), 25),
                      straight.snapshot())


@pytest.mark.parametrize("text", [PERIODS, RECURRENT], ids=["period-offset", "recurrent-skip"])
def test_numpy_runtime_equals_numpy_simulator(text):
    graph = parse_graph(text)
    sim = Simulator(graph, backend="numpy", seed=4, learning=False)
    sim.run(60)
    _assert_identical(_run_core(graph, 60, backend="numpy", learning=False), sim.snapshot())


def test_the_copy_path_of_gpus_forced_on_the_cpu_equals_the_simulator(monkeypatch):
    """Workers that copy states to and from their device every frame (as on a GPU)."""
    monkeypatch.setenv("STATESTREAM_FORCE_COPY", "1")
    graph = parse_graph(LEARNING)
    sim = Simulator(graph, backend="torch", seed=4, threads=1)
    assert not sim.B.zero_copy
    sim.run(60)
    _assert_identical(_run_core(graph, 60), sim.snapshot())
