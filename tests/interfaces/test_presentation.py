"""Shared presentation semantics, shown on roman_numerals (no data needed)."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.interfaces.presentation import fade_factor
from statestream.interfaces.roman_numerals import CLASSES, render_numeral

from .helpers import make, presentations, run

RN = {"rn_image": (1, 16, 16), "rn_label": (10, 1, 1)}


def rn(image=(1, 16, 16), label=(10, 1, 1), keys="", agents=4, seed=0, pred=False):
    nps = {"rn_image": image, "rn_label": label}
    if pred:
        nps["rn_pred"] = (10, 1, 1)
    return make("roman_numerals", nps, keys, agents, inputs=("rn_pred",) if pred else (),
                seed=seed)


@pytest.mark.parametrize("image", [(1, 16, 16), (3, 16, 16), (1, 20, 12), (3, 9, 14)])
@pytest.mark.parametrize("label", [(10, 1, 1), (10, 4, 3)])
def test_shapes_dtypes_ranges(image, label):
    iface = rn(image, label)
    assert iface.params == {"mode": 0, "min_duration": 16, "max_duration": 24, "fading": 4}
    assert iface.out_shapes == {"rn_image": (4,) + image, "rn_label": (4,) + label}
    for out in run(iface, 30):
        assert set(out) == set(iface.variables)
        for name, value in out.items():
            assert value.dtype == np.float32 and value.shape == iface.variables[name]
        assert 0 <= out["rn_image"].min() and out["rn_image"].max() <= 1
        assert out["rn_image"].reshape(4, -1).max(axis=1).min() > 0  # never blank
        assert np.all(out["rn_label"].sum(axis=1) == 1)
        assert set(np.unique(out["rn_label"])) == {0.0, 1.0}


GENERATORS = {
    "roman_numerals": (RN, ""),
    "random": ({"random": (2, 5, 5)}, "distribution: uniform"),
    "moving_edges": ({"medge_board": (1, 12, 12), "medge_dxdy": (2, 1, 1)}, ""),
}


@pytest.mark.parametrize("itype", sorted(GENERATORS))
def test_determinism_and_seed(itype):
    nps, keys = GENERATORS[itype]
    first = run(make(itype, nps, keys, seed=3), 200)
    again = run(make(itype, nps, keys, seed=3), 200)
    other = run(make(itype, nps, keys, seed=4), 200)
    for a, b in zip(first, again):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])
    image = next(iter(nps))
    assert any(not np.array_equal(a[image], b[image]) for a, b in zip(first, other))


@pytest.mark.parametrize("itype", ["roman_numerals", "random", "oscillator", "moving_edges"])
def test_state_dict_round_trip(itype):
    nps = {"roman_numerals": RN, "random": {"random": (2, 5, 5)}, "oscillator": {"osci": (1, 1, 1)},
           "moving_edges": {"medge_board": (1, 12, 12), "medge_dxdy": (2, 1, 1)}}[itype]
    keys = "distribution: normal" if itype == "random" else ""
    pred = (lambda k: {"rn_pred": np.full((4, 10, 1, 1), k % 10, np.float32)}) \
        if itype == "roman_numerals" else None
    if pred:
        nps = dict(nps, rn_pred=(10, 1, 1))
    inputs = ("rn_pred",) if pred else ()
    original = make(itype, nps, keys, inputs=inputs, seed=7)
    run(original, 50, inputs=pred)
    saved = original.state_dict()
    expected = run(original, 50, start=50, inputs=pred)
    resumed = make(itype, nps, keys, inputs=inputs, seed=99)
    resumed.load_state_dict(saved)
    for a, b in zip(expected, run(resumed, 50, start=50, inputs=pred)):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.mark.parametrize("low, high", [(3, 3), (2, 5), (16, 24)])
def test_durations_inclusive_and_first_frame_triggers(low, high):
    iface = rn(keys=f"min_duration: {low}\nmax_duration: {high}\nfading: 0", agents=6)
    outs = run(iface, 400)
    triggers = [o["_trigger_"] for o in outs]
    assert np.all(triggers[0] == 1)
    assert outs[0]["rn_image"].reshape(6, -1).max(axis=1).min() > 0.5  # not blank
    lengths = [n for a in range(6) for n in presentations(triggers, a)]
    assert min(lengths) == low and max(lengths) == high
    labels = np.array([o["rn_label"][:, :, 0, 0].argmax(1) for o in outs])
    trig = np.array(triggers)
    assert np.all((labels[1:] != labels[:-1]) <= (trig[1:] == 1))  # changes only at triggers


def test_fading_envelope():
    assert np.allclose(fade_factor(np.arange(10), 10, 4),
                       [0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 0.8, 0.6, 0.4, 0.2])
    assert np.allclose(fade_factor(np.arange(3), 3, 4), [0.2, 0.4, 0.2])
    assert np.all(fade_factor(np.arange(5), 5, 0) == 1)
    iface = rn(keys="min_duration: 10\nmax_duration: 10\nfading: 4\nmode: 1", agents=1)
    outs = run(iface, 10)
    peak = outs[5]["rn_image"].max()
    factors = [o["rn_image"].max() / peak for o in outs]
    assert np.allclose(factors, [0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 0.8, 0.6, 0.4, 0.2], atol=1e-6)
    assert all(np.all(o["rn_label"].sum(axis=1) == 1) for o in outs)  # labels not faded


def test_single_mode_copies_agent_zero():
    iface = rn(image=(3, 16, 16), keys="mode: 1", agents=5)
    for out in run(iface, 60):
        for name in ("rn_image", "rn_label", "_trigger_"):
            value = out[name]
            assert np.all(value == value[0]), name


def test_mode_change_forces_new_samples():
    iface = rn(agents=3)
    run(iface, 5)
    out = iface.step(5, {}, {"mode": 1}, 0)
    assert np.all(out["_trigger_"] == 1)
    out = iface.step(6, {}, {"mode": 1}, 2)  # split change too
    assert np.all(out["_trigger_"] == 1)
    out = iface.step(7, {}, {"mode": 1}, 2)
    assert not out["_trigger_"].any()


def test_numerals_differ():
    images = [render_numeral(c, 24, 24)[0] for c in range(CLASSES)]
    for a in range(CLASSES):
        assert images[a].max() > 0.5
        for b in range(a + 1, CLASSES):
            assert np.abs(images[a] - images[b]).sum() > 10, (a, b)


def test_three_channels_are_coloured():
    out = run(rn(image=(3, 16, 16), agents=8), 1)[0]["rn_image"]
    assert not np.allclose(out[:, 0], out[:, 1])  # not grey
