"""forecast: the original's rollout from frame n-1, without its crashes."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from statestream.backends import get_backend
from statestream.backends.random import draw_normal
from statestream.errors import UserError
from tests.plasticities.helpers import SEED, Stream, fresh, graph, plasticity

CRASHED = """
neuron_pools:
    img: {shape: [2, 1, 1]}
    h: {shape: [3, 1, 1], act: tanh, noise: normal, noise_std: 0.1}
    out: {shape: [2, 1, 1]}
    label: {shape: [2, 1, 1]}
synapse_pools:
    img_h: {source: [[img]], target: h}
    h_h: {source: [[h]], target: h}
    h_out: {source: [[h]], target: out}
    img_out: {source: [[img]], target: out}
plasticities:
    p:
        type: loss
        loss_function: MSE
        source: out
        source_t: 3
        target: label
        rollout: forecast
        parameter: [[sp, img_h, W_0_0], [sp, h_h, W_0_0], [sp, h_out, W_0_0],
                    [sp, img_out, W_0_0], [np, h, b]]
"""
AGENTS = 3


def setup(seed=0):
    g = graph(CRASHED, agents=AGENTS)
    p = plasticity(g)
    rng = np.random.default_rng(seed)
    states = {n: rng.uniform(-1, 1, g.np_state_shape(n)).astype(np.float32)
              for n in ("img", "h", "label")}
    params = {k: rng.uniform(-0.9, 0.9, p.shapes[k]).astype(np.float32) for k in p.trained}
    params.update({("out", "b"): np.zeros(2, np.float32),
                   ("h", "noise_mean"): np.float32(0.0), ("h", "noise_std"): np.float32(0.1)})
    return g, p, states, params


def test_plan_prunes_input_pools_and_their_synapse_pools():
    _, p, _, _ = setup()
    steps = [[(c.name, sorted(c.exclude)) for c in step] for step in p.plan.steps]
    assert steps == [[], [("h", [])], [("h", ["img_h"])], [("out", ["img_out"])]]
    assert p.depth == 0 and p.rollout_depth == 3
    assert p.reads == {"img", "h", "label"} and p.if_reads == frozenset()
    assert not p.active(2) and p.active(3)


def reference(states, params, frame):
    t = {k: torch.tensor(v) for k, v in states.items()}
    w = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()
         if k[1] in ("W_0_0", "b") and k != ("out", "b")}

    def dense(key, x):
        return torch.einsum("ts,as->at", w[key][:, :, 0, 0], x[:, :, 0, 0])[:, :, None, None]

    def noise(f):
        return 0.1 * torch.tensor(draw_normal(SEED, "h", "noise", f, (AGENTS, 3, 1, 1)))

    bias = w[("h", "b")][None, :, None, None]
    h1 = torch.tanh(dense(("img_h", "W_0_0"), t["img"]) + dense(("h_h", "W_0_0"), t["h"])
                    + noise(frame) + bias)
    h2 = torch.tanh(dense(("h_h", "W_0_0"), h1) + noise(frame + 1) + bias)
    out = dense(("h_out", "W_0_0"), h2)  # the skip img -> out is absent
    loss = ((out - t["label"]) ** 2).sum(1).mean()
    grads = torch.autograd.grad(loss, list(w.values()), allow_unused=True)
    return float(loss.detach()), {k: (np.zeros(v.shape, np.float32) if g is None else g.numpy())
                                  for (k, v), g in zip(w.items(), grads)}


def test_gradients_are_finite_and_match_the_pruned_computation():
    _, p, states, params = setup()
    B = get_backend("torch")
    n = 7
    stream = Stream({n - 1: states}, B)
    hyper, variables = fresh(p)
    p.step(n, stream.recorded, stream.if_input, {k: B.asarray(v) for k, v in params.items()},
           hyper, variables, 0)
    assert {f for f, _ in stream.asked} == {n - 1}
    loss, grads = reference(states, params, n)
    assert float(variables["loss1"]) == pytest.approx(loss, rel=1e-5)
    for key in p.trained:
        mine = variables[f"grad.{key[0]}.{key[1]}"]
        assert np.all(np.isfinite(mine))
        assert np.allclose(mine, grads[key], atol=1e-6, rtol=1e-5), key
    assert not np.any(variables["grad.img_out.W_0_0"])  # pruned skip: no contribution
    assert np.any(variables["grad.img_h.W_0_0"])


def test_target_that_cannot_be_forecast_is_an_error():
    text = CRASHED.replace("target: label", "target: label\n        target_t: 1")
    g = graph(text, agents=AGENTS)
    with pytest.raises(UserError, match="forecast cannot compute label 1 frame"):
        plasticity(g)
