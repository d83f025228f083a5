"""Loss gradients equal direct torch autograd of the same unrolled computation, and
float64 finite differences of it."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from statestream.backends import get_backend
from statestream.graph.layout import param_map
from tests.plasticities.helpers import Stream, fresh, graph, plasticity

LOSSES = ("MSE", "MAE", "hinge", "negloglikelihood", "categorical_crossentropy", "minimize",
          "maximize")
VARIANTS = ("plain", "mask", "split", "ignore_split", "label_smoothing", "confidence_penalty")
FRAME = 5  # b = FRAME - 1 - 2
PARAMS = ("[[sp, image_hidden, W_0_0], [np, hidden, b], [sp, hidden_prediction, W_0_0], "
          "[np, prediction, b]]")


def make_graph(loss, variant="plain", spatial=True, agents=4):
    space = "3, 2" if spatial else "1, 1"
    rf = "rf: 1" if spatial else "rf: 0"
    extra = {"plain": "", "mask": "mask: m", "split": "", "ignore_split": "ignore_split: True",
             "label_smoothing": "label_smoothing: 0.1",
             "confidence_penalty": "confidence_penalty: 0.2"}[variant]
    target = "" if loss in ("minimize", "maximize") else "target: label"
    return graph(f"""
    neuron_pools:
        image: {{shape: [3, {"3, 2" if spatial else "2, 2"}]}}
        hidden: {{shape: [4, {space}], act: tanh}}
        prediction: {{shape: [5, {space}], act: softmax}}
        label: {{shape: [5, {space}]}}
        m: {{shape: [1, {space}]}}
    synapse_pools:
        image_hidden: {{source: [[image]], target: hidden, {rf}}}
        hidden_prediction: {{source: [[hidden]], target: prediction, {rf}}}
    plasticities:
        p:
            type: loss
            loss_function: {loss}
            source: prediction
            source_t: 2
            {target}
            {extra}
            lr: 1.0
            parameter: {PARAMS}
    """, agents=agents)


def inputs(g, seed=0):
    rng = np.random.default_rng(seed)
    states = {name: rng.uniform(-1, 1, g.np_state_shape(name)).astype(np.float32)
              for name in ("image", "label")}
    mask = rng.uniform(0, 1, g.np_state_shape("m")).astype(np.float32)
    mask[mask < 0.3] = 0.0
    states["m"] = mask
    params = {}
    for owner, pname in (("image_hidden", "W_0_0"), ("hidden", "b"),
                         ("hidden_prediction", "W_0_0"), ("prediction", "b")):
        shape = param_map(g, g.item(owner))[pname].shape
        params[(owner, pname)] = rng.uniform(-0.8, 0.8, shape).astype(np.float32)
    return states, params


# -- the same computation written directly in torch ------------------------------------------

def linear(w, x, spatial):
    if spatial:  # rf 1: a 1x1 convolution
        return torch.einsum("ts,asxy->atxy", w[:, :, 0, 0], x)
    return torch.einsum("tsxy,asxy->at", w, x)[:, :, None, None]  # dense


def reference_loss(params, states, loss, variant, spatial, split):
    w1, b1 = params[("image_hidden", "W_0_0")], params[("hidden", "b")]
    w2, b2 = params[("hidden_prediction", "W_0_0")], params[("prediction", "b")]
    h = torch.tanh(linear(w1, states["image"], spatial) + b1[None, :, None, None])
    x = torch.softmax(linear(w2, h, spatial) + b2[None, :, None, None], dim=1)
    y = states["label"]
    if variant == "label_smoothing":
        y = 0.9 * y + 0.1 / x.shape[1]
    tiny = 1e-6
    e = {"MSE": lambda: (x - y) ** 2, "MAE": lambda: (x - y).abs(),
         "hinge": lambda: torch.clamp(1 - x * y, min=0),
         "negloglikelihood": lambda: -y * torch.log(torch.clamp(x, min=tiny)),
         "categorical_crossentropy":
             lambda: -(y * torch.log(torch.clamp(x, tiny, 1 - tiny))).sum(1, keepdim=True),
         "minimize": lambda: x, "maximize": lambda: -x}[loss]()
    err = e.sum(1)
    if variant == "confidence_penalty":
        err = err + 0.2 * (x * torch.log(torch.clamp(x, min=tiny))).sum(1)
    if variant == "mask":
        w = states["m"][:, 0]
        per_agent = (err * w).sum((1, 2)) / torch.clamp(w.sum((1, 2)), min=1.0)
    else:
        per_agent = err.mean((1, 2))
    agents = per_agent.shape[0]
    cut = 0 if variant == "ignore_split" else min(split, agents)
    loss1 = per_agent[cut:].sum() / max(agents - cut, 1)
    loss0 = per_agent[:cut].sum() / max(cut, 1)
    return loss1, loss0


def reference(states, params, loss, variant, spatial, split, dtype):
    st = {k: torch.tensor(v, dtype=dtype) for k, v in states.items()}
    leaves = {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in params.items()}
    loss1, loss0 = reference_loss(leaves, st, loss, variant, spatial, split)
    grads = torch.autograd.grad(loss1, list(leaves.values()))
    grads = {k: g.numpy() for k, g in zip(leaves, grads)}
    return float(loss1.detach()), float(loss0.detach()), grads


def finite_differences(states, params, loss, variant, spatial, split, eps=1e-6):
    st = {k: torch.tensor(v, dtype=torch.float64) for k, v in states.items()}
    base = {k: torch.tensor(v, dtype=torch.float64) for k, v in params.items()}
    out = {}
    for key, value in base.items():
        grad = np.zeros(value.shape)
        for index in np.ndindex(*value.shape):
            values = []
            for sign in (1, -1):
                moved = dict(base)
                moved[key] = value.clone()
                moved[key][index] += sign * eps
                values.append(float(reference_loss(moved, st, loss, variant, spatial, split)[0]))
            grad[index] = (values[0] - values[1]) / (2 * eps)
        out[key] = grad
    return out


def plasticity_gradient(g, states, params, split):
    p = plasticity(g)
    B = get_backend("torch")
    # without a target the mask is read at source_t (frame b + 2)
    stream = Stream({FRAME - 3: states, FRAME - 1: {"m": states["m"]}}, B)
    hyper, variables = fresh(p)
    p.step(FRAME, stream.recorded, stream.if_input, {k: B.asarray(v) for k, v in params.items()},
           hyper, variables, split)
    grads = {key: variables[f"grad.{key[0]}.{key[1]}"] for key in p.trained}
    if "m" in p.reads:  # the mask is read at target_t, or at source_t without a target
        want = FRAME - 3 if p.plan.has_target else FRAME - 1
        assert {f for f, name in stream.asked if name == "m"} == {want}
    return float(variables["loss1"]), float(variables["loss0"]), grads


def close(a, b, tol):
    return float(np.max(np.abs(a - b))) <= tol * max(1.0, float(np.max(np.abs(b))))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("loss", LOSSES)
def test_gradient_matches_torch_and_finite_differences(loss, variant):
    if variant == "label_smoothing" and loss in ("minimize", "maximize"):
        pytest.skip("no target to smooth")
    g = make_graph(loss, variant)
    states, params = inputs(g, seed=LOSSES.index(loss))
    split = 0 if variant == "plain" else 2
    loss1, loss0, grads = plasticity_gradient(g, states, params, split)
    ref1, ref0, ref_grads = reference(states, params, loss, variant, True, split, torch.float32)
    assert loss1 == pytest.approx(ref1, rel=1e-5, abs=1e-6)
    assert loss0 == pytest.approx(ref0, rel=1e-5, abs=1e-6)
    if variant in ("split", "mask"):
        assert loss0 != 0.0  # agents 0, 1 are held out
    fd = finite_differences(states, params, loss, variant, True, split)
    for key in grads:
        assert close(grads[key], ref_grads[key], 1e-5), key
        assert close(grads[key], fd[key], 1e-3), key


@pytest.mark.parametrize("loss", LOSSES)
def test_dense_layers(loss):
    g = make_graph(loss, spatial=False)
    states, params = inputs(g, seed=10 + LOSSES.index(loss))
    loss1, _, grads = plasticity_gradient(g, states, params, 0)
    ref1, _, ref_grads = reference(states, params, loss, "plain", False, 0, torch.float32)
    assert loss1 == pytest.approx(ref1, rel=1e-5, abs=1e-6)
    for key in grads:
        assert close(grads[key], ref_grads[key], 1e-5), key


def test_all_agents_held_out_gives_no_gradient():
    g = make_graph("MSE", "split")
    states, params = inputs(g)
    loss1, loss0, grads = plasticity_gradient(g, states, params, 99)
    assert loss1 == 0.0 and loss0 > 0.0
    assert all(not np.any(v) for v in grads.values())


def test_unreachable_parameter_gets_zero_gradient():
    g = graph("""
    neuron_pools:
        a: {shape: [2, 1, 1]}
        b: {shape: [2, 1, 1], act: tanh}
        c: {shape: [2, 1, 1]}
    synapse_pools:
        a_b: {source: [[a]], target: b}
        a_c: {source: [[a]], target: c}
    plasticities:
        p: {type: loss, loss_function: minimize, source: b, source_t: 1,
            parameter: [[sp, a_b, W_0_0], [sp, a_c, W_0_0]]}
    """)
    p = plasticity(g)
    B = get_backend("torch")
    stream = Stream({1: {"a": np.ones((3, 2, 1, 1), np.float32)}}, B)
    params = {k: B.asarray(np.full((2, 2, 1, 1), 0.5, np.float32)) for k in p.trained}
    params[("b", "b")] = B.asarray(np.zeros(2, np.float32))
    hyper, variables = fresh(p)
    deltas = p.step(3, stream.recorded, stream.if_input, params, hyper, variables, 0)
    assert np.any(deltas[("a_b", "W_0_0")] != 0)
    assert not np.any(deltas[("a_c", "W_0_0")])
