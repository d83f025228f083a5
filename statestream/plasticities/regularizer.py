"""L_regularizer: L1/L2 penalty of the trained parameters, no rollout (depth 0)."""
from __future__ import annotations

import numpy as np

from .base import Plasticity
from .optimizers import _number

F32 = np.float32


class Regularizer(Plasticity):
    """``g = L1 sign(theta) + 2 L2 theta``; variable ``loss = sum(L1 |theta| + L2 theta^2)``."""

    depth = 0

    def __init__(self, plast, graph, B, seed):
        super().__init__(plast, graph, B, seed)
        self.param_keys = self.trained
        for key in ("L1", "L2"):
            self.hyper[key] = (_number(plast, key, 0.0), 0.0, None)
        self.variables["loss"] = ()

    def gradients(self, frame, recorded, if_input, params, hyper, variables, split):
        l1 = F32(hyper.get("L1", self.hyper["L1"][0]))
        l2 = F32(hyper.get("L2", self.hyper["L2"][0]))
        loss = F32(0)
        grads = {}
        for key in self.trained:
            theta = np.asarray(self.B.to_numpy(params[key]), dtype=F32)
            grads[key] = (l1 * np.sign(theta) + F32(2) * l2 * theta).astype(F32)
            loss = F32(loss + np.sum(l1 * np.abs(theta) + l2 * theta * theta, dtype=F32))
        variables["loss"][...] = loss
        return grads


__all__ = ["Regularizer"]
