"""The fast statistics over all axes against float64 numpy, on data that strains them."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.metavariables.stats import BLOCK, statistics

NAMES = ["mean", "var", "std", "min", "max", "l1", "l2"]


def _want(x64):
    return [x64.mean(), x64.var(), x64.std(), x64.min(), x64.max(), np.abs(x64).sum(),
            np.sqrt((x64 * x64).sum())]


@pytest.mark.parametrize("case", ["relu", "large_mean", "constant", "long", "odd_length"])
def test_fast_statistics_match_float64(case):
    rng = np.random.default_rng(1)
    x = {"relu": lambda: np.maximum(rng.standard_normal((128, 16, 16, 16)), 0),
         "large_mean": lambda: 1000.0 + 0.01 * rng.standard_normal((64, 8, 8, 8)),
         "constant": lambda: np.full((4, 3, 5, 5), 2.5),
         "long": lambda: rng.random(9 * BLOCK + 17) - 0.5,
         "odd_length": lambda: rng.standard_normal(BLOCK - 3) * 1e-3}[case]()
    x = x.astype(np.float32)
    got = statistics(NAMES, x, tuple(range(x.ndim)))
    want = _want(x.astype(np.float64))
    for name, g, w in zip(NAMES, got, want):
        assert g.dtype == np.float32
        # variance of data with a mean 1e5 times the spread: float32 data, float64 sums
        tol = 1e-4 if name in ("var", "std") and case == "large_mean" else 2e-6
        # a mean near 0 is known to a fraction of the mean magnitude, not of itself
        atol = 1e-6 * np.abs(x).mean() if name == "mean" else 0.0
        np.testing.assert_allclose(g, w, rtol=tol, atol=atol, err_msg=f"{case}: {name}")


def test_other_axes_and_dtypes_take_the_general_path():
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    mean, = statistics(["mean"], x, (0, 1, 2))
    assert mean == np.float32(11.5)
    per, = statistics(["max"], x.astype(np.float32), (1, 2))
    np.testing.assert_array_equal(per, [11, 23])
