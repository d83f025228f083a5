"""A plugin interface for fault tests: writes a constant, raises in frame ``explode_at``."""
from __future__ import annotations

import numpy as np

from statestream.interfaces.base import Interface


class Exploding(Interface):
    TYPE = "exploding"

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.explode_at = int(item.get("explode_at", -1))

    def _step(self, frame, inputs, params, split):
        if frame == self.explode_at:
            raise RuntimeError(f"boom in frame {frame}")
        return {t: np.ones(s, np.float32) for t, s in self.out_shapes.items()} | {
            "_trigger_": np.zeros(self.agents, np.float32)}
