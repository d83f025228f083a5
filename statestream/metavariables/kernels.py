"""What a meta-variable computes, in the meta-variable process: ``gather`` takes views of
the ring slot of a frame (which the core keeps until the value is back) and the copies of
``param_keys`` the core made before they changed, ``compute`` turns them into the value."""
from __future__ import annotations

import numpy as np

from statestream.metavariables.stats import pair_matrix, statistics


class Kernel:
    every_frame = False  # True: gather sees every frame (a value needs earlier frames)
    deferrable = False  # True: gather copies all it needs (compute may run frames later)

    def __init__(self, spec, graph):
        self.spec, self.graph = spec, graph
        # parameters change in the next write phase: the core copies them before it
        self.param_keys = tuple(tuple(name.split("/", 1)) for name in spec.sources
                                if name not in graph.neuron_pools)

    def _source(self, memory, name: str, frame: int, params: dict):
        if name in self.graph.neuron_pools:
            state = memory.state(name, frame)
            return state if self.spec.agents is None else state[:self.spec.agents]
        return params[tuple(name.split("/", 1))]

    def gather(self, memory, frame: int, params: dict):
        """Inputs of ``compute`` for ``frame``; NP states are ring views, valid until the
        frame that overwrites their slot (the core waits for the value before that)."""
        return [self._source(memory, name, frame, params) for name in self.spec.sources]

    def compute(self, inputs) -> np.ndarray:
        raise NotImplementedError


class ScalarStats(Kernel):
    """[sources, stats, *kept axes]: every statistic of every source."""

    def compute(self, inputs):
        axes = self.spec.axes
        rows = []
        for x in inputs:
            reduce = tuple(range(x.ndim)) if axes is None else axes
            rows.append(statistics(self.spec.stats, x, reduce))
        return np.asarray(rows, dtype=np.float32)


class BivariateMetric(Kernel):
    """[F_a, F_b]: the metric between the feature maps of two states (or one with itself)."""

    def compute(self, inputs):
        return pair_matrix(self.spec.metric, inputs[0], inputs[-1])


def make_kernel(spec, graph, seed: int = 0, threads: int = 1):
    if spec.type in ("scalar_stats", "scalar_three_stats"):
        return ScalarStats(spec, graph)
    if spec.type == "bivariate_metric":
        return BivariateMetric(spec, graph)
    from statestream.metavariables.saliency import SaliencyGrad

    return SaliencyGrad(spec, graph, seed, threads)
