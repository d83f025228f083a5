"""Weight initialisation strings, bounds, seeding, sharing and shape problems."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.neuronal import initial_params, initial_value, resolve_param
from statestream.graph.inits import init_shape_problem, parse_init
from statestream.graph.layout import ParamSpec

from .helpers import graph


def value(init, shape, seed=1, item="sp", name="W_0_0", lo=None, hi=None):
    return initial_value(ParamSpec(name, tuple(shape), init, lo, hi), seed, item)


def test_constant_and_scalar():
    assert np.array_equal(value(0.25, (2, 3)), np.full((2, 3), 0.25, np.float32))
    scalar = value(1.5, ())
    assert scalar.shape == () and scalar.dtype == np.float32 and scalar == 1.5
    assert np.all(value("-2", (3,)) == -2)


def test_xavier_bound_fans_and_seeding():
    shape = (4, 3, 5, 5)
    w = value("xavier", shape)
    bound = np.sqrt(6.0 / (3 * 25 + 4 * 25))
    assert w.dtype == np.float32 and w.shape == shape
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(value("xavier_4.0", shape)).max() > 3.2 * bound
    assert np.array_equal(w, value("xavier", shape))  # same seed, item, name
    assert not np.array_equal(w, value("xavier", shape, seed=2))
    assert not np.array_equal(w, value("xavier", shape, item="other"))
    assert not np.array_equal(w, value("xavier", shape, name="W_0_1"))


def test_xavier_unshared_uses_trailing_fans_and_differs_per_agent():
    w = value("xavier", (3, 4, 2, 1, 1))
    bound = np.sqrt(6.0 / (2 + 4))
    assert np.abs(w).max() <= bound
    assert not np.array_equal(w[0], w[1])


def test_identity_square_and_scaled():
    w = value("id", (3, 3, 3, 3))
    expected = np.zeros((3, 3, 3, 3), np.float32)
    for k in range(3):
        expected[k, k, 1, 1] = 1
    assert np.array_equal(w, expected)
    assert np.array_equal(value("Id", (3, 3, 3, 3)), expected)
    assert np.array_equal(value("-id", (3, 3, 3, 3)), -expected)
    assert np.array_equal(value("id_0.5", (3, 3, 3, 3)), 0.5 * expected)
    # even kernel: centre at d // 2
    assert value("id", (1, 1, 4, 2))[0, 0, 2, 1] == 1 and value("id", (1, 1, 4, 2)).sum() == 1


def test_identity_blocks():
    # d0 = 2 * d1: id -> target t copies source t // 2, Id -> source t % d1
    centre = lambda w: w[:, :, 0, 0]  # noqa: E731
    assert np.array_equal(centre(value("id", (4, 2, 1, 1))),
                          [[1, 0], [1, 0], [0, 1], [0, 1]])
    assert np.array_equal(centre(value("Id", (4, 2, 1, 1))),
                          [[1, 0], [0, 1], [1, 0], [0, 1]])
    # d1 = 2 * d0: id -> target t sums sources 2t, 2t+1; Id -> t, t + d0
    assert np.array_equal(centre(value("id", (2, 4, 1, 1))), [[1, 1, 0, 0], [0, 0, 1, 1]])
    assert np.array_equal(centre(value("Id", (2, 4, 1, 1))), [[1, 0, 1, 0], [0, 1, 0, 1]])
    assert np.array_equal(centre(value("-Id", (2, 4, 1, 1))), [[-1, 0, -1, 0], [0, -1, 0, -1]])
    assert np.array_equal(centre(value("id_3", (4, 2, 1, 1))),
                          [[3, 0], [3, 0], [0, 3], [0, 3]])


def test_identity_unshared_same_for_every_agent():
    w = value("id", (3, 2, 2, 3, 3))
    assert np.array_equal(w[0], w[2]) and np.array_equal(w[0], value("id", (2, 2, 3, 3)))


def test_loc_inh():
    w = value("loc_inh", (2, 2, 3, 3))
    assert w[0, 0, 1, 1] == 0.5 and w[1, 1, 1, 1] == 0.5
    assert np.isclose(w[0, 1, 1, 1], -1 / 18) and np.isclose(w[0, 0, 0, 0], -1 / 18)


def test_bilin_is_a_separable_tent():
    w = value("bilin", (2, 2, 3, 3))
    tent3 = np.array([0.5, 1, 0.5])
    assert np.allclose(w[0, 0], np.outer(tent3, tent3)) and np.allclose(w[1, 1], w[0, 0])
    assert np.all(w[0, 1] == 0)
    w5 = value("bilin", (1, 1, 5, 5))[0, 0]
    tent5 = np.array([1 / 3, 2 / 3, 1, 2 / 3, 1 / 3])
    assert np.allclose(w5, np.outer(tent5, tent5))
    assert np.allclose(value("bilin", (1, 1, 3, 1))[0, 0, :, 0], tent3)


def test_normal_and_uniform_are_seeded():
    n = value("normal_-0.5_2.0", (64, 64))
    assert abs(n.mean() + 0.5) < 0.1 and abs(n.std() - 2.0) < 0.1
    assert np.array_equal(n, value("normal_-0.5_2.0", (64, 64)))
    u = value("uniform_-2.0_4.0", (64, 64))
    assert u.min() >= -2 and u.max() < 4 and u.min() < -1.9 and u.max() > 3.9
    assert 0 <= value("uniform", (100,)).min() and value("uniform", (100,)).max() < 1
    assert abs(value("normal", (10000,)).std() - 1) < 0.05


def test_min_max_clip():
    u = value("uniform_-2.0_4.0", (32, 32), lo=-1.0, hi=2.0)
    assert u.min() == -1.0 and u.max() == 2.0
    assert value(5.0, (2,), hi=1.0).max() == 1.0


@pytest.mark.parametrize("init, shape, fragment", [
    ("id", (3, 2, 1, 1), "multiple"),
    ("Id_2", (5, 3, 3, 3), "multiple"),
    ("loc_inh", (2, 3, 3, 3), "as many"),
    ("bilin", (4, 2, 3, 3), "as many"),
    ("xavier", (4,), "weight shape"),
    ("id", (2, 2, 2), "weight shape"),
])
def test_shape_problems(init, shape, fragment):
    problem = init_shape_problem(parse_init(init), shape)
    assert problem and fragment in problem
    with pytest.raises(ValueError, match=fragment):
        value(init, shape)


@pytest.mark.parametrize("init, shape", [
    ("id", (4, 2, 1, 1)), ("id_2", (2, 4, 3, 3)), ("bilin", (3, 3, 5, 5)),
    ("loc_inh", (1, 2, 2, 3, 3)), ("normal", (3,)), (0.5, ()), ("xavier", (2, 1, 1, 1, 1)),
])
def test_no_shape_problem(init, shape):
    assert init_shape_problem(parse_init(init), shape) is None


SHARED = """
neuron_pools:
  a: {shape: [2, 4, 4], init b: normal, gain_shape: scalar, init g: 2.0}
  b: {shape: [2, 4, 4], noise: normal, dropout: 0.1}
synapse_pools:
  owner: {source: [[a]], target: b, rf: 3, init W_0_0: id, min W_0_0: 0.0}
  user: {source: [[a]], target: b, rf: 3, bias_shapes: [feature],
         share params: {W_0_0: [owner, W_0_0]}}
"""


def test_initial_params_owned_and_shared():
    g = graph(SHARED)
    params = initial_params(g, seed=3)
    assert set(params) == {("a", "b"), ("a", "g"), ("b", "b"), ("b", "noise_mean"),
                           ("b", "noise_std"), ("b", "dropout"), ("owner", "W_0_0"),
                           ("user", "b_0")}
    assert params[("a", "g")].shape == (1,) and params[("a", "g")][0] == 2.0
    assert params[("b", "dropout")] == np.float32(0.1)
    assert np.array_equal(params[("owner", "W_0_0")], value("id", (2, 2, 3, 3)))
    assert all(v.dtype == np.float32 for v in params.values())
    again = initial_params(g, seed=3)
    assert all(np.array_equal(params[k], again[k]) for k in params)
    assert not np.array_equal(params[("a", "b")], initial_params(g, seed=4)[("a", "b")])
    assert resolve_param(g, "user", "W_0_0") == ("owner", "W_0_0")
    assert resolve_param(g, "user", "b_0") == ("user", "b_0")
    assert resolve_param(g, "a", "b") == ("a", "b")


def test_same_shaped_sps_get_different_weights():
    g = graph("""
    neuron_pools:
      a: {shape: [3, 4, 4]}
      b: {shape: [3, 4, 4]}
    synapse_pools:
      s1: {source: [[a]], target: b, rf: 3}
      s2: {source: [[a]], target: b, rf: 3}
    """)
    params = initial_params(g, seed=0)
    assert not np.array_equal(params[("s1", "W_0_0")], params[("s2", "W_0_0")])
