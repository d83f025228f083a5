"""Every sub-window mode on every state shape, a NaN, parameters, two window sizes: each
picture compared with its own reference image and checked for obvious defects."""
from __future__ import annotations

import os

import numpy as np
import pytest

from tests.viz import cases

ALL = list(cases.CASES) + list(cases.RANGE_CASES)


@pytest.fixture(scope="module")
def references():
    return {case: cases.load(cases.reference_path(case)) for case in ALL}


@pytest.mark.parametrize("case", ALL)
def test_screenshot_matches_its_reference(case, references, tmp_path):
    path = str(tmp_path / f"{case}.png")
    app = cases.render(case, path)
    image = cases.load(path)
    size = cases.CASES["maps_large" if case in cases.RANGE_CASES else case][0]
    assert image.shape == (size[1], size[0], 3)
    # not blank: many colours, real contrast
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50
    assert image.std() > 20
    difference = cases.compare(image, references[case])
    assert difference < cases.TOLERANCE, f"{case}: {difference:.2f} from its reference"
    # the tolerance tells cases apart: every other reference of the same size is farther
    others = [cases.compare(image, ref) for name, ref in references.items()
              if name != case and ref.shape == references[case].shape]
    assert all(other > difference for other in others)
    assert all(w.error is None for w in app.windows if w.mode != "rgb")
    assert os.listdir(tmp_path) == [f"{case}.png"]  # no temporary file left


def test_nan_is_drawn_in_the_warning_colour_counted_and_found(tmp_path):
    app = cases.render("nan", str(tmp_path / "nan.png"))
    image = cases.load(str(tmp_path / "nan.png"))
    magenta = np.all(image == (255, 0, 255), axis=-1)
    assert magenta.sum() > 500
    counts = {w.source: w.bad for w in app.windows}
    assert counts["broken"] > 0 and counts["beyond"] > 0
    assert app.watchdog.first[1] == ["broken"]  # the origin, not the pool it spread to
    assert app.view.highlights == {"broken"}
    clean = cases.load(cases.reference_path("maps_large"))
    assert not np.any(np.all(clean == (255, 0, 255), axis=-1))


def test_rgb_of_a_wrong_shape_says_so_inside_its_window(tmp_path):
    app = cases.render("rgb", str(tmp_path / "rgb.png"))
    errors = {w.source: w.error for w in app.windows}
    assert errors["picture"] is None
    gray = [w for w in app.windows if w.source == "gray"][0]
    assert gray.current.shape == (1, 16, 16)  # data arrived; the mode refused it


def test_rollout_selection_draws_the_path_and_mv_windows_hold_their_values(tmp_path):
    orange = np.array((255, 150, 40))
    cases.render("rollout", str(tmp_path / "plain.png"))
    plain = cases.load(str(tmp_path / "plain.png"))
    assert not np.all(plain == orange, axis=-1).any()  # no path without a selection
    app = cases.render("rollout_selected", str(tmp_path / "sel.png"))
    image = cases.load(str(tmp_path / "sel.png"))
    assert np.all(image == orange, axis=-1).sum() > 300  # path cells and edges
    rollout = app.windows[0]
    assert rollout.selected == ("vector", 2) and rollout.error is None
    assert ("maps", 1) in rollout.path["back"] and ("single", 3) in rollout.path["forward"]
    assert len(rollout.activity) == 5  # the mean states of the last 5 frames
    app = cases.render("mv_plot", str(tmp_path / "mv.png"))
    window = app.windows[0]
    frames = [f for f, _ in window.history]
    assert frames == list(range(cases.FRAMES)) and window.current.shape == (2, 3)
