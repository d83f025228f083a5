"""SP convolution geometry against torch.nn.functional.conv2d on explicitly padded input.

SAME rule per axis: out = ceil(N / stride), total pad = max((out - 1) * stride +
(k - 1) * d + 1 - N, 0), the odd pixel of padding at the end.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from .helpers import both, graph, sp_step


def same_pads(size, kernel, stride, dilation):
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def reference(x, w, stride, dilation, upsample):
    x = torch.as_tensor(x)
    x = x.repeat_interleave(upsample[0], dim=2).repeat_interleave(upsample[1], dim=3)
    top, bottom = same_pads(x.shape[2], w.shape[2], stride[0], dilation[0])
    left, right = same_pads(x.shape[3], w.shape[3], stride[1], dilation[1])
    padded = F.pad(x, (left, right, top, bottom))
    return F.conv2d(padded, torch.as_tensor(w), stride=stride, dilation=dilation).numpy()


def check(src, tgt, rf, dilation, stride, upsample):
    g = graph(f"""
    neuron_pools:
      s: {{shape: [2, {src[0]}, {src[1]}]}}
      t: {{shape: [3, {tgt[0]}, {tgt[1]}]}}
    synapse_pools:
      sp: {{source: [[s]], target: t, rf: {rf}, dilation: {dilation}}}
    """)
    rng = np.random.default_rng(rf * 100 + dilation * 10 + src[0])
    x = rng.normal(size=(2, 2) + tuple(src)).astype(np.float32)
    one_d = src[1] == 1 and src[0] > 1
    kernel = (rf, 1) if one_d else (rf, rf)
    w = rng.normal(size=(3, 2) + kernel).astype(np.float32)
    dil = (dilation, 1) if one_d else (dilation, dilation)
    expected = reference(x, w, stride, dil, upsample)
    assert expected.shape == (2, 3) + tuple(tgt)
    out = both(sp_step, g, "sp", {"s": x}, {"W_0_0": w})
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("target, stride, rf, dilation", list(itertools.product(
    [(3, 5), (4, 4)], [1, 2, 3], [1, 2, 3, 4, 5], [1, 2])))
def test_same_and_strided(target, stride, rf, dilation):
    source = (target[0] * stride, target[1] * stride)
    check(source, target, rf, dilation, (stride, stride), (1, 1))


@pytest.mark.parametrize("factor, rf, dilation", list(itertools.product(
    [2, 3], [1, 2, 3, 4], [1, 2])))
def test_upsampled(factor, rf, dilation):
    source = (2, 3)
    check(source, (2 * factor, 3 * factor), rf, dilation, (1, 1), (factor, factor))


@pytest.mark.parametrize("ratio, rf, dilation", list(itertools.product(
    [-3, -2, 1, 2, 3], [2, 3], [1, 2])))
def test_one_d_sources_act_along_axis_2(ratio, rf, dilation):
    if ratio > 0:
        check((5 * ratio, 1), (5, 1), rf, dilation, (ratio, 1), (1, 1))
    else:
        check((3, 1), (3 * -ratio, 1), rf, dilation, (1, 1), (-ratio, 1))
