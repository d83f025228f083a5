"""Optimizers against hand-computed values; settings and their graph keys."""
from __future__ import annotations

import math

import numpy as np
import pytest

from tests.plasticities.helpers import fresh, graph, plasticity

GRADS = [np.array([0.5, -1.0, 20.0], np.float32), np.array([0.1, 0.3, -0.2], np.float32),
         np.array([-0.4, 0.0, 1.0], np.float32)]
KEY = ("x", "b")


def regularizer(keys: str):
    g = graph(f"""
    neuron_pools:
        x: {{shape: [3, 1, 1]}}
    plasticities:
        p: {{type: L_regularizer, parameter: [[np, x, b]], {keys}}}
    """)
    return plasticity(g)


def run(p, hyper=None):
    defaults, variables = fresh(p)
    defaults.update(hyper or {})
    return [p.optimizer.deltas({KEY: g}, defaults, variables)[KEY] for g in GRADS], variables


def test_grad_desc_has_no_clipping():
    p = regularizer("lr: 0.1")
    assert p.hyper["lr"] == (0.1, 0.0, None)
    deltas, _ = run(p)
    for g, d in zip(GRADS, deltas):
        assert np.allclose(d, -0.1 * g.astype(np.float64), rtol=1e-6)
    assert deltas[0][2] == pytest.approx(-2.0)  # the original clipped this to -1


def test_adam_is_standard():
    p = regularizer("optimizer: adam, lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 0.001")
    deltas, variables = run(p)
    m = v = np.zeros(3)
    for t, (g, d) in enumerate(zip(GRADS, deltas), start=1):
        m = 0.8 * m + 0.2 * g
        v = 0.95 * v + 0.05 * g.astype(np.float64) ** 2
        want = -0.01 * (m / (1 - 0.8 ** t)) / (np.sqrt(v / (1 - 0.95 ** t)) + 0.001)
        assert np.allclose(d, want, rtol=1e-5, atol=1e-9), t
    assert float(variables["t"]) == 3.0
    assert np.allclose(variables["m.x.b"], m, rtol=1e-5)
    assert np.allclose(variables["v.x.b"], v, rtol=1e-5)


def test_adam_is_bit_for_bit_the_float32_formula():
    """In place, but every operation in the formula's order: learned values never move."""
    p = regularizer("optimizer: adam, lr: 0.003, beta1: 0.8, beta2: 0.99, eps: 1e-7")
    rng = np.random.default_rng(1)
    grads = [(rng.standard_normal(3) * 10.0 ** rng.uniform(-6, 2)).astype(np.float32)
             for _ in range(40)]
    defaults, variables = fresh(p)
    f32 = np.float32
    m = v = np.zeros(3, f32)
    for t, g in enumerate(grads, start=1):
        d = p.optimizer.deltas({KEY: g}, defaults, variables)[KEY]
        m = f32(0.8) * m + f32(1.0 - 0.8) * g
        v = f32(0.99) * v + f32(1.0 - 0.99) * (g * g)
        fix1, fix2 = f32(1.0 - 0.8 ** t), f32(1.0 - 0.99 ** t)
        want = (-f32(0.003) * ((m / fix1) / (np.sqrt(v / fix2) + f32(1e-7)))).astype(f32)
        assert d.dtype == np.float32 and np.array_equal(d, want), t
    assert np.array_equal(variables["m.x.b"], m) and np.array_equal(variables["v.x.b"], v)


def test_adam_reads_momentum_and_decay_as_betas():
    assert regularizer("optimizer: adam").hyper == {
        "lr": (1e-3, 0.0, None), "beta1": (0.9, 0.0, 1.0), "beta2": (0.999, 0.0, 1.0),
        "eps": (1e-8, 0.0, None), "L1": (0.0, 0.0, None), "L2": (0.0, 0.0, None)}
    mapped = regularizer("optimizer: adam, momentum: 0.99, decay: 0.995").hyper
    assert mapped["beta1"][0] == 0.99 and mapped["beta2"][0] == 0.995
    both = regularizer("optimizer: adam, momentum: 0.5, beta1: 0.7, decay: 0.6").hyper
    assert both["beta1"][0] == 0.7 and both["beta2"][0] == 0.6


def test_rmsprop():
    p = regularizer("optimizer: rmsprop, lr: 0.01, rho: 0.7, eps: 0.0001")
    assert p.hyper["rho"] == (0.7, 0.0, 1.0)
    deltas, variables = run(p)
    a = np.zeros(3)
    for g, d in zip(GRADS, deltas):
        a = 0.7 * a + 0.3 * g.astype(np.float64) ** 2
        assert np.allclose(d, -0.01 * g / (np.sqrt(a) + 1e-4), rtol=1e-5, atol=1e-9)
    assert np.allclose(variables["a.x.b"], a, rtol=1e-5)
    assert regularizer("optimizer: rmsprop").hyper["eps"] == (1e-7, 0.0, None)


def test_settings_edited_at_run_time_take_effect():
    p = regularizer("lr: 0.1")
    deltas, _ = run(p, {"lr": 0.5})
    assert np.allclose(deltas[0], -0.5 * GRADS[0], rtol=1e-6)


def test_adam_with_beta_one_stays_finite():
    p = regularizer("optimizer: adam, beta1: 1.0")
    deltas, _ = run(p)
    assert all(np.all(d == 0) for d in deltas)


@pytest.mark.parametrize("optimizer", ["grad_desc", "adam", "rmsprop"])
def test_variables_are_updated_in_place(optimizer):
    p = regularizer(f"optimizer: {optimizer}, L2: 1.0")
    hyper, variables = fresh(p)
    views = {k: v for k, v in variables.items()}
    theta = np.array([1.0, -2.0, 0.0], np.float32)
    p.step(3, None, None, {KEY: p.B.asarray(theta)}, hyper, variables, 0)
    assert all(variables[k] is views[k] for k in views)
    assert np.array_equal(variables["grad.x.b"], 2 * theta)
    assert math.isclose(float(variables["loss"]), 5.0)
