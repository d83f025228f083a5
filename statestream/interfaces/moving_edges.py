"""moving_edges: a drifting sinusoidal grating in a Gaussian window, and its velocity."""
from __future__ import annotations

import numpy as np

from statestream.interfaces.base import INF
from statestream.interfaces.sampled import SampledInterface

TINY = 1e-6


class MovingEdges(SampledInterface):
    """Per presentation: orientation in [0, 2 pi), period in [min_period, max_period] px,
    speed in [0, minmax_velocity] px/frame across the stripes. The board is
    sin^2(pi (projection - speed * elapsed) / period) * exp(-r^2 / (2 sigma^2)) around the
    centre; medge_dxdy holds (speed cos, speed sin) in channels 0 and 1."""

    TYPE = "moving_edges"
    USES_SPLIT = False
    STATE = SampledInterface.STATE + ("angle", "period", "speed")

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.add_param("minmax_velocity", 1.0, (0.0, INF))
        self.add_param("min_period", 4.0, (0.0, INF))
        self.add_param("max_period", 8.0, (0.0, INF))
        self.add_param("sigma", 64.0, (0.0, INF))
        self.setup((1, 1, 1), 1)
        self.angle = np.zeros(self.agents)
        self.period = np.ones(self.agents)
        self.speed = np.zeros(self.agents)

    def sample_label(self, part, index):
        return 0

    def present(self, agents, p):
        for a in agents:
            self.angle[a] = self.rng.uniform(0.0, 2.0 * np.pi)
            self.period[a] = self.rng.uniform(p["min_period"], p["max_period"])
            self.speed[a] = self.rng.uniform(0.0, p["minmax_velocity"])

    def render(self, params, fade):
        out = {}
        shape = self.out_shapes.get("medge_board")
        if shape is not None:
            x, y = shape[2:]
            dx = (np.arange(x) - (x - 1) / 2)[None, :, None]
            dy = (np.arange(y) - (y - 1) / 2)[None, None, :]
            cos = np.cos(self.angle)[:, None, None]
            sin = np.sin(self.angle)[:, None, None]
            shift = (self.speed * self.clock.elapsed)[:, None, None]
            period = np.maximum(self.period, TINY)[:, None, None]
            grating = np.sin(np.pi * (dx * cos + dy * sin - shift) / period) ** 2
            sigma = max(params["sigma"], TINY)
            window = np.exp(-(dx ** 2 + dy ** 2) / (2.0 * sigma ** 2))
            board = (grating * window).astype(np.float32)
            out["medge_board"] = np.repeat(board[:, None], shape[1], axis=1)
        shape = self.out_shapes.get("medge_dxdy")
        if shape is not None:
            dxdy = np.zeros(shape, dtype=np.float32)
            velocity = (self.speed * np.cos(self.angle), self.speed * np.sin(self.angle))
            for channel in range(min(2, shape[1])):
                dxdy[:, channel] = velocity[channel][:, None, None]
            out["medge_dxdy"] = dxdy
        return out
