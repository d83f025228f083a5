"""PyTorch backend: primitives on a torch device, autodiff through torch.autograd."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .base import Backend, BackendUnavailable, as_shape, norm_axis
from .padding import conv_pads, pair
from .torch_conv import strided_conv2d, worth_it

F32 = torch.float32


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.number))


class TorchBackend(Backend):
    name = "torch"
    autograd = True

    def __init__(self, device: str = "cpu"):
        try:
            self.torch_device = torch.device(device)
        except RuntimeError as error:
            raise BackendUnavailable(f"unknown torch device {device!r}: {error}") from None
        if self.torch_device.type == "cuda" and not torch.cuda.is_available():
            raise BackendUnavailable(f"device {device!r} is not available (no CUDA); "
                                     "pass --device cpu")
        super().__init__(str(device))

    # ---- creation and conversion ----
    def asarray(self, a):
        if isinstance(a, torch.Tensor):
            if a.dtype == F32 and a.device == self.torch_device:
                return a
            return a.to(device=self.torch_device, dtype=F32)
        host = np.asarray(a, dtype=np.float32)
        if not host.flags.writeable or any(step < 0 for step in host.strides):
            host = host.copy()  # torch cannot wrap read-only or reversed numpy views
        return torch.as_tensor(host, device=self.torch_device)

    def to_numpy(self, x):
        if isinstance(x, torch.Tensor):
            return x.detach().cpu().numpy()
        return np.asarray(x)

    def zeros(self, shape):
        return torch.zeros(as_shape(shape), dtype=F32, device=self.torch_device)

    def ones(self, shape):
        return torch.ones(as_shape(shape), dtype=F32, device=self.torch_device)

    def full(self, shape, value):
        return torch.full(as_shape(shape), float(value), dtype=F32, device=self.torch_device)

    def shape(self, x):
        return tuple(x.shape) if isinstance(x, torch.Tensor) else np.shape(x)  # Size: ints

    def is_array(self, x):
        return isinstance(x, torch.Tensor)

    def cast_float(self, mask):
        return mask.to(F32) if isinstance(mask, torch.Tensor) else self.asarray(mask)

    # ---- element-wise ----
    def exp(self, x):
        return torch.exp(x)

    def _log(self, x):
        return torch.log(x)

    def tanh(self, x):
        return torch.tanh(x)

    def sigmoid(self, x):
        return torch.sigmoid(x)

    def sqrt(self, x):
        return torch.sqrt(torch.clamp_min(x, 0.0))

    def abs(self, x):
        return torch.abs(x)

    def _sign(self, x):
        return torch.sign(x)

    def floor(self, x):
        return torch.floor(x)

    def erf(self, x):
        return torch.erf(x)

    def softplus(self, x):
        return F.softplus(x)

    def relu(self, x, thresh=0.0):
        if _is_number(thresh) and thresh == 0:
            # the same values as max(x, 0); its backward is one fused pass over the output
            # (clamp_min's compares, then selects: 2 ms of a demo learning step)
            return torch.relu(self.asarray(x))
        return super().relu(x, thresh)

    def _binary(self, a, b, tensor_op, clamp_op, python_op):
        a = a if _is_number(a) else self.asarray(a)
        b = b if _is_number(b) else self.asarray(b)
        if _is_number(a) and _is_number(b):
            return self.asarray(python_op(a, b))
        if _is_number(b):
            return clamp_op(a, b)
        if _is_number(a):
            return clamp_op(b, a)
        return tensor_op(a, b)

    def maximum(self, a, b):
        return self._binary(a, b, torch.maximum, torch.clamp_min, max)

    def minimum(self, a, b):
        return self._binary(a, b, torch.minimum, torch.clamp_max, min)

    def where(self, cond, a, b):
        return torch.where(cond, a, b)

    def _clip(self, x, lo, hi):
        if lo is not None:
            x = self.maximum(x, lo)
        return x if hi is None else self.minimum(x, hi)

    # ---- reductions ----
    def _reduce(self, op, x, axis, keepdims, **options):
        axis = norm_axis(axis)
        if axis is None:
            out = op(x, **options)
            return out.reshape((1,) * x.dim()) if keepdims else out
        return op(x, dim=axis, keepdim=bool(keepdims), **options)

    def sum(self, x, axis=None, keepdims=False):
        return self._reduce(torch.sum, x, axis, keepdims)

    def mean(self, x, axis=None, keepdims=False):
        return self._reduce(torch.mean, x, axis, keepdims)

    def max(self, x, axis=None, keepdims=False):
        return self._reduce(torch.amax, x, axis, keepdims)

    def min(self, x, axis=None, keepdims=False):
        return self._reduce(torch.amin, x, axis, keepdims)

    def prod(self, x, axis=None, keepdims=False):
        axis = norm_axis(axis)
        if not isinstance(axis, tuple):
            return self._reduce(torch.prod, x, axis, keepdims)
        for dim in sorted((a % x.dim() for a in axis), reverse=True):
            x = torch.prod(x, dim=dim, keepdim=bool(keepdims))
        return x

    def var(self, x, axis=None, keepdims=False):
        return self._reduce(torch.var, x, axis, keepdims, correction=0)

    def std(self, x, axis=None, keepdims=False):
        return self._reduce(torch.std, x, axis, keepdims, correction=0)

    def any(self, x, axis=None, keepdims=False):
        return self._reduce(torch.any, x, axis, keepdims)

    def argmax(self, x, axis=-1):
        return torch.argmax(x, dim=axis)

    def argmin(self, x, axis=-1):
        return torch.argmin(x, dim=axis)

    # ---- shapes ----
    def reshape(self, x, shape):
        return torch.reshape(x, as_shape(shape))

    def transpose(self, x, axes=None):
        return x.permute(*(reversed(range(x.dim())) if axes is None else axes))

    def concatenate(self, tensors, axis=0):
        return torch.cat(list(tensors), dim=axis)

    def repeat(self, x, reps, axis):
        if isinstance(reps, (int, np.integer)):
            reps = int(reps)
        else:  # one count per element along axis
            reps = torch.as_tensor(reps, device=x.device)
        return torch.repeat_interleave(x, reps, dim=axis)

    def broadcast_to(self, x, shape):
        return torch.broadcast_to(x, as_shape(shape))

    def expand_dims(self, x, axis):
        axis = norm_axis(axis)
        axes = axis if isinstance(axis, tuple) else (axis,)
        rank = x.dim() + len(axes)
        for dim in sorted(a % rank for a in axes):
            x = torch.unsqueeze(x, dim)
        return x

    def stack(self, tensors, axis=0):
        return torch.stack(list(tensors), dim=axis)

    # ---- linear algebra, images ----
    def softmax(self, x, axis=1):
        return torch.softmax(x, dim=axis)

    def matmul(self, a, b):
        return torch.matmul(a, b)

    def tensordot(self, x, y, axes=2):
        return torch.tensordot(x, y, dims=axes)

    def conv2d(self, x, w, stride=(1, 1), dilation=(1, 1), padding="same", groups=1):
        (top, bottom), (left, right) = conv_pads(tuple(x.shape[2:]), tuple(w.shape[2:]),
                                                 stride, dilation, padding)
        if top or bottom or left or right:
            x = F.pad(x, (left, right, top, bottom))
        if worth_it(x, w, pair(stride), pair(dilation), groups):  # a faster input gradient
            return strided_conv2d(x, w, pair(stride))
        return F.conv2d(x, w, stride=pair(stride), dilation=pair(dilation), groups=groups)

    def upsample_nearest(self, x, factors):
        kx, ky = pair(factors)
        return torch.repeat_interleave(torch.repeat_interleave(x, kx, dim=2), ky, dim=3)

    def bilinear_sample(self, img, py, px):
        agents, _, height, width = img.shape
        py = torch.clamp(py, 0.0, height - 1.0)
        px = torch.clamp(px, 0.0, width - 1.0)
        y0, x0 = torch.floor(py), torch.floor(px)
        wy, wx = (py - y0).unsqueeze(1), (px - x0).unsqueeze(1)
        y0, x0 = y0.long(), x0.long()
        y1, x1 = torch.clamp_max(y0 + 1, height - 1), torch.clamp_max(x0 + 1, width - 1)
        pixels = img.permute(0, 2, 3, 1)  # [A, H, W, C]
        agent = torch.arange(agents, device=img.device)[:, None, None]

        def take(yi, xi):
            return pixels[agent, yi, xi].permute(0, 3, 1, 2)  # [A, C, Ho, Wo]

        top = take(y0, x0) * (1.0 - wx) + take(y0, x1) * wx
        bottom = take(y1, x0) * (1.0 - wx) + take(y1, x1) * wx
        return top * (1.0 - wy) + bottom * wy

    # ---- autodiff and execution ----
    def value_and_grad(self, fn):
        def value_and_grad_fn(params, *args, **kwargs):
            names = list(params)
            leaves = {k: self.asarray(params[k]).detach().clone().requires_grad_(True)
                      for k in names}
            with torch.enable_grad():
                value = fn(leaves, *args, **kwargs)
                if not isinstance(value, torch.Tensor) or value.numel() != 1:
                    raise ValueError("value_and_grad: fn must return a scalar tensor")
                if value.requires_grad:
                    grads = torch.autograd.grad(value.reshape(()), [leaves[k] for k in names],
                                                allow_unused=True)
                else:
                    grads = [None] * len(names)
            grads = {k: torch.zeros_like(leaves[k]) if g is None else g
                     for k, g in zip(names, grads)}
            return value.detach().reshape(()), grads
        return value_and_grad_fn

    def compile(self, fn):
        return fn

    def no_grad(self):
        return torch.no_grad()

    def set_threads(self, n):
        torch.set_num_threads(int(n))

    def detach(self, x):
        return x.detach() if isinstance(x, torch.Tensor) else x
