"""Catalogue of the functions an expression may call as ``B.<name>`` (or by bare name).

Pure data: the spec layer validates calls against it without importing any array
library; ``statestream.backends`` implements every entry (a test checks both agree).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Signature:
    """``n_tensors`` leading tensor arguments, then optional parameters in order."""

    n_tensors: int
    params: tuple[tuple[str, object], ...] = ()
    kind: str = "elementwise"  # elementwise | tensor | loss
    variadic: bool = False  # first argument is a list/tuple of tensors (concatenate)
    required: tuple[str, ...] = field(default=())  # parameters without a usable default

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.params)


def _e(*params: tuple[str, object]) -> Signature:
    return Signature(1, tuple(params))


_AXIS = (("axis", None), ("keepdims", False))

FUNCTIONS: dict[str, Signature] = {
    # element-wise activations (neuronal.md 3.3)
    "Id": _e(),
    "tanh": _e(),
    "relu": _e(("thresh", 0.0)),
    "leakyrelu": _e(("leak", 0.1)),
    "elu": _e(("alpha", 1.0)),
    "selu": _e(("llambda", 1.0507009873554805), ("alpha", 1.6732632423543772)),
    "sigmoid": _e(),
    "softplus": _e(),
    "exp": _e(),
    "mexp": _e(),
    "square": _e(),
    "msquare": _e(),
    "gaussian": _e(),
    "log": _e(("eps", 1e-6)),
    "neglog": _e(("eps", 1e-6)),
    "sqrt": _e(),
    "abs": _e(),
    "sign": _e(("thresh", 0.0)),
    "softmax": _e(),
    "spiky": _e(("threshold", 1.0), ("saturation", 2.0)),
    "switchsign": _e(("threshold", 1.0)),
    "softround": _e(("p", 2.0)),
    "erf": _e(),
    "step": _e(("at", 0.0), ("left", -1.0), ("right", 1.0)),
    "rectangular": _e(("x_min", 0.0), ("x_max", 1.0), ("y_level", 0.0), ("y_height", 1.0)),
    "bilinear": _e(("peak_loc", 0.0), ("peak_width", 1.0), ("peak_val", 1.0), ("level", 0.0)),
    "linround": _e(("s", 0.5), ("b", 0.5)),
    "linroundint": _e(("s", 0.5), ("b", 0.5)),
    "linroundpow2": _e(("s", 0.5), ("b", 0.5), ("n", 1)),
    "floor": _e(),
    # tensor utilities
    "min": Signature(1, _AXIS, "tensor"),
    "max": Signature(1, _AXIS, "tensor"),
    "sum": Signature(1, _AXIS, "tensor"),
    "prod": Signature(1, _AXIS, "tensor"),
    "mean": Signature(1, _AXIS, "tensor"),
    "std": Signature(1, _AXIS, "tensor"),
    "var": Signature(1, _AXIS, "tensor"),
    "any": Signature(1, _AXIS, "tensor"),
    "argmin": Signature(1, (("axis", -1),), "tensor"),
    "argmax": Signature(1, (("axis", -1),), "tensor"),
    "clip": Signature(1, (("min", None), ("max", None)), "tensor", required=("min", "max")),
    "minimum": Signature(2, (), "tensor"),
    "maximum": Signature(2, (), "tensor"),
    "reshape": Signature(1, (("shape", None),), "tensor", required=("shape",)),
    "flatten": Signature(1, (), "tensor"),
    "repeat": Signature(1, (("reps", None), ("axis", None)), "tensor", required=("reps", "axis")),
    "dimshuffle": Signature(1, (("pattern", None),), "tensor", required=("pattern",)),
    "concatenate": Signature(1, (("axis", 0),), "tensor", variadic=True),
    "concatenated": Signature(1, (("axis", 0),), "tensor", variadic=True),
    "dot": Signature(2, (), "tensor"),
    "tensordot": Signature(2, (("axes", 2),), "tensor"),
    # element-wise losses (neuronal.md 4.3)
    "MSE": Signature(2, (), "loss"),
    "MAE": Signature(2, (), "loss"),
    "hinge": Signature(2, (), "loss"),
    "negloglikelihood": Signature(2, (), "loss"),
    "categorical_crossentropy": Signature(2, (), "loss"),
    "minimize": Signature(1, (), "loss"),
    "maximize": Signature(1, (), "loss"),
}

#: Names a bare (implicit) activation string may use: one tensor in, one out.
ACTIVATIONS = frozenset(
    name for name, sig in FUNCTIONS.items()
    if sig.kind == "elementwise" and sig.n_tensors == 1
)

#: Loss functions a loss plasticity accepts, and whether they take a target.
LOSS_FUNCTIONS = {
    "MSE": True,
    "MAE": True,
    "hinge": True,
    "negloglikelihood": True,
    "categorical_crossentropy": True,
    "minimize": False,
    "maximize": False,
}
