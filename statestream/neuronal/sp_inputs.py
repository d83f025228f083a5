"""One synapse-pool input: pact -> ppp -> weight_fnc(W) -> convolution (neuronal.md 2.4).

Kernels of rank 5 carry a leading agents axis (unshared, or shared from an unshared
owner) and run as one grouped convolution with ``groups = agents``.
"""
from __future__ import annotations

from dataclasses import dataclass

from statestream.graph.expr import Expr
from statestream.graph.layout import conv_features, input_geometry
from statestream.graph.model import Graph, SynapsePool

from .common import apply_expr


@dataclass(frozen=True)
class InputPlan:
    """Everything static about input (factor, index) of an SP."""

    factor: int
    index: int
    source: str
    pact: Expr
    weight_fnc: Expr
    weight: str  # W_f_i
    projection: str | None  # P_f_i when ppp > 0
    kernel_shape: tuple  # [F', S, rx, ry] the weight is broadcast to
    matmul: bool  # dense (rf 0) or a source without space: one matrix product
    stride: tuple  # per spatial axis
    upsample: tuple  # per spatial axis, nearest neighbour, before the convolution
    dilation: tuple


def _axis_factors(src: int, tgt: int) -> tuple[int, int]:
    """(stride, upsampling) that map ``src`` positions onto ``tgt`` along one axis."""
    if src > tgt:
        return src // tgt, 1
    if src < tgt:
        return 1, tgt // src
    return 1, 1


def plan_inputs(sp: SynapsePool, graph: Graph) -> list[InputPlan]:
    target = graph.neuron_pools[sp.target]
    fconv = conv_features(sp, graph)
    plans = []
    for geo in input_geometry(sp, graph):
        f, i = geo.factor, geo.index
        xs, ys = graph.neuron_pools[geo.source].shape[1:]
        (sx, ux), (sy, uy) = (_axis_factors(xs, target.shape[1]),
                              _axis_factors(ys, target.shape[2]))
        one_d = ys == 1 and xs > 1
        out_features = fconv if geo.target_mode in ("full", "feature") else 1
        plans.append(InputPlan(
            factor=f, index=i, source=geo.source, pact=sp.pact[f][i],
            weight_fnc=sp.weight_fnc[f][i], weight=f"W_{f}_{i}",
            projection=f"P_{f}_{i}" if sp.ppp[f][i] > 0 else None,
            kernel_shape=(out_features, geo.src_features) + tuple(geo.kernel),
            matmul=geo.dense or (xs, ys) == (1, 1),
            stride=(sx, sy), upsample=(ux, uy),
            dilation=(geo.dilation, 1) if one_d else (geo.dilation, geo.dilation)))
    return plans


def conv_same(B, x, kernel, stride=(1, 1), dilation=(1, 1)):
    """"same" convolution of x [A, S, X, Y] by [F, S, kx, ky] or per agent [A, F, S, kx, ky]."""
    kshape = B.shape(kernel)
    if len(kshape) == 4:
        return B.conv2d(x, kernel, stride=stride, dilation=dilation, padding="same")
    agents, features = kshape[:2]
    xa, channels, height, width = B.shape(x)
    if xa != agents:
        raise ValueError(f"per-agent kernel {list(kshape)} for a state of {xa} agents")
    out = B.conv2d(B.reshape(x, (1, agents * channels, height, width)),
                   B.reshape(kernel, (agents * features,) + tuple(kshape[2:])),
                   stride=stride, dilation=dilation, padding="same", groups=agents)
    return B.reshape(out, (agents, features) + tuple(B.shape(out)[2:]))


def dense(B, x, kernel):
    """Valid convolution over the whole source extent, as a matrix product -> [A, F, 1, 1]."""
    agents = B.shape(x)[0]
    kshape = B.shape(kernel)
    size = kshape[-3] * kshape[-2] * kshape[-1]
    if len(kshape) == 4:
        matrix = B.transpose(B.reshape(kernel, (kshape[0], size)), (1, 0))
        out = B.matmul(B.reshape(x, (agents, size)), matrix)
    else:
        out = B.matmul(B.reshape(kernel, (kshape[0], kshape[1], size)),
                       B.reshape(x, (agents, size, 1)))
    return B.reshape(out, (agents, kshape[-4], 1, 1))


def input_response(B, plan: InputPlan, state, params):
    """The convolution output of one input: [A, F', X', Y'] (X' = Y' = 1 when dense)."""
    x = apply_expr(B, plan.pact, state)
    if plan.projection is not None:
        x = conv_same(B, x, params[plan.projection])
    w = apply_expr(B, plan.weight_fnc, params[plan.weight])
    wshape = B.shape(w)
    full = (wshape[0],) + plan.kernel_shape if len(wshape) == 5 else plan.kernel_shape
    if wshape != full:
        w = B.broadcast_to(w, full)
    if plan.matmul:
        return dense(B, x, w)
    if plan.upsample != (1, 1):
        x = B.upsample_nearest(x, plan.upsample)
    return conv_same(B, x, w, plan.stride, plan.dilation)
