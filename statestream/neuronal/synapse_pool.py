"""Synapse-pool forward pass (neuronal.md 2.4, with the fixes of docs/differences.md).

Per input: pact -> ppp -> weight_fnc(W) -> convolution (sp_inputs.py). Then per factor:
sum of its inputs (broadcast to the factor shape) + bias -> act; product over factors;
avgout (mean) -> maxout -> M -> ACT -> noise. The result has the target's state shape.
"""
from __future__ import annotations

from typing import Mapping

from statestream.graph.layout import conv_features, sp_params
from statestream.graph.model import Graph, SynapsePool

from .common import add_noise, apply_expr, mode_view
from .sp_inputs import conv_same, input_response, plan_inputs
from .sp_special import FuncForward, TransformerForward, broadcast_to_state


def factor_shape(mode: str, agents: int, features: int, spatial: tuple) -> tuple:
    x, y = spatial
    return {"full": (agents, features, x, y), "feature": (agents, features, 1, 1),
            "spatial": (agents, 1, x, y), "scalar": (agents, 1, 1, 1)}[mode]


def _broadcast_shape(a: tuple, b: tuple) -> tuple:
    return tuple(max(p, q) for p, q in zip(a, b))


def _group_features(B, y, size: int, reduce):
    """``reduce`` over contiguous blocks of ``size`` features: [A, F, X, Y] -> [A, F/size, X, Y]."""
    agents, features, x, w = B.shape(y)
    return reduce(B.reshape(y, (agents, features // size, size, x, w)), axis=2)


class SPForward:
    """Callable ``(sources, params, frame, seed) -> post-synaptic [A, C, Xt, Yt]``."""

    def __init__(self, sp: SynapsePool, graph: Graph, B):
        self.name, self.B, self.sp = sp.name, B, sp
        self.param_names = tuple(p.name for p in sp_params(sp, graph))
        target = graph.neuron_pools[sp.target]
        self.target_shape = graph.np_state_shape(sp.target)
        self.spatial = tuple(target.shape[1:])
        self.features = conv_features(sp, graph)
        self.plans = [[p for p in plan_inputs(sp, graph) if p.factor == f]
                      for f in range(sp.factors)]
        self.factor_shapes = [factor_shape(mode, graph.agents, self.features, self.spatial)
                              for mode in sp.factor_shapes]
        self.bias_modes = {f: mode for f, mode in enumerate(sp.bias_shapes or ())
                           if mode is not None}

    def _factor(self, f: int, sources, params):
        B = self.B
        total = None
        for plan in self.plans[f]:
            z = input_response(B, plan, sources[plan.source], params)
            total = z if total is None else total + z
        shape = _broadcast_shape(B.shape(total), self.factor_shapes[f])
        if B.shape(total) != shape:
            total = total + B.zeros(shape)
        if f in self.bias_modes:
            total = total + mode_view(B, params[f"b_{f}"], self.bias_modes[f], self.features,
                                      self.spatial)
        return apply_expr(B, self.sp.act[f], total)

    def __call__(self, sources: Mapping, params: Mapping, frame: int, seed: int):
        B, sp = self.B, self.sp
        y = None
        for f in range(sp.factors):
            value = self._factor(f, sources, params)
            y = value if y is None else y * value
        agents, _, xt, yt = self.target_shape
        full = (agents, self.features, xt, yt)
        if B.shape(y) != full:
            y = y + B.zeros(full)
        if sp.avgout > 1:
            y = _group_features(B, y, sp.avgout, B.mean)
        if sp.maxout > 1:
            y = _group_features(B, y, sp.maxout, B.max)
        if sp.M:
            y = conv_same(B, y, params["M"])
        y = apply_expr(B, sp.ACT, y)
        y = broadcast_to_state(B, y, self.target_shape, f"SP {self.name}")
        if sp.noise:
            y = add_noise(B, y, sp.noise, params, (seed, self.name, "noise", frame))
        return y


def build_sp(sp: SynapsePool, graph: Graph, B):
    """The forward callable of ``sp`` on backend ``B`` (SPForward, func or TRANSFORMER)."""
    if sp.func is not None:
        return FuncForward(sp, graph, B)
    if sp.transformer:
        return TransformerForward(sp, graph, B)
    return SPForward(sp, graph, B)
