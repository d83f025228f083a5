"""Every expression of a graph evaluated once, at check time, on small numpy arrays.

An expression that fails there (a wrong argument, a bool where a number is needed) or
that returns the wrong shape or type would fail the first frame of a run; here it is a
``FILE:LINE: ITEM: message`` naming the key and the expression instead.
"""
from __future__ import annotations

import warnings

import numpy as np

from statestream.errors import Problems
from statestream.graph.expr import Expr, ExprError, evaluate
from statestream.graph.layout import param_map
from statestream.graph.model import Graph
from statestream.graph.reader import Reader, show

MAX_TRIAL_ELEMENTS = 1 << 20  # larger states are tried with one agent, or not at all
MAX_RESULT_ELEMENTS = 1 << 24  # no operation of a trial may make a larger array
MAX_WEIGHT_ELEMENTS = 1 << 22  # larger weights are not tried (weight_fnc)


class TrialError(Exception):
    """The expression failed on its trial input."""


def check_expressions(graph: Graph, raw_sections: dict, problems: Problems) -> None:
    """Report every expression that fails on, or changes the shape of, its input."""
    from statestream.backends import get_backend

    B = get_backend("numpy")
    trial = _Trial(B, graph)
    for np_ in graph.neuron_pools.values():
        r = Reader(problems, np_.name, raw_sections["neuron_pools"][np_.name])
        trial.exact(r, "act", np_.act, trial.state(np_.name))
    for sp in graph.synapse_pools.values():
        r = Reader(problems, sp.name, raw_sections["synapse_pools"][sp.name])
        _check_sp(trial, r, graph, sp)


def _check_sp(trial: "_Trial", r: Reader, graph: Graph, sp) -> None:
    from statestream.graph.layout import conv_features
    from statestream.neuronal.synapse_pool import factor_shape

    target = trial.state(sp.target)
    if sp.func is not None:
        values = {f"{f}{i}": trial.state(name) for f, i, name in sp.inputs()}
        if target is not None:
            trial.broadcast(r, "func", sp.func, values, target.shape)
        return
    for f, i, name in sp.inputs():
        if f < len(sp.pact) and i < len(sp.pact[f]):
            trial.exact(r, "pact", sp.pact[f][i], trial.state(name))
        if f < len(sp.weight_fnc) and i < len(sp.weight_fnc[f]):
            spec = param_map(graph, sp).get(f"W_{f}_{i}")
            if spec is not None and spec.size <= MAX_WEIGHT_ELEMENTS:
                trial.exact(r, "weight_fnc", sp.weight_fnc[f][i], trial.array(spec.shape))
    if sp.transformer:
        return
    if target is None:
        return
    agents, _, x, y = target.shape
    features = conv_features(sp, graph)
    for f, expr in enumerate(sp.act):
        mode = sp.factor_shapes[f] if f < len(sp.factor_shapes) else "full"
        shape = factor_shape(mode, agents, features, (x, y))
        if np.prod(shape, dtype=np.float64) <= MAX_TRIAL_ELEMENTS:
            trial.exact(r, "act", expr, trial.array(shape))
    trial.broadcast(r, "ACT", sp.ACT, {"": target}, target.shape)


class _Trial:
    def __init__(self, B, graph: Graph):
        self.B = B
        self.functions = {name: _guarded(B.function(name), name)
                          for name in _catalogue()}
        self.graph = graph
        self.cache: dict = {}

    def array(self, shape) -> np.ndarray:
        """Values in [-0.9, 0.9] (none zero) of ``shape``, made cheaply and cached."""
        shape = tuple(int(d) for d in shape)
        if shape not in self.cache:
            count = int(np.prod(shape, dtype=np.int64))
            values = (np.arange(count, dtype=np.float32) % 7 - 3.5) * np.float32(0.25)
            self.cache[shape] = values.reshape(shape)
        return self.cache[shape]

    def state(self, np_name: str) -> np.ndarray | None:
        """A state of NP ``np_name`` (one agent if large; None if too large to try)."""
        shape = self.graph.np_state_shape(np_name)
        if int(np.prod(shape, dtype=np.int64)) > MAX_TRIAL_ELEMENTS:
            shape = (1,) + tuple(shape[1:])
        if int(np.prod(shape, dtype=np.int64)) > MAX_TRIAL_ELEMENTS:
            return None
        return self.array(shape)

    def exact(self, r: Reader, key: str, expr: Expr | None, x) -> None:
        """``expr`` of ``x`` must be a float array of ``x``'s shape."""
        if expr is None or expr.is_identity or x is None:
            return
        out = self._run(r, key, expr, {"": x})
        if out is not None and tuple(np.shape(out)) != tuple(x.shape):
            r.error(key, f"{key} {show(expr.text)}: turns input shape {list(x.shape)} into "
                    f"{list(np.shape(out))}; it must keep the shape")

    def broadcast(self, r: Reader, key: str, expr: Expr | None, values: dict, shape) -> None:
        """``expr`` must give a float array that broadcasts to ``shape``."""
        if expr is None or expr.is_identity or any(v is None for v in values.values()):
            return
        out = self._run(r, key, expr, values)
        if out is None:
            return
        have = tuple(np.shape(out))
        padded = (1,) * (len(shape) - len(have)) + have
        if len(have) > len(shape) or any(a not in (1, b) for a, b in zip(padded, shape)):
            r.error(key, f"{key} {show(expr.text)}: result shape {list(have)} does not "
                    f"broadcast to the target state {list(shape)}")

    def _run(self, r: Reader, key: str, expr: Expr, values: dict):
        where = f"{key} {show(expr.text)}"
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                out = evaluate(expr, self.functions, values, guard=_guard)
        except (ExprError, TrialError) as exc:
            r.error(key, f"{where}: {exc}")
            return None
        except MemoryError:
            r.error(key, f"{where}: needs too much memory")
            return None
        except Exception as exc:  # noqa: BLE001 - any failure of a user's expression
            r.error(key, f"{where}: fails on an input of its shape: {_reason(exc)}")
            return None
        if not isinstance(out, (np.ndarray, np.generic)):
            r.error(key, f"{where}: gives {type(out).__name__}, not an array of numbers")
            return None
        if not np.issubdtype(np.asarray(out).dtype, np.floating):
            r.error(key, f"{where}: gives {np.asarray(out).dtype} values, not numbers "
                    "(multiply a comparison by 1.0)")
            return None
        return out


def _catalogue():
    from statestream.graph.functions import FUNCTIONS

    return FUNCTIONS


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _size(value) -> int:
    shape = np.shape(value) if isinstance(value, (np.ndarray, np.generic)) else ()
    return int(np.prod(shape, dtype=np.float64))


def _guard(op, operands) -> None:
    """Refuse an operation whose result would be huge, before it is computed."""
    if op in ("+", "-", "*", "/", "//", "%", "**", "compare") and len(operands) == 2:
        a, b = operands
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
            try:
                shape = np.broadcast_shapes(a.shape, b.shape)
            except ValueError:
                return
            if np.prod(shape, dtype=np.float64) > MAX_RESULT_ELEMENTS:
                raise TrialError(f"would make an array of shape {list(shape)}")


def _guarded(function, name: str):
    """``function`` refusing arguments that make huge arrays (repeat, tensordot, ...)."""
    def call(*args, **kwargs):
        arrays = [a for a in args if isinstance(a, (np.ndarray, np.generic))]
        biggest = max((_size(a) for a in arrays), default=1)
        if name == "repeat":
            reps = kwargs.get("reps", args[1] if len(args) > 1 else 1)
            total = np.sum(np.abs(np.asarray(reps, dtype=np.float64))) if np.ndim(reps) \
                else abs(float(reps)) if isinstance(reps, (int, float)) else 1.0
            if total * biggest > MAX_RESULT_ELEMENTS:
                raise TrialError("repeat would make a huge array")
        if name in ("tensordot", "dot") and len(arrays) == 2:
            if _size(arrays[0]) * _size(arrays[1]) > MAX_RESULT_ELEMENTS:
                raise TrialError(f"{name} of these shapes may make a huge array")
        out = function(*args, **kwargs)
        if _size(out) > MAX_RESULT_ELEMENTS:
            raise TrialError(f"{name} makes an array of {_size(out):,} elements")
        return out
    return call
