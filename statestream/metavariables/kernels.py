"""What a meta-variable computes: ``gather`` in the core thread between frames (cheap:
views of ring slots, copies of parameters), ``compute`` in the meta-variable thread."""
from __future__ import annotations

import numpy as np

from statestream.metavariables.stats import pair_matrix, statistic


class Kernel:
    every_frame = False  # True: gather sees every frame (a value needs earlier frames)

    def __init__(self, spec, graph):
        self.spec, self.graph = spec, graph

    def _source(self, memory, name: str, frame: int, copy: bool):
        if name in self.graph.neuron_pools:
            state = memory.state(name, frame)
            if self.spec.agents is not None:
                state = state[:self.spec.agents]
            return np.array(state) if copy else state
        item, _, pname = name.partition("/")
        return np.array(memory.param(item, pname))  # parameters change in the next frame

    def gather(self, memory, frame: int):
        """Inputs of ``compute`` for ``frame``; NP states are ring views, valid until the
        frame that overwrites their slot (the host waits for that)."""
        return [self._source(memory, name, frame, False) for name in self.spec.sources]

    def compute(self, inputs) -> np.ndarray:
        raise NotImplementedError


class ScalarStats(Kernel):
    """[sources, stats, *kept axes]: every statistic of every source."""

    def compute(self, inputs):
        axes = self.spec.axes
        rows = []
        for x in inputs:
            reduce = tuple(range(x.ndim)) if axes is None else axes
            rows.append([statistic(s, x, reduce) for s in self.spec.stats])
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
