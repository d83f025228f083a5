"""Same inputs, bit-identical deltas and variables (the runtime and the simulator agree)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.plasticities.helpers import Recorder, fresh, graph, plasticity

NOISY = """
neuron_pools:
    img: {shape: [2, 5, 5], noise: normal}
    h: {shape: [4, 5, 5], act: relu, dropout: 0.3, zoneout: 0.2}
    pred: {shape: [3, 1, 1], act: softmax}
    lab: {shape: [3, 1, 1]}
synapse_pools:
    img_h: {source: [[img]], target: h, rf: 3}
    h_h: {source: [[h]], target: h, rf: 3}
    h_pred: {source: [[h]], target: pred, noise: normal, noise_std: 0.1}
plasticities:
    learn:
        type: loss
        loss_function: categorical_crossentropy
        source: pred
        source_t: 2
        target: lab
        optimizer: OPT
        lr: 0.0
        label_smoothing: 0.1
        confidence_penalty: 0.05
        parameter: [[sp, img_h, W_0_0], [sp, h_h, W_0_0], [sp, h_pred, W_0_0], [np, h, b]]
interfaces:
    data: {type: random, distribution: uniform, out: [random], remap: {random: lab}}
"""


def run_steps(p, rec, frames):
    hyper, variables = fresh(p)
    hyper["lr"] = 0.01
    out = []
    for n in frames:
        deltas = p.step(n, rec.recorded, rec.if_input, rec.sim.params, hyper, variables, 1)
        out.append({k: v.copy() for k, v in deltas.items()})
    return out, variables


@pytest.mark.parametrize("optimizer", ["grad_desc", "adam", "rmsprop"])
def test_bit_identical_twice(optimizer):
    g = graph(NOISY.replace("OPT", optimizer), agents=4)
    rec = Recorder(g).run(8)
    first, vars1 = run_steps(plasticity(g), rec, range(4, 9))
    second, vars2 = run_steps(plasticity(g), rec, range(4, 9))
    for d1, d2 in zip(first, second):
        assert list(d1) == list(d2)
        for key in d1:
            assert d1[key].tobytes() == d2[key].tobytes()
    assert list(vars1) == list(vars2)
    for name in vars1:
        assert vars1[name].tobytes() == vars2[name].tobytes(), name
    assert float(vars1["loss1"]) > 0 and np.any(first[-1][("img_h", "W_0_0")] != 0)
