"""oscillator: every element = amplitude * sin(2 pi frequency (frame + phase)); no data."""
from __future__ import annotations

import math

import numpy as np

from statestream.interfaces.base import Interface

OSCI_TYPES = ("sin",)


class Oscillator(Interface):
    TYPE = "oscillator"
    STATE = ("started",)

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.add_param("mode", 0, self.param_bounds["mode"], integer=True)
        osci_type = item.get("osci_type", "sin")
        if osci_type not in OSCI_TYPES:
            raise self.fail("osci_type", f"osci_type must be one of {', '.join(OSCI_TYPES)}, "
                            f"got {osci_type!r}")
        amplitude = 1.0
        if "amplitude" not in item.spec and "amlitude" in item.spec:  # the original's typo
            amplitude = self.spec_number("amlitude", 1.0)
        self.add_param("amplitude", amplitude)
        self.add_param("frequency", 0.1)
        self.add_param("phase", 0.0)
        self.started = False

    def _step(self, frame, inputs, params, split):
        value = params["amplitude"] * math.sin(
            2.0 * math.pi * params["frequency"] * (frame + params["phase"]))
        out = {topic: np.full(shape, value, dtype=np.float32)
               for topic, shape in self.out_shapes.items()}
        out["_trigger_"] = np.full(self.agents, 0.0 if self.started else 1.0, np.float32)
        self.started = True
        return out
