"""conv2d against torch.nn.functional.conv2d on an explicitly (hand-)padded input."""
import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from statestream.backends.padding import same_pads

from .helpers import assert_close

RNG = np.random.default_rng(3)


def hand_same(n, k, stride, dilation):
    """TF SAME with dilation: ceil(n / stride) outputs, odd total pad puts the extra at the end."""
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + (k - 1) * dilation + 1 - n, 0)
    return total // 2, total - total // 2


def reference(x, w, stride, dilation, pads, groups=1):
    (top, bottom), (left, right) = pads
    padded = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    out = F.conv2d(torch.from_numpy(padded).double(), torch.from_numpy(w).double(),
                   stride=stride, dilation=dilation, groups=groups)
    return out.numpy()


def run_both(np_b, torch_b, x, w, expected, **kwargs):
    for B in (np_b, torch_b):
        out = B.to_numpy(B.conv2d(B.asarray(x), B.asarray(w), **kwargs))
        assert out.dtype == np.float32
        assert_close(out, expected.astype(np.float32))


def test_same_rule_by_hand():
    assert same_pads(5, 2) == (0, 1)  # even kernel: the extra pad goes at the end
    assert same_pads(8, 3, 2) == (0, 1)
    assert same_pads(7, 3, 2) == (1, 1)
    assert same_pads(7, 5, 1, 2) == (4, 4)
    assert same_pads(6, 1, 3) == (0, 0)
    assert same_pads(4, 4, 3) == (1, 2)  # out 2: (2-1)*3 + 4 - 4 = 3
    for n, k, s, d in itertools.product(range(1, 10), range(1, 6), range(1, 4), range(1, 3)):
        assert same_pads(n, k, s, d) == hand_same(n, k, s, d)


SIZES = [(5, 5), (7, 8), (8, 6)]


@pytest.mark.parametrize("kernel", [1, 2, 3, 4, 5, (3, 2), (2, 5)])
@pytest.mark.parametrize("stride", [1, 2, 3, (1, 2)])
@pytest.mark.parametrize("dilation", [1, 2, (2, 1)])
def test_same_padding(np_b, torch_b, kernel, stride, dilation):
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    w = RNG.normal(0, 1, (4, 3, kh, kw)).astype(np.float32)
    for height, width in SIZES:
        x = RNG.normal(0, 1, (2, 3, height, width)).astype(np.float32)
        pads = (hand_same(height, kh, sh, dh), hand_same(width, kw, sw, dw))
        expected = reference(x, w, (sh, sw), (dh, dw), pads)
        assert expected.shape == (2, 4, math.ceil(height / sh), math.ceil(width / sw))
        run_both(np_b, torch_b, x, w, expected, stride=stride, dilation=dilation,
                 padding="same")


@pytest.mark.parametrize("kernel, stride, dilation", [(1, 1, 1), (2, 1, 1), (3, 2, 1),
                                                      (3, 1, 2), (4, 3, 1), (2, 2, 2)])
def test_valid_padding(np_b, torch_b, kernel, stride, dilation):
    x = RNG.normal(0, 1, (2, 3, 9, 8)).astype(np.float32)
    w = RNG.normal(0, 1, (5, 3, kernel, kernel)).astype(np.float32)
    expected = reference(x, w, stride, dilation, ((0, 0), (0, 0)))
    run_both(np_b, torch_b, x, w, expected, stride=(stride, stride),
             dilation=(dilation, dilation), padding="valid")


def test_explicit_padding(np_b, torch_b):
    x = RNG.normal(0, 1, (1, 2, 6, 7)).astype(np.float32)
    w = RNG.normal(0, 1, (3, 2, 3, 2)).astype(np.float32)
    pads = ((1, 2), (0, 3))
    run_both(np_b, torch_b, x, w, reference(x, w, (2, 1), (1, 1), pads), stride=(2, 1),
             padding=pads)


@pytest.mark.parametrize("kernel, stride", [(1, 1), (3, 1), (4, 2), (5, 3)])
def test_groups_are_per_agent_kernels(np_b, torch_b, kernel, stride):
    agents, sources, targets, size = 3, 2, 4, 7
    x = RNG.normal(0, 1, (1, agents * sources, size, size)).astype(np.float32)
    w = RNG.normal(0, 1, (agents * targets, sources, kernel, kernel)).astype(np.float32)
    pads = (hand_same(size, kernel, stride, 1),) * 2
    per_agent = [reference(x[:, a * sources:(a + 1) * sources],
                           w[a * targets:(a + 1) * targets], stride, 1, pads)
                 for a in range(agents)]
    expected = np.concatenate(per_agent, axis=1)
    assert_close(reference(x, w, stride, 1, pads, groups=agents), expected)
    run_both(np_b, torch_b, x, w, expected, stride=stride, groups=agents)


def test_shape_mismatch_is_reported(np_b):
    with pytest.raises(ValueError):
        np_b.conv2d(np.zeros((1, 4, 5, 5), np.float32), np.zeros((2, 3, 3, 3), np.float32))
    with pytest.raises(ValueError):
        np_b.conv2d(np.zeros((1, 1, 3, 3), np.float32), np.zeros((1, 1, 5, 5), np.float32),
                    padding="valid")
