"""Creation, reductions and shape primitives against plain numpy references."""
import numpy as np
import pytest

from .helpers import assert_close

RNG = np.random.default_rng(7)
X = RNG.normal(0, 1, (2, 3, 4, 5)).astype(np.float32)


def test_creation_and_conversion(backend):
    B = backend
    assert B.dtype == "float32" and isinstance(B.device, str)
    for value in (X, X.astype(np.float64), [[1, 2], [3, 4]], 2.5, np.arange(3)):
        native = B.asarray(value)
        assert B.is_array(native)
        assert B.to_numpy(native).dtype == np.float32
        assert_close(B.to_numpy(native), np.asarray(value, np.float32), tol=0)
    assert B.asarray(B.asarray(X)) is not None
    assert B.shape(B.zeros((2, 3))) == (2, 3) and B.shape(B.ones(4)) == (4,)
    assert_close(B.to_numpy(B.full((2, 2), 3)), np.full((2, 2), 3, np.float32), tol=0)
    assert not B.is_array([1.0])
    mask = B.asarray(X) > 0
    assert_close(B.to_numpy(B.cast_float(mask)), (X > 0).astype(np.float32), tol=0)


def test_readonly_numpy_input_is_accepted(backend):
    ro = np.broadcast_to(np.float32(1.5), (3, 2))
    assert_close(backend.to_numpy(backend.asarray(ro)), np.full((3, 2), 1.5, np.float32))


REDUCTIONS = ["sum", "mean", "max", "min", "prod", "var", "std", "any"]


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [None, 0, -1, (1, 2), [0, 3]])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(backend, name, axis, keepdims):
    x = X if name != "prod" else 0.5 + np.abs(X)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    expected = getattr(np, name)(x.astype(np.float64), axis=np_axis, keepdims=keepdims)
    out = backend.to_numpy(getattr(backend, name)(backend.asarray(x), axis=axis,
                                                  keepdims=keepdims))
    assert out.shape == np.shape(expected)
    assert_close(out, np.asarray(expected, out.dtype))


def test_var_is_population(backend):
    assert_close(backend.to_numpy(backend.var(backend.asarray([1.0, 3.0]))), np.float32(1.0))
    assert_close(backend.to_numpy(backend.std(backend.asarray([1.0, 3.0]))), np.float32(1.0))


def test_argmax_argmin(backend):
    x = backend.asarray(X)
    assert np.array_equal(backend.to_numpy(backend.argmax(x)), np.argmax(X, -1))
    assert np.array_equal(backend.to_numpy(backend.argmin(x, axis=1)), np.argmin(X, 1))


def test_repeat_repeats_each_element_consecutively(backend):
    x = backend.asarray([[1.0, 2.0], [3.0, 4.0]])
    assert_close(backend.to_numpy(backend.repeat(x, 2, 1)),
                 np.float32([[1, 1, 2, 2], [3, 3, 4, 4]]), tol=0)
    assert_close(backend.to_numpy(backend.repeat(x, 3, axis=0)),
                 np.repeat(np.float32([[1, 2], [3, 4]]), 3, axis=0), tol=0)


def test_dimshuffle(backend):
    x = backend.asarray(X[:, :1])  # [2, 1, 4, 5]
    out = backend.to_numpy(backend.dimshuffle(x, (0, "x", 3, 2)))
    assert_close(out, X[:, :1].transpose(0, 1, 3, 2), tol=0)
    out = backend.to_numpy(backend.dimshuffle(backend.asarray(X), ["x", 3, 2, 1, 0, "x"]))
    assert_close(out, X.transpose(3, 2, 1, 0)[None, ..., None], tol=0)
    with pytest.raises(ValueError):
        backend.dimshuffle(backend.asarray(X), (0, 2, 3))  # drops axis 1 of size 3
    with pytest.raises(ValueError):
        backend.dimshuffle(x, (0, 0, 2, 3))


def test_shape_primitives(backend):
    B, x = backend, backend.asarray(X)
    assert_close(B.to_numpy(B.transpose(x, (3, 1, 0, 2))), X.transpose(3, 1, 0, 2), tol=0)
    assert_close(B.to_numpy(B.transpose(x)), X.T, tol=0)
    assert B.shape(B.expand_dims(x, 1)) == (2, 1, 3, 4, 5)
    assert B.shape(B.expand_dims(x, (0, -1))) == (1, 2, 3, 4, 5, 1)
    assert B.shape(B.broadcast_to(B.asarray(X[:, :1]), (2, 6, 4, 5))) == (2, 6, 4, 5)
    assert B.shape(B.stack([x, x], 1)) == (2, 2, 3, 4, 5)
    assert B.shape(B.concatenate([x, x], axis=2)) == (2, 3, 8, 5)
    assert B.shape(B.flatten(x)) == (120,)
    assert B.shape(B.reshape(x, [6, -1])) == (6, 20) and B.shape(B.reshape(x, 120)) == (120,)
    assert B.shape(B.zeros(np.int64(3))) == (3,) and B.shape(B.full([2, 1], 0.5)) == (2, 1)
    reps = B.to_numpy(B.repeat(B.asarray([1.0, 2.0]), np.int64(2), 0))
    assert np.array_equal(reps, np.float32([1, 1, 2, 2]))
    vec = B.asarray([1.0, 2.0, 3.0])
    assert B.shape(B.dot(vec, vec)) == () and float(B.to_numpy(B.dot(vec, vec))) == 14.0


def test_where_clip_and_bounds(backend):
    B, x = backend, backend.asarray(X)
    assert_close(B.to_numpy(B.where(x > 0, 1.0, -1.0)), np.where(X > 0, 1, -1).astype(np.float32))
    assert_close(B.to_numpy(B.where(x > 0, x, 0.0)), np.where(X > 0, X, 0), tol=0)
    assert_close(B.to_numpy(B.clip(x, min=0.0)), np.maximum(X, 0), tol=0)
    assert_close(B.to_numpy(B.clip(x, lo=-0.5, hi=0.5)), np.clip(X, -0.5, 0.5), tol=0)
    assert_close(B.to_numpy(B.clip(x, None, 0.1)), np.minimum(X, 0.1), tol=0)
    assert_close(B.to_numpy(B.maximum(0.0, x)), np.maximum(X, 0), tol=0)
    assert_close(B.to_numpy(B.minimum(x, B.asarray(X[:1]))), np.minimum(X, X[:1]), tol=0)
    assert_close(B.to_numpy(B.log(B.asarray([0.5]), eps=None)), np.log(np.float32([0.5])))


def test_softplus_is_stable(backend):
    out = backend.to_numpy(backend.softplus(backend.asarray([-1000.0, 0.0, 1000.0])))
    assert np.all(np.isfinite(out))
    assert_close(out, np.float32([0.0, np.log(2.0), 1000.0]))


def test_upsample_nearest_copies_blocks(backend):
    x = np.arange(2 * 3 * 2 * 3, dtype=np.float32).reshape(2, 3, 2, 3)
    out = backend.to_numpy(backend.upsample_nearest(backend.asarray(x), (2, 3)))
    assert out.shape == (2, 3, 4, 9)
    for i in range(4):
        for j in range(9):
            assert np.array_equal(out[:, :, i, j], x[:, :, i // 2, j // 3])
    same = backend.to_numpy(backend.upsample_nearest(backend.asarray(x), 1))
    assert np.array_equal(same, x)
