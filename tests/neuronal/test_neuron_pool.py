"""Neuron-pool options: numpy/torch agreement and hand-computed values."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.backends import get_backend
from statestream.backends.random import draw_bernoulli, draw_normal
from statestream.neuronal import build_network, build_np, initial_params

from .helpers import FRAME, SEED, both, graph, np_step, random_states


def one_np(options: str, shape="[4, 5, 6]") -> str:
    """Source `s` -> NP `n` (with ``options``) through a 3x3 SP."""
    return f"""
    neuron_pools:
      s: {{shape: [3, 5, 6]}}
      n: {{shape: {shape}, {options}}}
    synapse_pools:
      sn: {{source: [[s]], target: n, rf: 3}}
    """


NP_OPTIONS = [
    "act: Id",
    "act: relu", "act: tanh", "act: sigmoid", "act: softmax", "act: 'B.exp($) * B.sigmoid($)'",
    "act: '$**2 + B.tanh($)'", "act: 'B.relu($, thresh=0.5)'", "act: elu", "act: softplus",
    "bias_shape: False",
]
for _mode in ("full", "feature", "spatial", "scalar"):
    NP_OPTIONS += [f"bias_shape: {_mode}, init b: normal",
                   f"bias_shape: {_mode}, init b: normal, unshare: [b]",
                   f"gain_shape: {_mode}, init g: normal_1_0.5",
                   f"gain_shape: {_mode}, init g: uniform_0.5_1.5, unshare: [g]",
                   f"batchnorm_mean: {_mode}", f"batchnorm_std: {_mode}",
                   f"batchnorm_mean: {_mode}, batchnorm_std: {_mode}"]
for _mode in ("full", "feature", "spatial"):
    NP_OPTIONS += [f"layernorm_mean: {_mode}", f"layernorm_std: {_mode}",
                   f"layernorm_mean: {_mode}, layernorm_std: {_mode}"]
NP_OPTIONS += [
    "batchnorm_mean: full, batchnorm_std: spatial, layernorm_mean: feature, layernorm_std: full, "
    "gain_shape: feature, init g: 2.0, act: tanh",
    "noise: normal, noise_mean: 0.5, noise_std: 0.1", "noise: uniform", "noise: Bernoulli",
    "noise: Bernoulli, noise_prob: 0.2",
    "dropout: 0.3", "zoneout: 0.4", "dropout: 0.5, zoneout: 0.5, noise: normal, act: relu",
]


@pytest.mark.parametrize("options", NP_OPTIONS)
def test_np_option_agrees(options):
    g = graph(one_np(options))
    out = both(np_step, g, "n", random_states(g))
    assert out.shape == (2, 4, 5, 6)


@pytest.mark.parametrize("options", ["", "binary: True"])
def test_several_sps_and_binary_agree(options):
    g = graph(f"""
    neuron_pools:
      s: {{shape: [3, 4, 4]}}
      t: {{shape: [2, 4, 4]}}
      n: {{shape: [4, 4, 4], act: sigmoid, {options}}}
    synapse_pools:
      a: {{source: [[s]], target: n, rf: 3, ACT: sigmoid}}
      b: {{source: [[t]], target: n, rf: 1, ACT: sigmoid}}
      c: {{source: [[n]], target: n, rf: 3, ACT: sigmoid}}
    """)
    both(np_step, g, "n", random_states(g))


TINY = """
neuron_pools:
  s: {shape: [2, 1, 1]}
  t: {shape: [2, 1, 1]}
  n: {shape: [2, 1, 1], OPTIONS}
synapse_pools:
  sn: {source: [[s]], target: n, rf: 0, init W_0_0: id}
"""


def tiny(options, states=None):
    g = graph(TINY.replace("OPTIONS", options), agents=2)
    states = states or {"s": np.array([[[[1.0]], [[-2.0]]], [[[0.5]], [[3.0]]]], np.float32),
                        "t": np.zeros((2, 2, 1, 1), np.float32),
                        "n": np.full((2, 2, 1, 1), 9.0, np.float32)}
    return g, states


def test_hand_identity_relu_bias():
    g, states = tiny("act: relu, init b: 0.5")
    out = both(np_step, g, "n", states)
    assert np.allclose(out[:, :, 0, 0], [[1.5, 0.0], [1.0, 3.5]])


@pytest.mark.parametrize("mode, unshare, g_value, expected", [
    ("scalar", False, [2.0], [[2, -4], [1, 6]]),
    ("feature", False, [2.0, -1.0], [[2, 2], [1, -3]]),
    ("feature", True, [[1.0, 1.0], [0.0, 2.0]], [[1, -2], [0, 6]]),
    ("scalar", True, [[3.0], [-1.0]], [[3, -6], [-0.5, -3]]),
])
def test_hand_gain(mode, unshare, g_value, expected):
    options = f"gain_shape: {mode}, bias_shape: False" + (", unshare: [g]" if unshare else "")
    g, states = tiny(options)
    params = initial_params(g, SEED)
    params[("n", "g")] = np.array(g_value, np.float32)
    out = both(np_step, g, "n", states, params)
    assert np.allclose(out[:, :, 0, 0], expected)


def test_hand_bias_shapes_spatial_and_full():
    g = graph("""
    neuron_pools:
      n: {shape: [2, 2, 3], bias_shape: spatial}
      m: {shape: [2, 2, 3], bias_shape: full, unshare: [b]}
    """)
    params = initial_params(g, SEED)
    params[("n", "b")] = np.arange(6, dtype=np.float32).reshape(2, 3)
    params[("m", "b")] = np.arange(24, dtype=np.float32).reshape(2, 2, 2, 3)
    states = random_states(g)
    out = both(np_step, g, "n", states, params)  # no incoming SP: zeros + bias
    assert np.array_equal(out, np.broadcast_to(params[("n", "b")], (2, 2, 2, 3)))
    assert np.array_equal(both(np_step, g, "m", states, params), params[("m", "b")])


def test_hand_batchnorm_and_layernorm():
    states = {"s": np.array([[[[1.0]], [[2.0]]], [[[3.0]], [[6.0]]]], np.float32)}
    g, _ = tiny("batchnorm_mean: scalar, batchnorm_std: scalar")
    out = both(np_step, g, "n", dict(tiny("")[1], **states))
    # per neuron over agents: feature 0 {1, 3} -> {-1, 1}/sqrt(1 + eps), feature 1 {2, 6}
    scale0, scale1 = 1 / np.sqrt(1 + 1e-6), 2 / np.sqrt(4 + 1e-6)
    assert np.allclose(out[:, :, 0, 0], [[-scale0, -scale1], [scale0, scale1]], atol=1e-6)
    g, _ = tiny("layernorm_mean: full")
    out = both(np_step, g, "n", dict(tiny("")[1], **states))
    assert np.allclose(out[:, :, 0, 0], [[-0.5, 0.5], [-1.5, 1.5]])


def test_hand_batchnorm_full_std_uses_centred_values():
    g = graph("neuron_pools:\n  s: {shape: [1, 2, 2]}\n  n: {shape: [1, 2, 2], "
              "batchnorm_mean: full, batchnorm_std: full}\nsynapse_pools:\n"
              "  sn: {source: [[s]], target: n, rf: 1, init W_0_0: id}", agents=1)
    x = np.array([1.0, 2.0, 3.0, 6.0], np.float32).reshape(1, 1, 2, 2)
    out = both(np_step, g, "n", {"s": x, "n": x})
    centred = x - 3.0
    assert np.allclose(out, centred / np.sqrt(np.mean(centred ** 2) + 1e-6))


def test_hand_binary_noisy_or():
    g = graph("""
    neuron_pools:
      s: {shape: [1, 1, 1]}
      n: {shape: [1, 1, 1], binary: True, bias_shape: False}
    synapse_pools:
      a: {source: [[s]], target: n, init W_0_0: id}
      b: {source: [[s]], target: n, init W_0_0: 0.5}
      c: {source: [[s]], target: n, init W_0_0: id}
    """, agents=1)
    out = both(np_step, g, "n", {"s": np.full((1, 1, 1, 1), 0.5, np.float32)})
    # 0.5, then 0.5 + 0.25 * 0.5 = 0.625, then 0.625 + 0.5 * 0.375 = 0.8125
    assert np.isclose(out.item(), 0.8125)


def test_hand_dropout_scales_kept_units():
    g, states = tiny("dropout: 0.25")
    states["s"] = np.full((2, 2, 1, 1), 3.0, np.float32)
    out = both(np_step, g, "n", states)
    keep_rate = np.float32(1) - np.float32(0.25)
    keep = draw_bernoulli(SEED, "n", "dropout", FRAME, (2, 2, 1, 1), keep_rate)
    assert np.allclose(out, keep * 3.0 / 0.75)
    assert set(np.unique(out)) <= {0.0, np.float32(4.0)}


def test_hand_zoneout_keeps_previous_state():
    g, states = tiny("zoneout: 0.5")
    out = both(np_step, g, "n", states)
    hold = draw_bernoulli(SEED, "n", "zoneout", FRAME, (2, 2, 1, 1), 0.5)
    assert np.array_equal(out, np.where(hold > 0, states["n"], states["s"]))
    assert build_np("n", g, get_backend("numpy")).reads == ("s", "n")


def test_zoneout_skipped_without_previous_state():
    g, states = tiny("zoneout: 1.0")
    del states["n"]
    assert np.array_equal(np_step(g, "n", states), states["s"])


def test_hand_noise_normal():
    g, states = tiny("noise: normal, noise_mean: 1.0, noise_std: 0.5")
    out = both(np_step, g, "n", states)
    eps = draw_normal(SEED, "n", "noise", FRAME, (2, 2, 1, 1))
    assert np.allclose(out, states["s"] + 1.0 + 0.5 * eps)


def test_scalar_parameters_are_read_every_call():
    g, states = tiny("noise: uniform, dropout: 0.5")
    params = initial_params(g, SEED)
    params[("n", "noise_min")] = np.float32(2.0)
    params[("n", "noise_max")] = np.float32(2.0)
    params[("n", "dropout")] = np.float32(0.0)
    assert np.allclose(np_step(g, "n", states, params), states["s"] + 2.0)


def test_no_incoming_and_exclude():
    g, states = tiny("init b: 0.25")
    assert np.allclose(np_step(g, "n", states, exclude=frozenset({"sn"})), 0.25)
    g2 = graph("neuron_pools:\n  n: {shape: [2, 3, 3], act: sigmoid}")
    assert np.allclose(both(np_step, g2, "n", random_states(g2)), 0.5)


def test_attributes_and_shared_params():
    g = graph("""
    neuron_pools:
      a: {shape: [2, 4, 4]}
      b: {shape: [2, 4, 4]}
      n: {shape: [2, 4, 4], gain_shape: feature, dropout: 0.1}
    synapse_pools:
      first: {source: [[a], [b]], target: n, rf: 3}
      second: {source: [[b]], target: n, rf: 3, share params: {W_0_0: [first, W_1_0]}}
    """)
    update = build_network(g, get_backend("numpy"))["n"]
    assert update.sps == ("first", "second")
    assert update.reads == ("a", "b")
    assert update.param_keys == (("n", "b"), ("n", "g"), ("n", "dropout"), ("first", "W_0_0"),
                                 ("first", "W_1_0"))
    params = initial_params(g, SEED)
    assert ("second", "W_0_0") not in params
    states = random_states(g)
    out = both(np_step, g, "n", states, exclude=frozenset({"first"}))
    params[("first", "W_1_0")] = params[("first", "W_1_0")] * 0
    assert not np.allclose(out, 0) and np.allclose(
        np_step(g, "n", states, params, exclude=frozenset({"first"})), 0)
