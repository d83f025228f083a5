"""The backend interface: primitives (per array library) + generic catalogue functions.

A concrete backend implements every name in ``PRIMITIVES``; everything else in
the catalogue ``statestream.graph.functions.FUNCTIONS`` is written here once, in
terms of those primitives and Python operators on native arrays.
"""
from __future__ import annotations

import functools

import numbers
import os

from statestream.graph.functions import FUNCTIONS

from . import random as rng


class BackendUnavailable(Exception):
    """The requested backend (or device) cannot be used in this installation."""


#: name -> call signature; a concrete backend must implement each of them.
PRIMITIVES: dict[str, str] = {
    # creation and conversion
    "asarray": "(a) -> native float32 array on the device",
    "to_numpy": "(x) -> numpy array",
    "zeros": "(shape)", "ones": "(shape)", "full": "(shape, value)",
    "shape": "(x) -> tuple of ints", "is_array": "(x) -> bool",
    "cast_float": "(mask) -> float32 array",
    # element-wise
    "exp": "(x)", "_log": "(x) raw natural log", "tanh": "(x)", "sigmoid": "(x)",
    "sqrt": "(x) sqrt(max(x, 0))", "abs": "(x)", "_sign": "(x) raw sign",
    "floor": "(x)", "erf": "(x)", "softplus": "(x) numerically stable",
    "maximum": "(a, b)", "minimum": "(a, b)", "where": "(cond, a, b)",
    "_clip": "(x, lo, hi) lo/hi may be None",
    # reductions; axis: int, tuple, list or None
    "sum": "(x, axis=None, keepdims=False)", "mean": "(x, axis=None, keepdims=False)",
    "max": "(x, axis=None, keepdims=False)", "min": "(x, axis=None, keepdims=False)",
    "prod": "(x, axis=None, keepdims=False)", "var": "(x, axis=None, keepdims=False)",
    "std": "(x, axis=None, keepdims=False)", "any": "(x, axis=None, keepdims=False)",
    "argmax": "(x, axis=-1) -> integer array", "argmin": "(x, axis=-1) -> integer array",
    # shapes
    "reshape": "(x, shape)", "transpose": "(x, axes=None)",
    "concatenate": "(tensors, axis=0)", "repeat": "(x, reps, axis)",
    "broadcast_to": "(x, shape)", "expand_dims": "(x, axis)", "stack": "(tensors, axis=0)",
    # linear algebra, images
    "softmax": "(x, axis=1)", "matmul": "(a, b)", "tensordot": "(x, y, axes=2)",
    "conv2d": "(x, w, stride=(1, 1), dilation=(1, 1), padding='same', groups=1)",
    "upsample_nearest": "(x, factors)", "bilinear_sample": "(img, py, px)",
    # autodiff and execution
    "value_and_grad": "(fn) -> g(params, *args, **kwargs) -> (value, grads)",
    "compile": "(fn) -> callable", "no_grad": "() -> context manager",
    "set_threads": "(n)", "detach": "(x)",
}


def norm_axis(axis):
    """Reduction axis as int, tuple or None (lists become tuples)."""
    return tuple(axis) if isinstance(axis, list) else axis


def as_shape(shape) -> tuple[int, ...]:
    """``5`` -> ``(5,)``; any sequence of ints -> tuple."""
    if isinstance(shape, tuple) and all(type(s) is int for s in shape):
        return shape  # the common case, kept cheap: it runs for every reshape of every frame
    return (int(shape),) if isinstance(shape, numbers.Integral) else tuple(int(s) for s in shape)


def _missing(name: str, signature: str):
    def primitive(self, *args, **kwargs):
        raise NotImplementedError(f"backend {self.name!r} does not implement primitive "
                                  f"{name}{signature}")
    primitive.__name__ = name
    primitive.__doc__ = f"Primitive {name}{signature}."
    return primitive


class Backend:
    """Base class; ``B.function(name)`` returns the callable of a catalogue entry."""

    name = "abstract"
    dtype = "float32"

    def __init__(self, device: str = "cpu"):
        self.device = str(device)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} on {self.device}>"

    # ---- capabilities: what callers may rely on (never compare names or devices) ----
    autograd = False  # gradients of step functions (exact-replay learning)

    @property
    def zero_copy(self) -> bool:
        """Whether ``asarray`` of a host array shares its memory (else arrays are copied to
        and from the device every frame). $STATESTREAM_FORCE_COPY forces the copy path."""
        return self.device == "cpu" and not os.environ.get("STATESTREAM_FORCE_COPY")

    def function(self, name: str):
        """The callable implementing catalogue entry ``name``."""
        if name not in FUNCTIONS:
            raise KeyError(f"{name!r} is not in the function catalogue")
        return _tensor_inputs(self, getattr(self, name), FUNCTIONS[name])

    # ---- randomness (host-side Philox, see random.py) ----
    def normal(self, key, shape):
        return self.asarray(rng.draw_normal(*rng.split_key(key), shape))

    def uniform(self, key, shape):
        return self.asarray(rng.draw_uniform(*rng.split_key(key), shape))

    def bernoulli(self, key, shape, p):
        if isinstance(p, (int, float)):
            return self.asarray(rng.draw_bernoulli(*rng.split_key(key), shape, p))
        return self.cast_float(self.uniform(key, shape) < self.asarray(p))

    # ---- catalogue entries that extend a primitive ----
    def log(self, x, eps=1e-6):
        """log(max(x, eps)); ``eps=None`` gives the raw logarithm."""
        return self._log(x if eps is None else self.maximum(x, eps))

    def sign(self, x, thresh=0.0):
        return self._sign(x - thresh)

    def clip(self, x, min=None, max=None, *, lo=None, hi=None):
        """Clip to [min, max]; ``lo``/``hi`` are aliases; a None bound is open."""
        lo = min if lo is None else lo
        hi = max if hi is None else hi
        if lo is None and hi is None:
            return x
        return self._clip(x, lo, hi)

    # ---- element-wise activations ----
    def Id(self, x):
        return x

    def relu(self, x, thresh=0.0):
        if isinstance(thresh, (int, float)) and thresh == 0:
            return self.maximum(x, 0.0)  # x - 0 is x, bit for bit: skip a full-size op
        return self.maximum(x - thresh, 0.0)

    def leakyrelu(self, x, leak=0.1):
        return self.maximum(x, leak * x)

    def elu(self, x, alpha=1.0):
        return self.where(x > 0, x, alpha * (self.exp(self.minimum(x, 0.0)) - 1.0))

    def selu(self, x, llambda=1.0507009873554805, alpha=1.6732632423543772):
        return llambda * self.elu(x, alpha)

    def mexp(self, x):
        return -self.exp(x)

    def square(self, x):
        return x * x

    def msquare(self, x):
        return -(x * x)

    def gaussian(self, x):
        return self.exp(-(x * x))

    def neglog(self, x, eps=1e-6):
        return -self.log(x, eps)

    def spiky(self, x, threshold=1.0, saturation=2.0):
        out = self.where(x < saturation, 2.0 * saturation, 0.0)
        out = self.where(x <= threshold, x, out)
        return self.where(x < 0, 0.0, out)

    def switchsign(self, x, threshold=1.0):
        return self.where(x > threshold, -x, x)

    def softround(self, x, p=2.0):
        shifted = x - 0.5
        scale = self.tanh(self.asarray(p * 0.5)) + 1.0 / (2.0 * p)
        y = (self.tanh(p * shifted) + shifted / p) / scale
        return (y + 1.0) * 0.5

    def step(self, x, at=0.0, left=-1.0, right=1.0):
        return left + (right - left) * (self._sign(x - at + 1e-8) + 1.0) * 0.5

    def rectangular(self, x, x_min=0.0, x_max=1.0, y_level=0.0, y_height=1.0):
        inside = self.cast_float(x > x_min) * self.cast_float(x < x_max)
        return y_level + (y_height - y_level) * inside

    def bilinear(self, x, peak_loc=0.0, peak_width=1.0, peak_val=1.0, level=0.0):
        hat = peak_val - self.abs(x - peak_loc) * ((peak_val - level) / peak_width)
        return self._clip(hat, min(level, peak_val), max(level, peak_val))

    def linround(self, x, s=0.5, b=0.5):
        middle = x / s + b * (1.0 - 1.0 / s)
        out = self.where(x <= (s + b) / (1.0 + s), middle, s * x + (1.0 - s))
        return self.where(x < b / (1.0 + s), s * x, out)

    def linroundint(self, x, s=0.5, b=0.5):
        whole = self.floor(x)
        return whole + self.linround(x - whole, s, b)

    def linroundpow2(self, x, s=0.5, b=0.5, n=1):
        out = self.linround(x, s, b)
        for k in range(int(n) - 1):
            low = 2.0 ** k
            out = self.where(x > low, low * (1.0 + self.linround(x / low - 1.0, s, b)), out)
        if n > 1:
            top = 2.0 ** (int(n) - 1)
            out = self.where(x > top, top + s * (x - top), out)
        return out

    # ---- tensor utilities ----
    def flatten(self, x):
        return self.reshape(x, (-1,))

    def concatenated(self, tensors, axis=0):
        return self.concatenate(tensors, axis)

    def dot(self, x, y):
        return self.matmul(x, y)

    def dimshuffle(self, x, pattern):
        """Theano dimshuffle: axis indices and 'x' (new axis); dropped axes must be size 1."""
        shape = self.shape(x)
        kept = [int(p) for p in pattern if p != "x"]
        if len(set(kept)) != len(kept) or any(not 0 <= p < len(shape) for p in kept):
            raise ValueError(f"invalid dimshuffle pattern {pattern!r} for shape {shape}")
        dropped = [a for a in range(len(shape)) if a not in kept]
        if any(shape[a] != 1 for a in dropped):
            raise ValueError(f"dimshuffle {pattern!r} drops a non-broadcastable axis of {shape}")
        remaining = [a for a in range(len(shape)) if a not in dropped]
        y = self.reshape(x, tuple(shape[a] for a in remaining))
        y = self.transpose(y, tuple(remaining.index(p) for p in kept))
        return self.reshape(y, tuple(1 if p == "x" else shape[int(p)] for p in pattern))

    # ---- element-wise losses (x prediction, y target) ----
    def MSE(self, x, y):
        return (x - y) ** 2

    def MAE(self, x, y):
        return self.abs(x - y)

    def hinge(self, x, y):
        return self.maximum(1.0 - x * y, 0.0)

    def negloglikelihood(self, x, y):
        return -y * self._log(self.maximum(x, 1e-6))

    def categorical_crossentropy(self, x, y):
        """Cross entropy summed over the feature axis 1 (kept as size 1)."""
        return -self.sum(y * self._log(self._clip(x, 1e-6, 1.0 - 1e-6)), axis=1, keepdims=True)

    def minimize(self, x):
        return x

    def maximize(self, x):
        return -x


for _name, _signature in PRIMITIVES.items():
    if not hasattr(Backend, _name):
        setattr(Backend, _name, _missing(_name, _signature))
del _name, _signature


def _tensor_inputs(backend, method, sig):
    """``method`` with its tensor inputs given as python scalars (or lists) made arrays, so
    that ``B.exp(-2)`` means the same on every backend."""
    def call(*args, **kwargs):
        args = list(args)
        for index in range(min(sig.n_tensors, len(args))):
            value = args[index]
            if sig.variadic and index == 0 and isinstance(value, (list, tuple)):
                args[0] = [v if backend.is_array(v) else backend.asarray(v) for v in value]
            elif not backend.is_array(value):
                args[index] = backend.asarray(value)
        return method(*args, **kwargs)
    return functools.wraps(method)(call)
