"""random, oscillator, moving_edges."""
from __future__ import annotations

import math

import numpy as np
import pytest

from statestream.errors import UserError

from .helpers import make, run


@pytest.mark.parametrize("keys, check", [
    ("distribution: bernoulli\np: 0.2", lambda v: set(np.unique(v)) <= {0, 1}
     and abs(v.mean() - 0.2) < 0.03),
    ("distribution: normal\nmean: -1.0\nstd: 0.5", lambda v: abs(v.mean() + 1) < 0.03
     and abs(v.std() - 0.5) < 0.03),
    ("distribution: uniform\nmin: -2.0\nmax: 4.0", lambda v: v.min() >= -2 and v.max() < 4
     and abs(v.mean() - 1) < 0.1),
])
def test_random_distributions(keys, check):
    iface = make("random", {"random": (3, 10, 7)}, keys)
    outs = run(iface, 5)
    assert all(o["random"].shape == (4, 3, 10, 7) and o["random"].dtype == np.float32
               for o in outs)
    assert all(np.all(o["_trigger_"] == 1) for o in outs)
    assert not np.array_equal(outs[0]["random"], outs[1]["random"])  # new every frame
    assert check(np.stack([o["random"] for o in outs]))


def test_random_params_have_no_spurious_bounds():
    iface = make("random", {"random": (1, 1, 1)}, "distribution: bernoulli\np: 0.2")
    assert iface.params["p"] == 0.2 and iface.param_bounds["p"] == (0.0, 1.0)
    out = iface.step(0, {}, {"p": 0.0}, 0)
    assert not out["random"].any()


def test_random_needs_a_distribution():
    with pytest.raises(UserError, match="distribution must be one of"):
        make("random", {"random": (1, 1, 1)}, "distribution: poisson")


def test_oscillator_values_and_typo_fallback():
    iface = make("oscillator", {"osci": (2, 3, 3)}, "amlitude: 3.0\nfrequency: 0.05\nphase: 2")
    assert iface.params == {"mode": 0, "amplitude": 3.0, "frequency": 0.05, "phase": 2.0}
    outs = run(iface, 12)
    for k, out in enumerate(outs):
        assert np.allclose(out["osci"], 3.0 * math.sin(2 * math.pi * 0.05 * (k + 2)), atol=1e-6)
    assert outs[0]["_trigger_"].all() and not outs[1]["_trigger_"].any()
    both = make("oscillator", {"osci": (1, 1, 1)}, "amplitude: 2.0\namlitude: 5.0")
    assert both.params["amplitude"] == 2.0
    assert make("oscillator", {"osci": (1, 1, 1)}).params == {
        "mode": 0, "amplitude": 1.0, "frequency": 0.1, "phase": 0.0}


def test_moving_edges():
    nps = {"medge_board": (1, 16, 12), "medge_dxdy": (2, 1, 1)}
    iface = make("moving_edges", nps, "minmax_velocity: 0.2\nsigma: 6")
    assert iface.params["minmax_velocity"] == 0.2  # not clamped to 1
    outs = run(iface, 40)
    for o in outs:
        board = o["medge_board"]
        assert board.shape == (4, 1, 16, 12) and 0 <= board.min() and board.max() <= 1
        assert np.all(np.hypot(o["medge_dxdy"][:, 0], o["medge_dxdy"][:, 1]) <= 0.2 + 1e-6)
    assert outs[0]["_trigger_"].all()
    moving = [k for k in range(1, 40) if not outs[k]["_trigger_"][0]]
    assert any(not np.array_equal(outs[k]["medge_board"][0], outs[k - 1]["medge_board"][0])
               for k in moving)  # the grating drifts within a presentation
    assert outs[0]["medge_board"][:, 0, 0, 0].max() < outs[0]["medge_board"].max()  # window
