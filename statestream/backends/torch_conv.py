"""A strided convolution whose input gradient is one GEMM and one scatter-add (CPU).

oneDNN computes the input gradient of a convolution whose stride is close to its kernel
(the demo's 5x5, stride 4) several times slower than the GEMM it amounts to: the
gradient of every window is ``dY @ W`` at once, then added onto the input positions it
came from (``index_add_``, one thread per agent row: deterministic). The forward pass and
the weight gradient stay oneDNN's, so states are unchanged; only the input gradient's
summation order differs (within float32 rounding of the native one, tested).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

MAX_OVERLAP = 2.0  # kernel area / stride area: above it the scatter is the larger work
MIN_WORK = 1 << 16  # window values (agents x windows x taps): below it oneDNN's is faster
_INDEX: dict = {}  # (channels, H, W, kernel, stride) -> flat input position of each tap


def worth_it(x, w, stride, dilation, groups) -> bool:
    """Use the GEMM input gradient: CPU, no groups or dilation, little window overlap,
    enough work, an input that needs a gradient."""
    if not (x.requires_grad and torch.is_grad_enabled() and x.device.type == "cpu"
            and groups == 1 and tuple(dilation) == (1, 1)):
        return False
    agents, channels, height, width = x.shape
    kx, ky = w.shape[2:]
    (sx, sy) = stride
    windows = ((height - kx) // sx + 1) * ((width - ky) // sy + 1)
    return (kx * ky <= MAX_OVERLAP * sx * sy
            and agents * windows * channels * kx * ky >= MIN_WORK)


def _taps(channels: int, height: int, width: int, kernel, stride) -> torch.Tensor:
    key = (channels, height, width, tuple(kernel), tuple(stride))
    if key not in _INDEX:
        (kx, ky), (sx, sy) = kernel, stride
        ox, oy = (height - kx) // sx + 1, (width - ky) // sy + 1
        r = torch.arange(ox).view(ox, 1, 1, 1, 1)
        c = torch.arange(oy).view(1, oy, 1, 1, 1)
        ch = torch.arange(channels).view(1, 1, channels, 1, 1)
        i = torch.arange(kx).view(1, 1, 1, kx, 1)
        j = torch.arange(ky).view(1, 1, 1, 1, ky)
        _INDEX[key] = ((ch * height + sx * r + i) * width + sy * c + j).reshape(-1)
    return _INDEX[key]


class StridedConv2d(torch.autograd.Function):
    """``F.conv2d(x, w, stride=stride)`` (x already padded)."""

    @staticmethod
    def forward(ctx, x, w, stride):
        ctx.save_for_backward(x, w)
        ctx.stride = stride
        return F.conv2d(x, w, stride=stride)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        stride = ctx.stride
        gx = gw = None
        if ctx.needs_input_grad[1]:
            gw = torch.ops.aten.convolution_backward(
                gy, x, w, None, stride, (0, 0), (1, 1), False, (0, 0), 1,
                (False, True, False))[1]
        if ctx.needs_input_grad[0]:
            agents, channels, height, width = x.shape
            features, _, kx, ky = w.shape
            ox, oy = gy.shape[2:]
            rows = gy.permute(0, 2, 3, 1).reshape(agents * ox * oy, features)
            windows = torch.mm(rows, w.reshape(features, -1)).view(agents, -1)
            gx = torch.zeros(agents, channels * height * width, dtype=gy.dtype)
            gx.index_add_(1, _taps(channels, height, width, (kx, ky), stride), windows)
            gx = gx.view(agents, channels, height, width)
        return gx, gw, None


def strided_conv2d(x, w, stride):
    return StridedConv2d.apply(x, w, tuple(stride))


__all__ = ["StridedConv2d", "strided_conv2d", "worth_it"]
