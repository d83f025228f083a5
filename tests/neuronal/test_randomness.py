"""Noise, dropout and zoneout are pure functions of (seed, item, array, frame)."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.backends.random import draw_bernoulli, draw_normal, draw_uniform
from statestream.neuronal import initial_params

from .helpers import graph, np_step, sp_step

SHAPE = (2, 3, 4, 4)
GRAPH = """
neuron_pools:
  src: {shape: [3, 4, 4]}
  n1: {shape: [3, 4, 4], bias_shape: False, OPTIONS}
  n2: {shape: [3, 4, 4], bias_shape: False, OPTIONS}
synapse_pools:
  sp1: {source: [[src]], target: n1, rf: 1, init W_0_0: id, noise: normal, noise_std: 0.5}
  sp2: {source: [[src]], target: n2, rf: 1, init W_0_0: id, noise: normal, noise_std: 0.5}
"""


def setup(options):
    g = graph(GRAPH.replace("OPTIONS", options))
    states = {name: np.zeros(SHAPE, np.float32) for name in g.neuron_pools}
    states["n1"] = states["n2"] = np.full(SHAPE, 7.0, np.float32)
    return g, states


def exclude_sps():
    return frozenset({"sp1", "sp2"})


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("frame, seed", [(0, 0), (5, 11), (123456789, 3)])
def test_np_noise_is_regenerated_exactly(backend, frame, seed):
    g, states = setup("noise: normal, noise_mean: 0.25, noise_std: 2.0")
    out = np_step(g, "n1", states, backend=backend, frame=frame, seed=seed,
                  exclude=exclude_sps())
    expected = np.float32(0) + np.float32(0.25) + np.float32(2.0) * draw_normal(
        seed, "n1", "noise", frame, SHAPE)
    assert np.array_equal(out, expected)

    g, states = setup("noise: uniform, noise_min: -1, noise_max: 3")
    out = np_step(g, "n1", states, backend=backend, frame=frame, seed=seed,
                  exclude=exclude_sps())
    u = draw_uniform(seed, "n1", "noise", frame, SHAPE)
    assert np.array_equal(out, np.float32(0) + np.float32(4) * u + np.float32(-1))

    g, states = setup("noise: Bernoulli, noise_prob: 0.3")
    out = np_step(g, "n1", states, backend=backend, frame=frame, seed=seed,
                  exclude=exclude_sps())
    assert np.array_equal(out, draw_bernoulli(seed, "n1", "noise", frame, SHAPE, 0.3))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_dropout_and_zoneout_masks_are_regenerated_exactly(backend):
    g, states = setup("dropout: 0.4, zoneout: 0.3")
    states["src"] = np.ones(SHAPE, np.float32)
    params = initial_params(g, 5)
    params[("sp1", "noise_std")] = np.float32(0.0)
    out = np_step(g, "n1", states, params, backend=backend, frame=9, seed=5)
    keep = draw_bernoulli(5, "n1", "dropout", 9, SHAPE, np.float32(1) - np.float32(0.4))
    hold = draw_bernoulli(5, "n1", "zoneout", 9, SHAPE, 0.3)
    expected = np.where(hold > 0, 7.0, keep / np.float32(0.6)).astype(np.float32)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert 0 < hold.mean() < 1 and 0 < keep.mean() < 1


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_sp_noise_is_regenerated_exactly(backend):
    g, states = setup("act: Id")
    out = sp_step(g, "sp1", states, backend=backend, frame=4, seed=2)
    assert np.array_equal(out, np.float32(0) + np.float32(0.0) + np.float32(0.5) * draw_normal(
        2, "sp1", "noise", 4, SHAPE))


def test_frames_items_and_seeds_differ_and_repeat():
    g, states = setup("noise: normal, dropout: 0.5")
    first = np_step(g, "n1", states, frame=1, seed=0)
    assert np.array_equal(first, np_step(g, "n1", states, frame=1, seed=0))
    assert not np.allclose(first, np_step(g, "n1", states, frame=2, seed=0))
    assert not np.allclose(first, np_step(g, "n2", states, frame=1, seed=0))
    assert not np.allclose(first, np_step(g, "n1", states, frame=1, seed=1))
    assert not np.allclose(sp_step(g, "sp1", states, frame=1), sp_step(g, "sp2", states, frame=1))
