"""Test helpers for the backend tests."""
import numpy as np


def assert_close(actual, expected, tol=1e-5):
    """Max abs diff <= tol, relative to |expected| where values are large."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)
