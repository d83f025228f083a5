"""Gradients flow through the NP and SP steps (torch backend)."""
from __future__ import annotations

import numpy as np

from statestream.backends import get_backend
from statestream.neuronal import build_np, initial_params

from .helpers import graph, random_states

GRAPH = """
neuron_pools:
  a: {shape: [3, 6, 6]}
  b: {shape: [2, 3, 3]}
  c: {shape: [4, 1, 1]}
  d: {shape: [4, 6, 6]}
  n: {shape: [4, 6, 6], gain_shape: feature, init g: 1.5, noise: normal, dropout: 0.2,
      layernorm_std: full, act: tanh}
synapse_pools:
  conv: {source: [[a, b], [c]], target: n, rf: [[3, 2], [0]], ppp: [[2, 0], [0]],
         factor_shapes: [full, feature], bias_shapes: [spatial, feature], act: [Id, sigmoid],
         weight_fnc: [[Id, exp], [Id]], weight_shapes: [[full, tgt_spatial], [full]],
         avgout: 2, M: [2, 3], noise: uniform, noise_min: -0.1, noise_max: 0.1,
         unshare: [W_0_0], ACT: softplus, init b_0: 0.1, init b_1: 0.1}
  strided: {source: [[b]], target: n, rf: 3, dilation: 2, unshare: [b_0], bias_shapes: [scalar],
            maxout: 2, noise: normal, init b_0: 0.1}
  shared: {source: [[a]], target: n, rf: 3, share params: {W_0_0: [other, W_0_0]}}
  other: {source: [[a]], target: d, rf: 3}
"""


def test_every_incoming_parameter_gets_a_gradient():
    g = graph(GRAPH)
    B = get_backend("torch")
    update = build_np("n", g, B)
    params = initial_params(g, seed=0)
    states = {k: B.asarray(v) for k, v in random_states(g).items()}
    keys = list(update.param_keys)
    assert ("other", "W_0_0") in keys and ("shared", "W_0_0") not in keys

    def loss(leaves):
        out = update(states, dict(zip(keys, (leaves[str(i)] for i in range(len(keys))))), 2, 0)
        return B.sum(out)

    value, grads = B.value_and_grad(loss)({str(i): params[k] for i, k in enumerate(keys)})
    assert np.isfinite(float(value))
    for i, key in enumerate(keys):
        if key == ("n", "dropout"):
            continue  # the mask is a step function of the rate; only the 1/(1-p) scale is smooth
        grad = B.to_numpy(grads[str(i)])
        assert np.all(np.isfinite(grad)) and np.abs(grad).max() > 1e-4, key
