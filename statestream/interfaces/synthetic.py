"""SyntheticSource: seeded random stand-in for an interface that needs a dataset."""
from __future__ import annotations

import numpy as np

from statestream.backends.random import frame_generator
from statestream.interfaces.base import INF
from statestream.interfaces.catalogue import INTERFACE_TYPES, topic_kind
from statestream.interfaces.images import one_hot_planes
from statestream.interfaces.sampled import SampledInterface
from statestream.interfaces.selection import PART_NAMES

DEFAULTS = {"mode": 0, "min_duration": 16, "max_duration": 24, "fading": 0}
POOL_SIZES = (500, 100, 100)  # virtual samples per part unless `<part> samples` is given


class SyntheticSource(SampledInterface):
    """Same out topics and variables as the replaced type: images uniform in [0, 1] (faded
    like the real type), labels one-hot of a random class, masks ones. Every virtual sample
    (part, index) is a fixed function of (seed, name), so epochs and modes behave as with
    real data."""

    STATE = SampledInterface.STATE + ("stimulus", "seed")  # seed: samples derive from it

    def __init__(self, item, graph, seed):
        info = INTERFACE_TYPES.get(item.type)
        presented = info is not None and "min_duration" in info.params
        defaults = dict(info.params) if presented else DEFAULTS
        super().__init__(item, graph, seed, defaults)
        self.USES_SPLIT = info is not None and (len(info.metrics) == 2 or info.epochs)
        self.kinds = {topic: topic_kind(topic) for topic in self.out_shapes}
        sizes = tuple(self.spec_number(f"{name} samples", size, (1, INF), integer=True)
                      for name, size in zip(PART_NAMES, POOL_SIZES))
        self.setup(sizes, self._classes(info))
        self.stimulus = {topic: np.zeros(shape, dtype=np.float32)
                         for topic, shape in self.out_shapes.items()
                         if self.kinds[topic] == "image"}

    def _classes(self, info) -> int:
        pred = info.inputs[0] if info is not None and info.inputs else None
        if pred in self.in_shapes and info.metrics:
            return self.in_shapes[pred][1]
        labels = [shape[1] for topic, shape in self.out_shapes.items()
                  if self.kinds[topic] == "label"]
        return labels[0] if labels else 10

    def _generator(self, part, what, index):
        return frame_generator(self.seed, self.name, f"synthetic/{PART_NAMES[part]}/{what}",
                               index)

    def sample_label(self, part, index):
        return int(self._generator(part, "label", index).integers(self.classes))

    def present(self, agents, params):
        for topic, images in self.stimulus.items():
            for a in agents:
                generator = self._generator(int(self.part[a]), topic, int(self.index[a]))
                images[a] = generator.random(images.shape[1:], dtype=np.float32)

    def render(self, params, fade):
        out = {}
        for topic, shape in self.out_shapes.items():
            kind = self.kinds[topic]
            if kind == "image":
                out[topic] = self.stimulus[topic] * fade[:, None, None, None]
            elif kind == "label":
                out[topic] = one_hot_planes(self.label, shape)
            else:
                out[topic] = np.ones(shape, dtype=np.float32)
        return out
