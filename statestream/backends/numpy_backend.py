"""NumPy backend: forward-only reference implementation of the primitives (CPU)."""
from __future__ import annotations

import contextlib

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .base import Backend, BackendUnavailable, as_shape, norm_axis
from .padding import conv_output_hw, conv_pads, pair

F32 = np.float32
_IM2COL_BYTES = 1 << 26  # bound on the window copy made per conv2d chunk
# Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7)
_ERF_P = 0.3275911
_ERF_A = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)


class NumpyBackend(Backend):
    name = "numpy"

    def __init__(self, device: str = "cpu"):
        if str(device) != "cpu":
            raise BackendUnavailable(f"the numpy backend runs on the cpu only, not {device!r}; "
                                     "pass --backend torch for other devices")
        super().__init__("cpu")

    # ---- creation and conversion ----
    def asarray(self, a):
        if hasattr(a, "detach"):  # a torch tensor
            a = a.detach().cpu().numpy()
        return np.asarray(a, dtype=F32)

    def to_numpy(self, x):
        return np.asarray(x)

    def zeros(self, shape):
        return np.zeros(shape, F32)

    def ones(self, shape):
        return np.ones(shape, F32)

    def full(self, shape, value):
        return np.full(shape, value, F32)

    def shape(self, x):
        return tuple(int(s) for s in np.shape(x))

    def is_array(self, x):
        return isinstance(x, (np.ndarray, np.generic))

    def cast_float(self, mask):
        return np.asarray(mask).astype(F32)

    # ---- element-wise ----
    def exp(self, x):
        return np.exp(x)

    def _log(self, x):
        return np.log(x)

    def tanh(self, x):
        return np.tanh(x)

    def sigmoid(self, x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(F32, copy=False)

    def sqrt(self, x):
        return np.sqrt(np.maximum(x, 0.0))

    def abs(self, x):
        return np.abs(x)

    def _sign(self, x):
        return np.sign(x)

    def floor(self, x):
        return np.floor(x)

    def erf(self, x):
        x64 = np.asarray(x, np.float64)
        t = 1.0 / (1.0 + _ERF_P * np.abs(x64))
        poly = 0.0
        for coefficient in _ERF_A:
            poly = (poly + coefficient) * t
        return (np.sign(x64) * (1.0 - poly * np.exp(-x64 * x64))).astype(F32)

    def softplus(self, x):
        return np.logaddexp(np.asarray(x, F32), F32(0))

    def maximum(self, a, b):
        return np.maximum(a, b)

    def minimum(self, a, b):
        return np.minimum(a, b)

    def where(self, cond, a, b):
        out = np.where(cond, a, b)
        return out.astype(F32) if out.dtype == np.float64 else out

    def _clip(self, x, lo, hi):
        return np.clip(x, lo, hi)

    # ---- reductions ----
    def sum(self, x, axis=None, keepdims=False):
        return np.sum(x, axis=norm_axis(axis), keepdims=keepdims)

    def mean(self, x, axis=None, keepdims=False):
        return np.mean(x, axis=norm_axis(axis), keepdims=keepdims)

    def max(self, x, axis=None, keepdims=False):
        return np.max(x, axis=norm_axis(axis), keepdims=keepdims)

    def min(self, x, axis=None, keepdims=False):
        return np.min(x, axis=norm_axis(axis), keepdims=keepdims)

    def prod(self, x, axis=None, keepdims=False):
        return np.prod(x, axis=norm_axis(axis), keepdims=keepdims)

    def var(self, x, axis=None, keepdims=False):
        return np.var(x, axis=norm_axis(axis), keepdims=keepdims)

    def std(self, x, axis=None, keepdims=False):
        return np.std(x, axis=norm_axis(axis), keepdims=keepdims)

    def any(self, x, axis=None, keepdims=False):
        return np.any(x, axis=norm_axis(axis), keepdims=keepdims)

    def argmax(self, x, axis=-1):
        return np.argmax(x, axis=axis)

    def argmin(self, x, axis=-1):
        return np.argmin(x, axis=axis)

    # ---- shapes ----
    def reshape(self, x, shape):
        return np.reshape(x, as_shape(shape))

    def transpose(self, x, axes=None):
        return np.transpose(x, axes)

    def concatenate(self, tensors, axis=0):
        return np.concatenate(list(tensors), axis=axis)

    def repeat(self, x, reps, axis):
        return np.repeat(x, reps, axis=axis)

    def broadcast_to(self, x, shape):
        return np.broadcast_to(x, as_shape(shape))

    def expand_dims(self, x, axis):
        return np.expand_dims(x, norm_axis(axis))

    def stack(self, tensors, axis=0):
        return np.stack(list(tensors), axis=axis)

    # ---- linear algebra, images ----
    def softmax(self, x, axis=1):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)

    def matmul(self, a, b):
        return np.matmul(a, b)

    def tensordot(self, x, y, axes=2):
        return np.tensordot(x, y, axes=axes)

    def conv2d(self, x, w, stride=(1, 1), dilation=(1, 1), padding="same", groups=1):
        x, w = np.asarray(x, F32), np.asarray(w, F32)
        n, cin, height, width = x.shape
        cout, cin_group, kh, kw = w.shape
        if cin != cin_group * groups or cout % groups:
            raise ValueError(f"conv2d: input {x.shape}, kernel {w.shape}, groups={groups} "
                             "do not fit")
        (sh, sw), (dh, dw) = pair(stride), pair(dilation)
        pads = conv_pads((height, width), (kh, kw), (sh, sw), (dh, dw), padding)
        ho, wo = conv_output_hw((height, width), (kh, kw), (sh, sw), (dh, dw), pads)
        if any(p for side in pads for p in side):
            x = np.pad(x, ((0, 0), (0, 0)) + pads)
        windows = sliding_window_view(x, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(2, 3))
        windows = windows[:, :, ::sh, ::sw, ::dh, ::dw][:, :, :ho, :wo]  # [N, Cin, Ho, Wo, kh, kw]
        out = np.empty((n, cout, ho, wo), F32)
        cout_group = cout // groups
        chunk = max(1, _IM2COL_BYTES // (4 * cin_group * ho * wo * kh * kw))
        for g in range(groups):
            kernel = w[g * cout_group:(g + 1) * cout_group]
            channels = slice(g * cin_group, (g + 1) * cin_group)
            for start in range(0, n, chunk):
                part = windows[start:start + chunk, channels]
                result = np.tensordot(part, kernel, axes=([1, 4, 5], [1, 2, 3]))
                out[start:start + chunk, g * cout_group:(g + 1) * cout_group] = \
                    result.transpose(0, 3, 1, 2)
        return out

    def upsample_nearest(self, x, factors):
        kx, ky = pair(factors)
        return np.repeat(np.repeat(x, kx, axis=2), ky, axis=3)

    def bilinear_sample(self, img, py, px):
        img = np.asarray(img, F32)
        agents, _, height, width = img.shape
        py = np.clip(np.asarray(py, F32), 0.0, height - 1.0)
        px = np.clip(np.asarray(px, F32), 0.0, width - 1.0)
        y0, x0 = np.floor(py), np.floor(px)
        wy, wx = (py - y0)[:, None], (px - x0)[:, None]
        y0, x0 = y0.astype(np.int64), x0.astype(np.int64)
        y1, x1 = np.minimum(y0 + 1, height - 1), np.minimum(x0 + 1, width - 1)
        pixels = img.transpose(0, 2, 3, 1)  # [A, H, W, C]
        agent = np.arange(agents)[:, None, None]

        def take(yi, xi):
            return pixels[agent, yi, xi].transpose(0, 3, 1, 2)  # [A, C, Ho, Wo]

        top = take(y0, x0) * (1.0 - wx) + take(y0, x1) * wx
        bottom = take(y1, x0) * (1.0 - wx) + take(y1, x1) * wx
        return top * (1.0 - wy) + bottom * wy

    # ---- autodiff and execution ----
    def value_and_grad(self, fn):
        raise NotImplementedError("the numpy backend is forward-only; use --backend torch")

    def compile(self, fn):
        return fn

    def no_grad(self):
        return contextlib.nullcontext()

    def set_threads(self, n):
        return None

    def detach(self, x):
        return x
