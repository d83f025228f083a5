"""Helpers shared by the neuron-pool and synapse-pool steps."""
from __future__ import annotations

from functools import lru_cache

from statestream.graph.expr import Expr, evaluate
from statestream.graph.functions import FUNCTIONS

#: rank of a shared parameter of each shape mode (layout._mode_shape)
MODE_RANK = {"full": 3, "feature": 1, "spatial": 2, "scalar": 1}


@lru_cache(maxsize=None)
def backend_functions(B) -> dict:
    """``{name: callable}`` of every catalogue function on backend ``B``."""
    return {name: B.function(name) for name in FUNCTIONS}


def apply_expr(B, expr: Expr | None, x):
    """``expr`` applied to ``x`` (``$``); None and ``Id`` leave ``x`` unchanged."""
    if expr is None or expr.is_identity:
        return x
    return evaluate(expr, backend_functions(B), {"": x})


def mode_view(B, value, mode: str, features: int, spatial: tuple):
    """A bias/gain array of shape ``mode`` as a 4-D array that broadcasts over a state.

    Shared: full [C,X,Y] -> [1,C,X,Y], feature [C] -> [1,C,1,1], spatial [X,Y] ->
    [1,1,X,Y], scalar [1] -> [1,1,1,1]; an unshared array has a leading agents axis.
    """
    shape = B.shape(value)
    lead = shape[0] if len(shape) == MODE_RANK[mode] + 1 else 1
    x, y = spatial
    view = {"full": (features, x, y), "feature": (features, 1, 1), "spatial": (1, x, y),
            "scalar": (1, 1, 1)}[mode]
    return B.reshape(value, (lead,) + view)


def feature_slice(B, x, k: int):
    """Feature ``k`` of ``x`` [A, C, X, Y] as [A, X, Y] (one-hot contraction, no indexing)."""
    agents, channels, height, width = B.shape(x)
    pick = B.asarray([[1.0 if c == k else 0.0 for c in range(channels)]])
    flat = B.matmul(pick, B.reshape(x, (agents, channels, height * width)))
    return B.reshape(flat, (agents, height, width))


def add_noise(B, x, kind: str, params, key):
    """Additive noise of ``kind`` with scalar parameters from ``params``; None: no noise."""
    shape = B.shape(x)
    if kind == "normal":
        return x + params["noise_mean"] + params["noise_std"] * B.normal(key, shape)
    if kind == "uniform":
        low, high = params["noise_min"], params["noise_max"]
        return x + (high - low) * B.uniform(key, shape) + low
    if kind == "Bernoulli":
        return x + B.bernoulli(key, shape, params["noise_prob"])
    return x
