"""Neuron-pool update (neuronal.md 1.2, with the fixes of docs/differences.md).

Sum of incoming SPs (noisy-OR when binary) -> noise -> batchnorm mean/std ->
layernorm mean/std -> gain -> bias -> act -> dropout -> zoneout.
"""
from __future__ import annotations

from typing import Mapping

from statestream.graph.layout import np_params
from statestream.graph.model import Graph

from .common import add_noise, apply_expr, mode_view
from .init import resolve_param
from .synapse_pool import build_sp

NORM_EPS = 1e-6
BATCH_AXES = {"full": (0, 1, 2, 3), "spatial": (0, 2, 3), "feature": (0, 1), "scalar": (0,)}
LAYER_AXES = {"full": (1, 2, 3), "spatial": (2, 3), "feature": (1,)}


def _unique(values) -> tuple:
    return tuple(dict.fromkeys(values))


class NPUpdate:
    """Callable ``(states, params, frame, seed, exclude) -> the NP's new state``.

    ``states``: NP name -> previous state; ``params``: (owner item, parameter) -> array.
    """

    def __init__(self, np_name: str, graph: Graph, B):
        self.name, self.B = np_name, B
        self.np = graph.neuron_pools[np_name]
        self.state_shape = graph.np_state_shape(np_name)
        self.own_params = tuple(p.name for p in np_params(self.np, graph.agents))
        self.incoming = []  # (sp name, forward, {pname: owner key})
        for sp in graph.incoming(np_name):
            forward = build_sp(sp, graph, B)
            owners = {p: resolve_param(graph, sp.name, p) for p in forward.param_names}
            self.incoming.append((sp.name, forward, owners))
        self.sps = tuple(name for name, _, _ in self.incoming)
        self.param_keys = _unique([(np_name, p) for p in self.own_params]
                                  + [key for _, _, owners in self.incoming
                                     for key in owners.values()])
        sources = [s for sp in graph.incoming(np_name) for s in sp.source_nps]
        self.reads = _unique(sources + ([np_name] if self.np.zoneout is not None else []))

    def __call__(self, states: Mapping, params: Mapping, frame: int, seed: int,
                 exclude: frozenset = frozenset()):
        B, np_ = self.B, self.np
        own = {p: params[(self.name, p)] for p in self.own_params}
        h = self._input(states, params, frame, seed, exclude)
        h = add_noise(B, h, np_.noise, own, (seed, self.name, "noise", frame))
        h = self._normalise(h)
        spatial = tuple(np_.shape[1:])
        if np_.gain_shape is not None:
            h = h * mode_view(B, own["g"], np_.gain_shape, np_.features, spatial)
        if np_.bias_shape is not None:
            h = h + mode_view(B, own["b"], np_.bias_shape, np_.features, spatial)
        a = apply_expr(B, np_.act, h)
        if np_.dropout is not None:
            keep = 1.0 - own["dropout"]
            mask = B.bernoulli((seed, self.name, "dropout", frame), self.state_shape, keep)
            a = a * mask / B.maximum(keep, 1e-12)
        previous = states.get(self.name)
        if np_.zoneout is not None and previous is not None:
            hold = B.bernoulli((seed, self.name, "zoneout", frame), self.state_shape,
                               own["zoneout"])
            a = B.where(hold > 0.5, previous, a)
        return a

    def _input(self, states, params, frame, seed, exclude):
        """Sum (or noisy-OR for binary NPs) of the incoming SP outputs."""
        h = None
        for name, forward, owners in self.incoming:
            if name in exclude:
                continue
            post = forward(states, {p: params[key] for p, key in owners.items()}, frame, seed)
            if h is None:
                h = post
            elif self.np.binary:
                h = h + post * (1.0 - h)
            else:
                h = h + post
        return self.B.zeros(self.state_shape) if h is None else h

    def _normalise(self, h):
        B, np_ = self.B, self.np
        for mode, axes_of, centre in ((np_.batchnorm_mean, BATCH_AXES, True),
                                      (np_.batchnorm_std, BATCH_AXES, False),
                                      (np_.layernorm_mean, LAYER_AXES, True),
                                      (np_.layernorm_std, LAYER_AXES, False)):
            if mode is None:
                continue
            axes = axes_of[mode]
            if centre:
                h = h - B.mean(h, axis=axes, keepdims=True)
            else:
                h = h / B.sqrt(B.var(h, axis=axes, keepdims=True) + NORM_EPS)
        return h


def build_np(np_name: str, graph: Graph, B) -> NPUpdate:
    """The update of neuron-pool ``np_name`` on backend ``B``."""
    return NPUpdate(np_name, graph, B)


def build_network(graph: Graph, B) -> dict[str, NPUpdate]:
    """``{np name: NPUpdate}`` for every neuron-pool of ``graph``."""
    return {name: build_np(name, graph, B) for name in graph.neuron_pools}
