"""Hebbian family: outer products of post- and pre-synaptic activity (no autograd).

step(frame n) uses recorded frames: post = target(n-1) (``dt`` modes: target(n-1) -
target(n-2)), pre = source(n-2), the activity that drove the target one SP hop earlier.
"""
from __future__ import annotations

import numpy as np

from .base import Plasticity

F32 = np.float32
SIGN = {"hebbian": -1.0, "dt hebbian": -1.0, "anti_hebbian": 1.0, "dt anti_hebbian": 1.0}


class Hebbian(Plasticity):
    """``G = sum_a post[a] (x) pre[a]`` (unshared weights: one outer product per agent);
    gradient ``-G`` for (dt) hebbian, ``+G`` for the anti modes."""

    depth = 1

    def __init__(self, plast, graph, B, seed):
        super().__init__(plast, graph, B, seed)
        self.source, self.target, self.modus = plast.source, plast.target, plast.modus
        self.reads = frozenset((self.source, self.target))
        self.weight = self.trained[0]
        self.per_agent = len(self.shapes[self.weight]) == 5
        self.sign = F32(SIGN[self.modus])

    def hebbian_term(self, frame, recorded) -> np.ndarray:
        """G for step(frame), shaped like the weight."""
        host = self.B.to_numpy
        post = np.asarray(host(recorded(frame - 1, self.target)), dtype=F32)[:, :, 0, 0]
        if self.modus.startswith("dt"):
            post = post - np.asarray(host(recorded(frame - 2, self.target)), dtype=F32)[:, :, 0, 0]
        pre = np.asarray(host(recorded(frame - 2, self.source)), dtype=F32)
        if self.per_agent:
            return np.einsum("at,asxy->atsxy", post, pre).astype(F32)
        return np.einsum("at,asxy->tsxy", post, pre).astype(F32)

    def gradients(self, frame, recorded, if_input, params, hyper, variables, split):
        g = self.sign * self.hebbian_term(frame, recorded)
        return {self.weight: g.reshape(self.shapes[self.weight]).astype(F32)}


__all__ = ["Hebbian"]
