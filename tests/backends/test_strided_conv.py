"""The strided convolution's GEMM input gradient (statestream/backends/torch_conv.py)."""
from __future__ import annotations

import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from statestream.backends import get_backend  # noqa: E402
from statestream.backends.torch_conv import strided_conv2d, worth_it  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

CASES = [  # agents, channels, features, kernel, stride, height, width
    (128, 16, 32, (5, 5), (4, 4), 17, 17),  # the demo's hidden1 -> hidden2
    (9, 3, 5, (3, 2), (2, 2), 12, 9),
    (4, 2, 3, (4, 4), (4, 4), 16, 20),  # windows that do not overlap
]


def _inputs(agents, channels, features, kernel, stride, height, width, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(agents, channels, height, width, generator=g).requires_grad_(True)
    w = (0.1 * torch.randn(features, channels, *kernel, generator=g)).requires_grad_(True)
    return x, w


@pytest.mark.parametrize("case", CASES)
def test_same_forward_and_gradients_within_rounding(case):
    x, w = _inputs(*case)
    stride = case[4]
    native = F.conv2d(x, w, stride=stride)
    ours = strided_conv2d(x, w, stride)
    assert torch.equal(native, ours)  # the states do not change
    gy = torch.randn_like(native)
    gx0, gw0 = torch.autograd.grad(native, [x, w], gy)
    gx1, gw1 = torch.autograd.grad(ours, [x, w], gy)
    assert torch.equal(gw0, gw1)  # the weight gradient is oneDNN's
    assert float((gx1 - gx0).norm() / gx0.norm()) < 1e-6
    assert float((gx1 - gx0).abs().max()) < 1e-5
    # only the weight wanted: no input gradient computed
    (only_w,) = torch.autograd.grad(strided_conv2d(x.detach(), w, stride), [w], gy)
    assert torch.equal(only_w, gw0)


_DETERMINISM = """
import sys, hashlib, torch
torch.set_num_threads(int(sys.argv[1]))
from statestream.backends.torch_conv import strided_conv2d
g = torch.Generator().manual_seed(3)
x = torch.randn(64, 16, 17, 17, generator=g).requires_grad_(True)
w = torch.randn(32, 16, 5, 5, generator=g).requires_grad_(True)
gy = torch.randn(64, 32, 4, 4, generator=g)
runs = set()
for _ in range(3):
    gx, gw = torch.autograd.grad(strided_conv2d(x, w, (4, 4)), [x, w], gy)
    runs.add((hashlib.sha256(gx.numpy().tobytes()).hexdigest(),
              hashlib.sha256(gw.numpy().tobytes()).hexdigest()))
print(*(" ".join(r) for r in runs))
"""


def test_deterministic_whatever_the_threads():
    outs = [subprocess.run([sys.executable, "-c", _DETERMINISM, str(n)], capture_output=True,
                           text=True, timeout=120, cwd=ROOT, check=True).stdout.split()
            for n in (1, 2, 4)]
    assert all(len(out) == 2 for out in outs), outs  # the same bits every time
    # the input gradient does not even depend on the threads (oneDNN's weight gradient
    # does, as it always did: one worker thread per process in the runtime)
    assert outs[0][0] == outs[1][0] == outs[2][0]


def test_used_only_where_it_pays():
    x, w = _inputs(*CASES[0])
    assert worth_it(x, w, (4, 4), (1, 1), 1)
    assert not worth_it(x.detach(), w, (4, 4), (1, 1), 1)  # no input gradient wanted
    assert not worth_it(x, w, (1, 1), (1, 1), 1)  # windows overlap 25-fold: oneDNN's
    assert not worth_it(x, w, (4, 4), (2, 2), 1)  # dilated
    small, w_small = _inputs(2, 2, 3, (5, 5), (4, 4), 17, 17)
    assert not worth_it(small, w_small, (4, 4), (1, 1), 1)  # too little work
    with torch.no_grad():
        assert not worth_it(x, w, (4, 4), (1, 1), 1)


def test_the_torch_backend_uses_it_for_the_demo_layer():
    B = get_backend("torch")
    x, w = _inputs(*CASES[0])
    y = B.conv2d(x[:, :, :16, :16], w, stride=(4, 4), padding="same")
    assert y.grad_fn is not None and "StridedConv2d" in type(y.grad_fn).__name__
    with torch.no_grad():
        plain = B.conv2d(x[:, :, :16, :16], w, stride=(4, 4), padding="same")
    assert torch.equal(plain, y.detach())
