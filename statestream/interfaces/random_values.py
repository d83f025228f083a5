"""random: i.i.d. samples of a chosen distribution, new every frame; no data."""
from __future__ import annotations

import numpy as np

from statestream.interfaces.base import INF, Interface, interface_rng

# distribution -> {parameter: (default, bounds)}
DISTRIBUTIONS = {
    "bernoulli": {"p": (0.5, (0.0, 1.0))},
    "normal": {"mean": (0.0, (-INF, INF)), "std": (1.0, (0.0, INF))},
    "uniform": {"min": (0.0, (-INF, INF)), "max": (1.0, (-INF, INF))},
}


class RandomValues(Interface):
    TYPE = "random"
    STATE = ("rng",)

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.add_param("mode", 0, self.param_bounds["mode"], integer=True)
        self.distribution = item.get("distribution")
        if self.distribution not in DISTRIBUTIONS:
            known = ", ".join(DISTRIBUTIONS)
            key = "distribution" if "distribution" in item.spec else None
            raise self.fail(key, f"distribution must be one of {known}, got "
                            f"{self.distribution!r}")
        for key, (default, bounds) in DISTRIBUTIONS[self.distribution].items():
            self.add_param(key, default, bounds)
        self.rng = interface_rng(self.seed, self.name)

    def sample(self, shape, params) -> np.ndarray:
        if self.distribution == "bernoulli":
            return (self.rng.random(shape) < params["p"]).astype(np.float32)
        if self.distribution == "normal":
            return (params["mean"] + params["std"] * self.rng.standard_normal(shape)).astype(
                np.float32)
        return self.rng.uniform(params["min"], params["max"], size=shape).astype(np.float32)

    def _step(self, frame, inputs, params, split):
        out = {topic: self.sample(shape, params) for topic, shape in self.out_shapes.items()}
        out["_trigger_"] = np.ones(self.agents, dtype=np.float32)
        return out
