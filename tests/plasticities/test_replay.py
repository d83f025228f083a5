"""replay: the rollout recomputes the recorded stream exactly, reading only what it declares."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.errors import UserError
from tests.plasticities.helpers import Recorder, fresh, graph, plasticity

PARAMS = ("[[sp, inp_h, W_0_0], [sp, h_h, W_0_0], [sp, h_z, W_0_0], [sp, z_out, W_0_0], "
          "[sp, inp_out, W_0_0], [np, h, b], [np, out, b]]")
RICH = f"""
neuron_pools:
    inp: {{shape: [2, 6, 6], noise: normal, noise_std: 0.3}}
    h: {{shape: [4, 6, 6], act: tanh, noise: normal, noise_std: 0.1, dropout: 0.2}}
    z: {{shape: [3, 3, 3], act: relu, zoneout: 0.3, layernorm_mean: full}}
    out: {{shape: [5, 1, 1], act: softmax}}
    lab: {{shape: [5, 1, 1]}}
synapse_pools:
    inp_h: {{source: [[inp]], target: h, rf: 3}}
    h_h: {{source: [[h]], target: h, rf: 3, init W_0_0: id_0.5}}
    h_z: {{source: [[h]], target: z, rf: 3}}
    z_out: {{source: [[z]], target: out}}
    inp_out: {{source: [[inp]], target: out, noise: normal, noise_std: 0.05}}
plasticities:
    learn:
        type: loss
        loss_function: negloglikelihood
        source: out
        source_t: 3
        target: lab
        lr: 0.0
        parameter: {PARAMS}
    future:
        type: loss
        loss_function: MSE
        source: h
        source_t: 2
        target: h
        target_t: 1
        mask: inp
        optimizer: adam
        lr: 0.0
        parameter: [[sp, inp_h, W_0_0], [sp, h_h, W_0_0]]
interfaces:
    data: {{type: random, distribution: uniform, out: [random], remap: {{random: inp}}}}
    drive: {{type: random, distribution: normal, out: [random], remap: {{random: h}}}}
    labels: {{type: random, distribution: bernoulli, out: [random], remap: {{random: lab}}}}
"""
FRAMES = 12


@pytest.fixture(scope="module")
def rich():
    g = graph(RICH)
    return g, Recorder(g).run(FRAMES)


class Watch:
    """Wraps a recorder and notes every frame and NP the plasticity asks for."""

    def __init__(self, rec):
        self.rec, self.asked, self.if_asked = rec, set(), set()

    def recorded(self, frame, name):
        self.asked.add((frame, name))
        return self.rec.recorded(frame, name)

    def if_input(self, frame, name):
        self.if_asked.add((frame, name))
        return self.rec.if_input(frame, name)


def test_plan_of_a_recurrent_graph(rich):
    g, _ = rich
    p = plasticity(g, "learn")
    assert p.depth == 3 and p.rollout_depth == 3
    steps = [[c.name for c in step] for step in p.plan.steps]
    assert steps == [[], ["h", "z"], ["z"], ["out"]]
    assert p.reads == {"inp", "h", "z", "lab"}
    assert p.if_reads == {"h"}  # inp is fed too, but taken recorded
    assert p.trained[0] == ("inp_h", "W_0_0") and len(p.trained) == 7
    assert set(p.trained) <= set(p.param_keys)
    assert ("z", "zoneout") in p.param_keys and ("h", "dropout") in p.param_keys
    assert not p.active(2) and not p.active(3) and p.active(4)


def test_source_equals_the_recorded_state_exactly(rich):
    g, rec = rich
    p = plasticity(g, "learn")
    for n in range(4, FRAMES + 1):
        watch = Watch(rec)
        source, target, mask = p.rollout(n, watch.recorded, watch.if_input, rec.sim.params)
        b = n - 1 - p.depth
        real = rec.recorded(b + 3, "out")
        assert float(np.max(np.abs(p.B.to_numpy(source) - p.B.to_numpy(real)))) <= 1e-6
        assert target is not None and mask is None
        assert np.array_equal(p.B.to_numpy(target), p.B.to_numpy(rec.recorded(b, "lab")))
        assert {f for f, _ in watch.asked} <= set(range(b, n))
        assert {name for _, name in watch.asked} <= p.reads
        assert {name for _, name in watch.if_asked} <= p.if_reads
        assert watch.if_asked == {(b, "h")}  # h is computed at step 1 only


def test_target_later_than_zero_and_mask(rich):
    g, rec = rich
    p = plasticity(g, "future")
    assert p.depth == 2
    assert [[c.name for c in step] for step in p.plan.steps] == [[], ["h"], ["h"]]
    n = 9
    b = n - 1 - p.depth
    source, target, mask = p.rollout(n, rec.recorded, rec.if_input, rec.sim.params)
    host = p.B.to_numpy
    assert float(np.max(np.abs(host(source) - host(rec.recorded(b + 2, "h"))))) <= 1e-6
    assert float(np.max(np.abs(host(target) - host(rec.recorded(b + 1, "h"))))) <= 1e-6
    assert np.array_equal(host(mask), host(rec.recorded(b + 1, "inp")))


def test_step_runs_and_reports(rich):
    g, rec = rich
    p = plasticity(g, "learn")
    hyper, variables = fresh(p)
    hyper["lr"] = 0.1
    deltas = p.step(8, rec.recorded, rec.if_input, rec.sim.params, hyper, variables, 1)
    assert list(deltas) == list(p.trained)
    for key, delta in deltas.items():
        assert delta.dtype == np.float32
        assert delta.shape == tuple(p.B.shape(rec.sim.params[key]))
        grad = variables[f"grad.{key[0]}.{key[1]}"]
        assert np.array_equal(delta, (-np.float32(0.1) * grad).astype(np.float32))
        assert np.all(np.isfinite(delta)) and np.any(delta != 0)
    assert variables["loss0"] > 0 and variables["loss1"] > 0


def test_trained_bias_of_an_input_pool_is_computed():
    g = graph("""
    neuron_pools:
        x: {shape: [2, 1, 1], noise: normal}
        y: {shape: [2, 1, 1], act: tanh}
    synapse_pools:
        x_y: {source: [[x]], target: y}
    plasticities:
        p: {type: loss, loss_function: minimize, source: y, source_t: 2,
            parameter: [[np, x, b], [np, y, b]]}
    """)
    p = plasticity(g)
    assert [[c.name for c in step] for step in p.plan.steps] == [[], ["x"], ["y"]]
    assert p.reads == frozenset()  # x's noise is regenerated, nothing is read
    # without the bias listed, x is taken recorded
    g2 = graph("""
    neuron_pools:
        x: {shape: [2, 1, 1], noise: normal}
        y: {shape: [2, 1, 1], act: tanh}
    synapse_pools:
        x_y: {source: [[x]], target: y}
    plasticities:
        p: {type: loss, loss_function: minimize, source: y, source_t: 2,
            parameter: [[np, y, b]]}
    """)
    assert plasticity(g2).reads == {"x"}


def test_numpy_backend_is_refused_in_one_line():
    g = graph("""
    neuron_pools:
        x: {shape: [2, 1, 1]}
        y: {shape: [2, 1, 1]}
    synapse_pools:
        x_y: {source: [[x]], target: y}
    plasticities:
        p: {type: loss, loss_function: minimize, source: y, source_t: 1,
            parameter: [[sp, x_y, W_0_0]]}
    """)
    with pytest.raises(UserError) as info:
        plasticity(g, backend="numpy")
    message = str(info.value)
    assert "\n" not in message
    assert message.endswith(": p: loss plasticities need a backend with gradients: run with "
                            "--backend torch")
    assert message.startswith("<text>:")
