"""Synapse-pool options: numpy/torch agreement and hand-computed values."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.backends import get_backend
from statestream.backends.random import draw_normal, draw_uniform
from statestream.neuronal import build_sp, initial_params

from .helpers import FRAME, SEED, both, graph, np_step, random_states, sp_step

NPS = """
neuron_pools:
  a: {shape: [3, 6, 6]}
  b: {shape: [2, 6, 6]}
  c: {shape: [4, 1, 1]}
  big: {shape: [2, 12, 12]}
  odd: {shape: [2, 9, 9]}
  small: {shape: [2, 3, 3]}
  row: {shape: [3, 8, 1]}
  row4: {shape: [2, 4, 1]}
  row16: {shape: [2, 16, 1]}
  s1: {shape: [1, 1, 1]}
  p2: {shape: [2, 1, 1]}
  n: {shape: [4, 6, 6]}
  n3: {shape: [4, 3, 3]}
  nc: {shape: [4, 1, 1]}
  nrow: {shape: [4, 8, 1]}
"""

# (target, SP keys) -- every SP option of neuronal.md 2.4
SP_CASES = {
    "rf3": ("n", "source: [[a]], rf: 3"),
    "rf1": ("n", "source: [[a]], rf: 1"),
    "rf2_even": ("n", "source: [[a]], rf: 2"),
    "rf4_even": ("n", "source: [[a]], rf: 4"),
    "dense_to_spatial": ("n", "source: [[a]], rf: 0"),
    "dense_to_flat": ("nc", "source: [[a]]"),
    "flat_to_flat": ("nc", "source: [[c]]"),
    "flat_to_spatial_rf1": ("n", "source: [[c]], rf: 1"),
    "rf_equal_source": ("nc", "source: [[a]], rf: 6"),
    "rf1_to_flat": ("nc", "source: [[a]], rf: 1"),
    "dilation2": ("n", "source: [[a]], rf: 3, dilation: 2"),
    "stride2": ("n3", "source: [[a]], rf: 3"),
    "stride2_even": ("n3", "source: [[a]], rf: 4"),
    "stride3_odd": ("n3", "source: [[odd]], rf: 3"),
    "stride3_even_dil": ("n3", "source: [[odd]], rf: 2, dilation: 2"),
    "stride4_dil": ("n3", "source: [[big]], rf: 3, dilation: 2"),
    "up2": ("n", "source: [[small]], rf: 3"),
    "up2_dil": ("n", "source: [[small]], rf: 3, dilation: 2"),
    "up4_even": ("big", "source: [[small]], rf: 2"),
    "one_d_same": ("nrow", "source: [[row]], rf: 3, dilation: 2"),
    "one_d_down": ("nrow", "source: [[row16]], rf: 3"),
    "one_d_up": ("nrow", "source: [[row4]], rf: 4"),
    "one_d_dense": ("nc", "source: [[row]]"),
    "ppp": ("n", "source: [[a]], rf: 3, ppp: 2"),
    "ppp_unshared": ("n", "source: [[a]], rf: 3, ppp: 2, unshare: [P_0_0]"),
    "pact": ("n", "source: [[a]], rf: 3, pact: tanh"),
    "act_ACT": ("n", "source: [[a]], rf: 3, act: relu, ACT: 'B.sigmoid($) * 2'"),
    "ACT_softmax": ("n", "source: [[a]], rf: 3, ACT: softmax"),
    "weight_fnc": ("n", "source: [[a]], rf: 3, weight_fnc: exp"),
    "two_inputs": ("n", "source: [[a, b]], rf: [[3, 1]]"),
    "two_factors": ("n", "source: [[a], [b]], rf: [[3], [1]], act: [Id, sigmoid]"),
    "three_factors": ("n", "source: [[a], [b], [small]], rf: [[3], [1], [3]], "
                           "act: [tanh, sigmoid, relu]"),
    "factor_feature": ("n", "source: [[a], [b]], rf: [[3], [0]], "
                            "factor_shapes: [full, feature]"),
    "factor_spatial": ("n", "source: [[a], [b]], rf: [[3], [3]], "
                            "factor_shapes: [full, spatial]"),
    "factor_scalar": ("n", "source: [[a], [b]], rf: [[3], [0]], "
                           "factor_shapes: [full, scalar], act: [Id, sigmoid]"),
    "only_scalar": ("n", "source: [[a]], rf: 0, factor_shapes: [scalar]"),
    "only_spatial": ("n", "source: [[a]], rf: 3, factor_shapes: [spatial]"),
    "target_shapes_mixed": ("n", "source: [[a, b, c, small]], rf: [[3, 0, 0, 3]], "
                                 "target_shapes: [[full, feature, scalar, spatial]]"),
    "target_shapes_in_feature": ("n", "source: [[a, b]], rf: [[0, 0]], "
                                      "factor_shapes: [feature], "
                                      "target_shapes: [[feature, scalar]]"),
    "target_shapes_in_spatial": ("n", "source: [[a, b]], rf: [[3, 0]], "
                                      "factor_shapes: [spatial], "
                                      "target_shapes: [[spatial, scalar]]"),
    "bias_full": ("n", "source: [[a]], rf: 3, bias_shapes: [full], init b_0: 0.3"),
    "bias_feature": ("n", "source: [[a]], rf: 3, bias_shapes: [feature], init b_0: -0.2"),
    "bias_spatial": ("n", "source: [[a]], rf: 3, bias_shapes: [spatial], init b_0: 0.1"),
    "bias_scalar": ("n", "source: [[a]], rf: 3, bias_shapes: [scalar], init b_0: 0.1"),
    "bias_unshared": ("n", "source: [[a]], rf: 3, bias_shapes: [feature], unshare: [b_0], "
                           "init b_0: 0.2"),
    "bias_two_factors": ("n", "source: [[a], [b]], rf: [[3], [0]], "
                              "factor_shapes: [full, feature], bias_shapes: [spatial, null], "
                              "act: [relu, tanh]"),
    "avgout": ("n", "source: [[a]], rf: 3, avgout: 2"),
    "maxout": ("n", "source: [[a]], rf: 3, maxout: 3"),
    "avgout_maxout_M": ("n", "source: [[a]], rf: 3, avgout: 2, maxout: 2, M: [3, 3]"),
    "M": ("n", "source: [[a]], rf: 3, M: [5, 3]"),
    "M_unshared": ("n", "source: [[a]], rf: 3, M: [5, 1], unshare: [M]"),
    "M_dense": ("n", "source: [[a]], rf: 0, M: [2, 3]"),
    "noise_normal": ("n", "source: [[a]], rf: 3, noise: normal, noise_std: 0.2"),
    "noise_uniform": ("n", "source: [[a]], rf: 3, noise: uniform, noise_min: -0.5, "
                           "noise_max: 0.5"),
    "unshared_W": ("n", "source: [[a]], rf: 3, unshare: [W_0_0]"),
    "unshared_W_stride_dil": ("n3", "source: [[odd]], rf: 3, dilation: 2, unshare: [W_0_0]"),
    "unshared_W_up": ("n", "source: [[small]], rf: 2, unshare: [W_0_0]"),
    "unshared_W_dense": ("nc", "source: [[a]], unshare: [W_0_0]"),
    "unshared_W_weight_shape": ("n", "source: [[a]], rf: 3, unshare: [W_0_0], "
                                     "weight_shapes: src_spatial"),
    "unshared_W_1d": ("nrow", "source: [[row16]], rf: 3, unshare: [W_0_0]"),
    "minmax": ("n", "source: [[a]], rf: 3, min W_0_0: 0.0, max W_0_0: 0.05"),
    "init_bare": ("n", "source: [[a]], rf: 3, init: normal_0_0.1"),
}
for _mode in ("full", "feature", "spatial", "scalar", "src_feature", "tgt_feature",
              "src_spatial", "tgt_spatial"):
    SP_CASES[f"weight_shapes_{_mode}"] = ("n", f"source: [[a]], rf: 3, weight_shapes: {_mode}")
    SP_CASES[f"weight_shapes_{_mode}_dense"] = ("nc", f"source: [[a]], weight_shapes: {_mode}")
for _init in ("xavier", "xavier_2", "id", "Id", "id_0.5", "-id", "-Id", "loc_inh", "normal",
              "normal_0.1_0.2", "uniform", "uniform_-0.5_0.5", "bilin", "0.25"):
    SP_CASES[f"init_{_init}"] = ("b", f"source: [[b]], rf: 3, init W_0_0: '{_init}'")
SP_CASES["init_id_block"] = ("n", "source: [[b]], rf: 3, init W_0_0: id")
SP_CASES["init_Id_block_down"] = ("b", "source: [[n]], rf: 3, init W_0_0: Id_2")
SP_CASES["init_unshared_id"] = ("b", "source: [[b]], rf: 3, unshare: [W_0_0], init W_0_0: id")

SP_CASES["func"] = ("c", "source: [[a], [a]], func: 'B.mean(($00 - B.tanh($10)) ** 2, "
                         "axis=(1, 2, 3), keepdims=True)'")
SP_CASES["func_simple"] = ("n", "source: [[a], [b]], func: 'B.sum($00, axis=1, keepdims=True) "
                                "* B.mean($10, axis=1, keepdims=True)'")


def sp_graph(target: str, keys: str, extra: str = ""):
    return graph(NPS + f"synapse_pools:\n  sp: {{target: {target}, {keys}}}\n" + extra)


@pytest.mark.parametrize("case", sorted(SP_CASES))
def test_sp_option_agrees(case):
    target, keys = SP_CASES[case]
    g = sp_graph(target, keys)
    out = both(sp_step, g, "sp", random_states(g))
    assert out.shape == g.np_state_shape(target)
    both(np_step, g, target, random_states(g, seed=1))


MODES = ("full", "feature", "spatial", "scalar")


@pytest.mark.parametrize("factor_mode", MODES)
@pytest.mark.parametrize("target_mode", MODES)
def test_factor_shapes_by_target_shapes(factor_mode, target_mode):
    rf = 0 if target_mode in ("feature", "scalar") else 3
    rf_b = 0 if factor_mode in ("feature", "scalar") else 1
    g = sp_graph("n", f"source: [[a, b], [small]], rf: [[{rf}, {rf_b}], [3]], "
                      f"factor_shapes: [{factor_mode}, full], "
                      f"target_shapes: [[{target_mode}, {factor_mode}], [full]], "
                      f"bias_shapes: [scalar, full], act: [tanh, sigmoid]")
    out = both(sp_step, g, "sp", random_states(g))
    assert out.shape == (2, 4, 6, 6)


# -- hand-computed values ---------------------------------------------------------------

IMAGE = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)


def single(src_shape, tgt_shape, keys, agents=1):
    return graph(f"""
    neuron_pools:
      s: {{shape: {src_shape}}}
      t: {{shape: {tgt_shape}}}
    synapse_pools:
      sp: {{source: [[s]], target: t, {keys}}}
    """, agents=agents)


def run(g, states, **weights):
    params = {p: v for (item, p), v in initial_params(g, SEED).items() if item == "sp"}
    params.update({k: np.asarray(v, np.float32) for k, v in weights.items()})
    return both(sp_step, g, "sp", states, params)


def test_hand_3x3_conv_same_padding_and_no_flip():
    g = single("[1, 3, 3]", "[1, 3, 3]", "rf: 3")
    out = run(g, {"s": IMAGE}, W_0_0=np.ones((1, 1, 3, 3)))
    assert np.array_equal(out[0, 0], [[12, 21, 16], [27, 45, 33], [24, 39, 28]])
    corner = np.zeros((1, 1, 3, 3))
    corner[0, 0, 0, 0] = 1  # cross-correlation: out[i, j] = x[i - 1, j - 1]
    out = run(g, {"s": IMAGE}, W_0_0=corner)
    assert np.array_equal(out[0, 0], [[0, 0, 0], [0, 1, 2], [0, 4, 5]])


def test_hand_stride_and_upsampling():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    out = run(single("[1, 4, 4]", "[1, 2, 2]", "rf: 1, init W_0_0: id"), {"s": x})
    assert np.array_equal(out[0, 0], x[0, 0, ::2, ::2])
    out = run(single("[1, 2, 2]", "[1, 4, 4]", "rf: 1, init W_0_0: id"), {"s": x[:, :, :2, :2]})
    assert np.array_equal(out[0, 0], [[0, 0, 1, 1], [0, 0, 1, 1], [4, 4, 5, 5], [4, 4, 5, 5]])


def test_hand_dense_and_broadcast_over_space():
    x = np.array([1.0, 2.0, 3.0, 4.0], np.float32).reshape(1, 2, 2, 1)
    w = np.array([[[[1.0], [0.0]], [[2.0], [-1.0]]]], np.float32)  # [1, 2, 2, 1]
    out = run(single("[2, 2, 1]", "[1, 1, 1]", "rf: 0"), {"s": x}, W_0_0=w)
    assert out.item() == 1 + 6 - 4
    out = run(single("[2, 2, 1]", "[1, 3, 2]", "rf: 0"), {"s": x}, W_0_0=w)
    assert np.array_equal(out, np.full((1, 1, 3, 2), 3.0))


def flat_states():
    return {"s": np.array([1.0, 5.0, -2.0, 4.0], np.float32).reshape(1, 4, 1, 1)}


def test_hand_avgout_is_a_mean_and_maxout_a_max():
    out = run(single("[4, 1, 1]", "[2, 1, 1]", "avgout: 2, init W_0_0: id"), flat_states())
    assert np.array_equal(out[0, :, 0, 0], [3.0, 1.0])
    out = run(single("[4, 1, 1]", "[2, 1, 1]", "maxout: 2, init W_0_0: id"), flat_states())
    assert np.array_equal(out[0, :, 0, 0], [5.0, 4.0])
    out = run(single("[4, 1, 1]", "[1, 1, 1]", "avgout: 2, maxout: 2, init W_0_0: id"),
              flat_states())
    assert out.item() == 3.0  # max(mean(1, 5), mean(-2, 4))


def test_hand_M_maps_hidden_features():
    g = single("[4, 1, 1]", "[2, 1, 1]", "M: [4, 1], init W_0_0: id")
    m = np.array([[1, 1, 0, 0], [0, 0, 1, -1]], np.float32).reshape(2, 4, 1, 1)
    out = run(g, flat_states(), M=m)
    assert np.array_equal(out[0, :, 0, 0], [6.0, -6.0])
    g = single("[4, 1, 1]", "[1, 1, 1]", "avgout: 2, M: [2, 1], init W_0_0: id, init M: 1")
    assert run(g, flat_states()).item() == 4.0


def test_hand_factor_product_bias_and_act():
    g = graph("""
    neuron_pools:
      s: {shape: [2, 1, 1]}
      u: {shape: [2, 1, 1]}
      t: {shape: [2, 1, 1]}
    synapse_pools:
      sp: {source: [[s], [u]], target: t, init W_0_0: id, init W_1_0: id,
           bias_shapes: [feature, scalar], init b_1: 1.0, act: [relu, Id], ACT: '$ * 10'}
    """, agents=1)
    states = {"s": np.array([2.0, -3.0], np.float32).reshape(1, 2, 1, 1),
              "u": np.array([0.5, 0.5], np.float32).reshape(1, 2, 1, 1)}
    out = run(g, states, b_0=[1.0, 1.0])
    assert np.allclose(out[0, :, 0, 0], [3.0 * 1.5 * 10, 0.0])


def test_hand_weight_fnc_and_scalar_weight_shape():
    g = single("[2, 1, 1]", "[3, 1, 1]", "weight_fnc: exp, init W_0_0: 0.0")
    out = run(g, {"s": np.array([1.0, 2.0], np.float32).reshape(1, 2, 1, 1)})
    assert np.allclose(out, 3.0)
    g = single("[1, 3, 3]", "[2, 3, 3]", "rf: 3, weight_shapes: scalar, init W_0_0: 1.0")
    out = run(g, {"s": IMAGE})
    assert run(g, {"s": IMAGE}, W_0_0=np.ones((1, 1, 1, 1))).shape == (1, 2, 3, 3)
    assert np.array_equal(out[0, 1], [[12, 21, 16], [27, 45, 33], [24, 39, 28]])


def test_hand_target_shape_spatial_broadcasts_over_features():
    g = single("[2, 3, 3]", "[3, 3, 3]", "rf: 1, target_shapes: spatial, factor_shapes: [full], "
               "init W_0_0: 1.0")
    x = np.stack([IMAGE[0, 0], -2 * IMAGE[0, 0]])[None]
    out = run(g, {"s": x})
    assert np.array_equal(out, np.broadcast_to(-IMAGE, (1, 3, 3, 3)))


def test_hand_unshared_weights_and_unshared_owner():
    g = graph("""
    neuron_pools:
      s: {shape: [1, 1, 1]}
      t: {shape: [1, 1, 1]}
    synapse_pools:
      owner: {source: [[s]], target: t, unshare: [W_0_0]}
      sp: {source: [[s]], target: t, share params: {W_0_0: [owner, W_0_0]}}
    """, agents=2)
    w = np.array([1.0, -2.0], np.float32).reshape(2, 1, 1, 1, 1)
    states = {"s": np.full((2, 1, 1, 1), 3.0, np.float32)}
    out = both(sp_step, g, "sp", states, {"W_0_0": w})
    assert np.array_equal(out[:, 0, 0, 0], [3.0, -6.0])
    assert np.array_equal(both(sp_step, g, "owner", states, {"W_0_0": w}), out)
    params = initial_params(g, SEED)
    params[("owner", "W_0_0")] = w
    assert np.array_equal(both(np_step, g, "t", states, params)[:, 0, 0, 0], [6.0, -12.0])


def test_share_from_unshared_owner_in_a_convolution():
    g = graph(NPS + """
synapse_pools:
  owner: {source: [[a]], target: n, rf: 3, unshare: [W_0_0], weight_shapes: tgt_spatial}
  sp: {source: [[a]], target: n, rf: 3, weight_shapes: tgt_spatial,
       share params: {W_0_0: [owner, W_0_0]}}
""")
    params = initial_params(g, SEED)
    assert params[("owner", "W_0_0")].shape == (2, 4, 1, 3, 3)
    states = random_states(g)
    shared = both(sp_step, g, "sp", states, {"W_0_0": params[("owner", "W_0_0")]})
    assert np.allclose(shared, sp_step(g, "owner", states))


def test_hand_unshared_conv_per_agent():
    g = single("[1, 3, 3]", "[1, 3, 3]", "rf: 3, unshare: [W_0_0]", agents=2)
    w = np.stack([np.ones((1, 1, 3, 3)), 2 * np.ones((1, 1, 3, 3))]).astype(np.float32)
    out = run(g, {"s": np.concatenate([IMAGE, IMAGE])}, W_0_0=w)
    assert out[0, 0, 1, 1] == 45 and out[1, 0, 1, 1] == 90 and out[1, 0, 0, 0] == 24


def test_hand_ppp_projection():
    g = single("[2, 1, 1]", "[1, 1, 1]", "ppp: 1, init W_0_0: 1.0")
    p = np.array([2.0, -1.0], np.float32).reshape(1, 2, 1, 1)
    out = run(g, {"s": np.array([3.0, 4.0], np.float32).reshape(1, 2, 1, 1)}, P_0_0=p)
    assert out.item() == 2.0


def test_hand_sp_noise():
    g = single("[1, 2, 2]", "[1, 2, 2]", "rf: 1, init W_0_0: id, noise: uniform, "
               "noise_min: -1.0, noise_max: 3.0", agents=2)
    x = np.ones((2, 1, 2, 2), np.float32)
    u = draw_uniform(SEED, "sp", "noise", FRAME, (2, 1, 2, 2))
    assert np.allclose(run(g, {"s": x}), 1.0 + 4.0 * u - 1.0)
    g = single("[1, 2, 2]", "[1, 2, 2]", "rf: 1, init W_0_0: id, noise: normal, noise_mean: 1, "
               "noise_std: 0.5", agents=2)
    eps = draw_normal(SEED, "sp", "noise", FRAME, (2, 1, 2, 2))
    assert np.allclose(run(g, {"s": x}), 2.0 + 0.5 * eps)


def test_hand_func():
    g = graph("""
    neuron_pools:
      x: {shape: [2, 2, 2]}
      y: {shape: [2, 2, 2]}
      mse: {shape: [1, 1, 1]}
    synapse_pools:
      sp: {source: [[x], [y]], target: mse,
           func: 'B.mean(($00 - $10) ** 2, axis=(1, 2, 3), keepdims=True)'}
    """)
    states = random_states(g)
    out = both(sp_step, g, "sp", states, {})
    assert np.allclose(out[:, 0, 0, 0], ((states["x"] - states["y"]) ** 2).mean(axis=(1, 2, 3)))
    assert build_sp(g.synapse_pools["sp"], g, get_backend("numpy")).param_names == ()


def test_func_output_must_broadcast():
    from statestream.errors import SpecError

    with pytest.raises(SpecError, match="does not broadcast"):  # refused by check
        graph("""
        neuron_pools:
          x: {shape: [2, 3, 3]}
          y: {shape: [2, 2, 2]}
        synapse_pools:
          sp: {source: [[x]], target: y, func: 'B.tanh($00)'}
        """)


TRANSFORM = """
neuron_pools:
  image: {shape: [2, 4, 6]}
  where: {shape: [2, 4, 6]}
  scale: {shape: [1, 1, 1]}
  pos: {shape: [2, 1, 1]}
  out: {shape: [2, 4, 6]}
  glimpse: {shape: [2, 2, 3]}
synapse_pools:
  warp: {source: [[image], [where]], target: out, tags: [TRANSFORMER], pact: 'B.Id($) * 2'}
  look: {source: [[image], [scale], [pos]], target: glimpse, tags: [TRANSFORMER]}
"""


def linear_image(agents=2):
    rows, cols = np.meshgrid(np.arange(4), np.arange(6), indexing="ij")
    plane = (10 * rows + cols).astype(np.float32)
    return np.broadcast_to(np.stack([plane, -plane]), (agents, 2, 4, 6)).copy()


def test_hand_transformer_positions():
    g = graph(TRANSFORM)
    rows, cols = np.meshgrid(np.arange(4) / 4.0, np.arange(6) / 6.0, indexing="ij")
    where = np.broadcast_to(np.stack([cols, rows]), (2, 2, 4, 6)).astype(np.float32)
    image = linear_image()
    out = both(sp_step, g, "warp", {"image": image, "where": where}, {})
    assert np.allclose(out, 2 * image)  # identity grid, pact doubles
    shifted = where.copy()
    shifted[:, 0] += 0.5 / 6.0  # half a pixel to the right
    out = both(sp_step, g, "warp", {"image": image, "where": shifted}, {})
    assert np.allclose(out[0, 0, :, :5], 2 * (image[0, 0, :, :5] + 0.5))


def test_hand_transformer_glimpse():
    g = graph(TRANSFORM)
    states = {"image": linear_image(),
              "scale": np.array([1.0, 2.0], np.float32).reshape(2, 1, 1, 1),
              "pos": np.array([[0.0, 0.0], [-1.0, 0.5]], np.float32).reshape(2, 2, 1, 1)}
    out = both(sp_step, g, "look", states, {})
    # agent 0: centre row 2, col 3; rows 2 + (i - 0.5), cols 3 + (j - 1)
    rows0 = np.array([1.5, 2.5])[:, None]
    cols0 = np.array([2.0, 3.0, 4.0])[None, :]
    assert np.allclose(out[0, 0], 10 * rows0 + cols0)
    # agent 1: centre row 0.5 * 1 + 2 = 2.5, col -1.5 + 3 = 1.5, scale 2
    rows1 = np.clip(2.5 + 2 * np.array([-0.5, 0.5])[:, None], 0, 3)  # clamped to the image
    cols1 = np.clip(1.5 + 2 * np.array([-1.0, 0.0, 1.0])[None, :], 0, 5)
    assert np.allclose(out[1, 1], -(10 * rows1 + cols1))


def test_strides_and_upsampling_per_axis_for_non_square_edges():
    g = graph("""
    neuron_pools:
      a: {shape: [3, 4, 8]}
      r: {shape: [3, 1, 8]}
      p: {shape: [3, 1, 1]}
      t: {shape: [2, 1, 1]}
      w: {shape: [2, 4, 6]}
    synapse_pools:
      pick: {source: [[a]], target: t, rf: 1}
      pick_row: {source: [[r]], target: t, rf: 1}
      spread: {source: [[p]], target: w, rf: 1}
      whole: {source: [[a]], target: t, rf: 4}
    """)
    states = random_states(g)
    params = initial_params(g, SEED)
    out = both(sp_step, g, "pick", states)  # rf 1 into a 1x1 target samples pixel (0, 0)
    w = params[("pick", "W_0_0")][:, :, 0, 0]
    assert np.allclose(out[:, :, 0, 0], states["a"][:, :, 0, 0] @ w.T, atol=1e-6)
    out = both(sp_step, g, "pick_row", states)
    w = params[("pick_row", "W_0_0")][:, :, 0, 0]
    assert np.allclose(out[:, :, 0, 0], states["r"][:, :, 0, 0] @ w.T, atol=1e-6)
    out = both(sp_step, g, "spread", states)
    w = params[("spread", "W_0_0")][:, :, 0, 0]
    assert np.allclose(out, (states["p"][:, :, 0, 0] @ w.T)[:, :, None, None] + np.zeros((4, 6)),
                       atol=1e-6)
    assert both(sp_step, g, "whole", states).shape == (2, 2, 1, 1)
