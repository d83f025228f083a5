"""hebbian: sign and magnitude of the outer-product rule; L_regularizer with every optimizer."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.backends import get_backend
from tests.plasticities.helpers import Stream, fresh, graph, plasticity

MODES = ("hebbian", "anti_hebbian", "dt hebbian", "dt anti_hebbian")
AGENTS = 2


def hebbian_graph(modus: str, unshared: bool, optimizer="grad_desc"):
    unshare = ", unshare: [W_0_0]" if unshared else ""
    return graph(f"""
    neuron_pools:
        s: {{shape: [2, 2, 1]}}
        t: {{shape: [3, 1, 1]}}
    synapse_pools:
        s_t: {{source: [[s]], target: t{unshare}}}
    plasticities:
        heb:
            type: hebbian
            source: s
            target: t
            modus: {modus}
            optimizer: {optimizer}
            lr: 0.5
            startframe: 0
            parameter: [[sp, s_t, W_0_0]]
    """, agents=AGENTS)


def recorded_frames(seed=0):
    rng = np.random.default_rng(seed)
    return {f: {"s": rng.integers(-2, 3, (AGENTS, 2, 2, 1)).astype(np.float32),
                "t": rng.integers(-2, 3, (AGENTS, 3, 1, 1)).astype(np.float32)}
            for f in range(6)}


def hand_computed(frames, n, modus, unshared):
    post = frames[n - 1]["t"][:, :, 0, 0].astype(np.float64)
    if modus.startswith("dt"):
        post = post - frames[n - 2]["t"][:, :, 0, 0]
    pre = frames[n - 2]["s"]
    per_agent = np.zeros((AGENTS, 3, 2, 2, 1))
    for a in range(AGENTS):
        for t in range(3):
            for s in range(2):
                for x in range(2):
                    per_agent[a, t, s, x, 0] = post[a, t] * pre[a, s, x, 0]
    return per_agent if unshared else per_agent.sum(axis=0)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("unshared", [False, True])
@pytest.mark.parametrize("modus", MODES)
def test_hebbian_rule(modus, unshared, backend):
    p = plasticity(hebbian_graph(modus, unshared), backend=backend)
    assert p.depth == 1 and p.reads == {"s", "t"} and p.param_keys == ()
    assert not p.active(1) and p.active(2)
    frames = recorded_frames()
    stream = Stream(frames, get_backend(backend))
    hyper, variables = fresh(p)
    n = 4
    deltas = p.step(n, stream.recorded, stream.if_input, {}, hyper, variables, 0)
    assert stream.asked <= {(n - 1, "t"), (n - 2, "t"), (n - 2, "s")}
    big_g = hand_computed(frames, n, modus, unshared)
    sign = -1.0 if modus in ("hebbian", "dt hebbian") else 1.0
    assert np.array_equal(variables["grad.s_t.W_0_0"], (sign * big_g).astype(np.float32))
    delta = deltas[("s_t", "W_0_0")]
    assert delta.shape == ((AGENTS, 3, 2, 2, 1) if unshared else (3, 2, 2, 1))
    # grad_desc: +lr G for (dt) hebbian, -lr G for the anti modes
    assert np.allclose(delta, -sign * 0.5 * big_g)
    assert np.any(delta != 0)


def test_hebbian_trains_the_owner_of_a_shared_weight():
    g = graph("""
    neuron_pools:
        s: {shape: [2, 1, 1]}
        t: {shape: [2, 1, 1]}
    synapse_pools:
        owner: {source: [[s]], target: t}
        sharer: {source: [[s]], target: t, share params: {W_0_0: [owner, W_0_0]}}
    plasticities:
        heb: {type: hebbian, source: s, target: t, parameter: [[sp, sharer, W_0_0]]}
    """)
    assert plasticity(g).trained == (("owner", "W_0_0"),)


REG = """
neuron_pools:
    x: {shape: [3, 1, 1]}
    y: {shape: [2, 1, 1]}
synapse_pools:
    x_y: {source: [[x]], target: y}
plasticities:
    reg:
        type: L_regularizer
        optimizer: OPT
        lr: 0.1
        L1: 0.3
        L2: 0.2
        parameter: [[np, x, b], [sp, x_y, W_0_0]]
"""


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("optimizer", ["grad_desc", "adam", "rmsprop"])
def test_regularizer_with_every_optimizer(optimizer, backend):
    g = graph(REG.replace("OPT", optimizer))
    p = plasticity(g, backend=backend)
    B = get_backend(backend)
    assert p.depth == 0 and p.reads == frozenset() and p.active(3) and not p.active(2)
    assert p.hyper["L1"] == (0.3, 0.0, None) and p.hyper["L2"] == (0.2, 0.0, None)
    theta = {("x", "b"): np.array([0.5, 0.0, -2.0], np.float32),
             ("x_y", "W_0_0"): np.arange(-3, 3, dtype=np.float32).reshape(2, 3, 1, 1) / 4}
    hyper, variables = fresh(p)
    deltas = p.step(3, None, None, {k: B.asarray(v) for k, v in theta.items()}, hyper,
                    variables, 0)
    loss = 0.0
    for key, value in theta.items():
        g_want = 0.3 * np.sign(value) + 2 * 0.2 * value
        grad = variables[f"grad.{key[0]}.{key[1]}"]
        assert np.allclose(grad, g_want, rtol=1e-6)
        loss += float(np.sum(0.3 * np.abs(value) + 0.2 * value.astype(np.float64) ** 2))
        first_step = {"grad_desc": -0.1 * g_want,
                      "adam": -0.1 * g_want / (np.abs(g_want) + 1e-8),
                      "rmsprop": -0.1 * g_want / (np.sqrt(0.1 * g_want ** 2) + 1e-7)}[optimizer]
        assert np.allclose(deltas[key], first_step, rtol=1e-5, atol=1e-7)
    assert float(variables["loss"]) == pytest.approx(loss, rel=1e-6)
    assert deltas[("x", "b")][1] == 0.0  # sign(0) = 0
