"""Every catalogue function exists on both backends, matches its signature, and agrees."""
import inspect
import math

import numpy as np
import pytest

from statestream.backends import PRIMITIVES, get_backend
from statestream.backends.base import Backend
from statestream.graph.functions import ACTIVATIONS, FUNCTIONS

from .helpers import assert_close

RNG = np.random.default_rng(1234)
EDGES = [-8, -3, -1, -0.5, -1e-7, 0, 1e-7, 0.25, 1 / 3, 0.5, 2 / 3, 0.999,
         1, 1.5, 2, 2.5, 3, 4, 5, 8]
X = np.concatenate([RNG.normal(0, 2.5, 100), EDGES]).astype(np.float32).reshape(2, 3, 4, 5)
Y = RNG.normal(0, 1, (2, 3, 4, 5)).astype(np.float32)
PROBS = np.exp(X) / np.exp(X).sum(axis=1, keepdims=True)
TARGET = (Y == Y.max(axis=1, keepdims=True)).astype(np.float32)

CUSTOM = {
    "relu": {"thresh": 0.5}, "leakyrelu": {"leak": 0.3}, "elu": {"alpha": 2.0},
    "selu": {"llambda": 1.5, "alpha": 0.5}, "log": {"eps": 1e-3}, "neglog": {"eps": 0.1},
    "sign": {"thresh": 0.5}, "spiky": {"threshold": 0.5, "saturation": 3.0},
    "switchsign": {"threshold": -0.5}, "softround": {"p": 5.0},
    "step": {"at": 0.5, "left": 0.0, "right": 2.0},
    "rectangular": {"x_min": -1.0, "x_max": 2.0, "y_level": -1.0, "y_height": 3.0},
    "bilinear": {"peak_loc": 1.0, "peak_width": 2.0, "peak_val": -1.0, "level": 2.0},
    "linround": {"s": 0.25, "b": 0.6}, "linroundint": {"s": 0.3, "b": 0.4},
    "linroundpow2": {"s": 0.4, "b": 0.5, "n": 4},
}

TENSOR_CASES = {
    "min": [((X,), {"axis": a, "keepdims": k}) for a in (None, 1, [0, 2]) for k in (0, 1)],
    "max": [((X,), {"axis": a, "keepdims": k}) for a in (None, 3, (1, 3)) for k in (0, 1)],
    "sum": [((X,), {"axis": a, "keepdims": k}) for a in (None, -1, [1, 2]) for k in (0, 1)],
    "prod": [((np.abs(X) * 0.1 + 0.9,), {"axis": a, "keepdims": k})
             for a in (None, 2, [0, 3]) for k in (0, 1)],
    "mean": [((X,), {"axis": a, "keepdims": k}) for a in (None, 1, (2, 3)) for k in (0, 1)],
    "std": [((X,), {"axis": a, "keepdims": k}) for a in (None, 1, [0, 1, 2]) for k in (0, 1)],
    "var": [((X,), {"axis": a, "keepdims": k}) for a in (None, 0, (1, 2)) for k in (0, 1)],
    "any": [((np.maximum(X, 0),), {"axis": a, "keepdims": k}) for a in (None, 1, [2, 3])
            for k in (0, 1)],
    "argmin": [((X,), {}), ((X,), {"axis": 1})],
    "argmax": [((X,), {}), ((X,), {"axis": 2})],
    "clip": [((X,), {"min": -0.5, "max": 0.7}), ((X, -1.0, 2.0), {})],
    "minimum": [((X, Y), {})],
    "maximum": [((X, Y), {})],
    "reshape": [((X,), {"shape": (6, 20)}), ((X,), {"shape": [-1, 5]})],
    "flatten": [((X,), {})],
    "repeat": [((X,), {"reps": 2, "axis": 1}), ((X,), {"reps": 3, "axis": -1})],
    "dimshuffle": [((X[:, :1],), {"pattern": (0, "x", 3, 2)})],
    "concatenate": [(([X, Y],), {"axis": 1}), (([X, Y, X],), {})],
    "concatenated": [(([X, Y],), {"axis": 3})],
    "dot": [((X[0, 0], Y[0, 0].T), {}), ((X[0, 0, 0], Y[0, 0, 0]), {})],
    "tensordot": [((X, Y[0, 0]), {"axes": 2}), ((X, Y[0]), {"axes": ([1, 3], [0, 2])})],
    "MSE": [((X, Y), {})], "MAE": [((X, Y), {})], "hinge": [((X, Y), {})],
    "negloglikelihood": [((PROBS - 0.05, TARGET), {})],
    "categorical_crossentropy": [((PROBS, TARGET), {})],
    "minimize": [((X,), {})], "maximize": [((X,), {})],
}


def cases(name):
    if name in TENSOR_CASES:
        return TENSOR_CASES[name]
    return [((X,), {})] + ([((X,), CUSTOM[name])] if name in CUSTOM else [])


def native(backend, value):
    if isinstance(value, list):
        return [backend.asarray(v) for v in value]
    return backend.asarray(value) if isinstance(value, np.ndarray) else value


def test_catalogue_is_fully_covered():
    assert set(ACTIVATIONS) | set(TENSOR_CASES) == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_signature_matches_catalogue(backend, name):
    sig = FUNCTIONS[name]
    params = list(inspect.signature(backend.function(name)).parameters.values())
    assert len(params) >= sig.n_tensors + len(sig.params), params
    for param in params[:sig.n_tensors]:
        assert param.default is inspect.Parameter.empty
    for param, (pname, default) in zip(params[sig.n_tensors:], sig.params):
        assert param.name == pname
        if pname not in sig.required:
            assert param.default == default, (name, pname)


@pytest.mark.parametrize("cls_name", ["numpy", "torch"])
def test_every_primitive_is_implemented(cls_name):
    cls = type(get_backend(cls_name))
    missing = [p for p in PRIMITIVES if getattr(cls, p) is getattr(Backend, p, None)]
    assert not missing


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_numpy_and_torch_agree(np_b, torch_b, name):
    for args, kwargs in cases(name):
        expected = np_b.function(name)(*[native(np_b, a) for a in args], **kwargs)
        actual = torch_b.function(name)(*[native(torch_b, a) for a in args], **kwargs)
        expected, actual = np_b.to_numpy(expected), torch_b.to_numpy(actual)
        if name not in ("argmin", "argmax", "any"):
            assert expected.dtype == np.float32 and actual.dtype == np.float32, name
        assert_close(actual, expected)


def test_function_rejects_unknown_names(np_b):
    with pytest.raises(KeyError):
        np_b.function("conv2d_transpose")


E = math.e
HAND = [  # (name, input, kwargs, expected)
    ("Id", [-1.0, 2.0], {}, [-1.0, 2.0]),
    ("tanh", [0.0, 1.0], {}, [0.0, math.tanh(1.0)]),
    ("relu", [-1.0, 0.2, 1.0], {"thresh": 0.5}, [0.0, 0.0, 0.5]),
    ("relu", [-1.0, 0.2], {}, [0.0, 0.2]),
    ("leakyrelu", [-2.0, 3.0], {}, [-0.2, 3.0]),
    ("elu", [-1.0, 0.0, 2.0], {"alpha": 2.0}, [2 * (1 / E - 1), 0.0, 2.0]),
    ("selu", [-1.0, 1.0], {}, [1.0507009873554805 * 1.6732632423543772 * (1 / E - 1),
                               1.0507009873554805]),
    ("sigmoid", [-100.0, 0.0, 100.0], {}, [0.0, 0.5, 1.0]),
    ("softplus", [-100.0, 0.0, 100.0], {}, [0.0, math.log(2.0), 100.0]),
    ("exp", [0.0, 1.0], {}, [1.0, E]),
    ("mexp", [1.0], {}, [-E]),
    ("square", [-3.0], {}, [9.0]),
    ("msquare", [-3.0], {}, [-9.0]),
    ("gaussian", [0.0, 1.0], {}, [1.0, 1 / E]),
    ("log", [-1.0, 0.0, E], {}, [math.log(1e-6), math.log(1e-6), 1.0]),
    ("log", [0.0], {"eps": 0.5}, [math.log(0.5)]),
    ("neglog", [1.0, 0.0], {}, [0.0, -math.log(1e-6)]),
    ("sqrt", [-4.0, 4.0], {}, [0.0, 2.0]),
    ("abs", [-2.0, 3.0], {}, [2.0, 3.0]),
    ("sign", [-2.0, 0.0, 0.5, 2.0], {"thresh": 0.5}, [-1.0, -1.0, 0.0, 1.0]),
    ("spiky", [-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0], {}, [0, 0, 0.5, 1.0, 4.0, 0, 0]),
    ("switchsign", [0.5, 1.0, 2.0], {}, [0.5, 1.0, -2.0]),
    ("softround", [0.0, 0.5, 1.0, 0.25], {},
     [0.0, 0.5, 1.0, ((math.tanh(-0.5) - 0.125) / (math.tanh(1.0) + 0.25) + 1) / 2]),
    ("erf", [-1.0, 0.0, 0.5, 3.0], {}, [math.erf(-1.0), 0.0, math.erf(0.5), math.erf(3.0)]),
    ("step", [-1.0, 0.0, 1.0], {}, [-1.0, 1.0, 1.0]),
    ("step", [0.4, 0.6], {"at": 0.5, "left": 0.0, "right": 2.0}, [0.0, 2.0]),
    ("rectangular", [0.0, 0.5, 1.0, 1.5], {}, [0.0, 1.0, 0.0, 0.0]),
    ("rectangular", [0.0, 0.5], {"y_level": -1.0, "y_height": 3.0}, [-1.0, 3.0]),
    ("bilinear", [-2.0, -0.5, 0.0, 0.5, 2.0], {}, [0.0, 0.5, 1.0, 0.5, 0.0]),
    ("bilinear", [-2.0, -0.5, 0.0], {"peak_val": 0.0, "level": 1.0}, [1.0, 0.5, 0.0]),
    ("linround", [0.0, 0.2, 0.5, 0.9, 1.0], {}, [0.0, 0.1, 0.5, 0.95, 1.0]),
    ("linroundint", [2.2, -0.8], {}, [2.1, -0.9]),
    ("linroundpow2", [-1.0, 0.5, 1.5, 2.5, 4.0, 4.5], {"n": 3},
     [-0.5, 0.5, 1.5, 2.25, 4.0, 4.25]),
    ("floor", [-1.5, 1.5], {}, [-2.0, 1.0]),
]


@pytest.mark.parametrize("name, x, kwargs, expected", HAND, ids=[h[0] for h in HAND])
def test_hand_computed_values(backend, name, x, kwargs, expected):
    out = backend.function(name)(backend.asarray(np.array(x, np.float32)), **kwargs)
    assert_close(backend.to_numpy(out), np.array(expected, np.float32), tol=2e-6)


def test_softmax_runs_over_the_feature_axis(backend):
    x = np.array([1.0, 2.0, 3.0], np.float32).reshape(1, 3, 1, 1)
    out = backend.to_numpy(backend.softmax(backend.asarray(np.concatenate([x, x + 100], 0))))
    expected = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    assert_close(out[:, :, 0, 0], np.stack([expected, expected]).astype(np.float32))


def test_linroundpow2_with_n1_is_linround(backend):
    x = backend.asarray(np.linspace(-3, 6, 91))
    assert_close(backend.to_numpy(backend.linroundpow2(x, 0.3, 0.4, n=1)),
                 backend.to_numpy(backend.linround(x, 0.3, 0.4)), tol=0)


def test_losses_by_hand(backend):
    x, y = backend.asarray([1.0, 0.5, 2.0]), backend.asarray([3.0, 1.0, 1.0])
    assert_close(backend.to_numpy(backend.MSE(x, y)), np.float32([4.0, 0.25, 1.0]))
    assert_close(backend.to_numpy(backend.MAE(x, y)), np.float32([2.0, 0.5, 1.0]))
    assert_close(backend.to_numpy(backend.hinge(x, y)), np.float32([0.0, 0.5, 0.0]))
    nll = backend.negloglikelihood(backend.asarray([0.5, 0.0]), backend.asarray([1.0, 1.0]))
    assert_close(backend.to_numpy(nll), np.float32([math.log(2), -math.log(1e-6)]))
    assert_close(backend.to_numpy(backend.maximize(x)), -np.float32([1.0, 0.5, 2.0]))
    probs = backend.asarray(np.array([[0.2, 0.8], [1.0, 0.0]], np.float32).reshape(2, 2, 1, 1))
    target = backend.asarray(np.array([[0, 1], [1, 0]], np.float32).reshape(2, 2, 1, 1))
    cce = backend.to_numpy(backend.categorical_crossentropy(probs, target))
    assert cce.shape == (2, 1, 1, 1)
    assert_close(cce.ravel(), np.float32([-math.log(0.8), -math.log(1 - 1e-6)]), tol=1e-6)
