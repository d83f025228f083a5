"""``lr_scheduler``: the learning rate of one plasticity over the client's active frames.

Keys: ``plast`` (required), ``schedule``: ``constant`` (default), ``exponential_decay``
(``decay`` 0.99 per frame, optional ``floor``), ``step`` (times ``gamma`` 0.1 every
``step_size`` frames), ``cosine`` (from the start lr down to ``lr_min`` 0 over ``period``
frames, then stays). t counts the frames the client was active.
"""
from __future__ import annotations

import math

from statestream.clients.base import CoreClient, need

SCHEDULES = ("constant", "exponential_decay", "step", "cosine")
NUMBERS = {"decay": (0.99, 0.0, 1.0), "floor": (0.0, 0.0, None), "gamma": (0.1, 0.0, 1.0),
           "step_size": (1000, 1, None), "period": (10000, 1, None), "lr_min": (0.0, 0.0, None)}


def learning_rate(schedule: str, lr0: float, t: int, p: dict) -> float:
    """The learning rate after ``t`` active frames."""
    value = lambda key: float(p.get(key, NUMBERS[key][0]))  # noqa: E731
    if schedule == "exponential_decay":
        return max(lr0 * value("decay") ** t, value("floor"))
    if schedule == "step":
        return lr0 * value("gamma") ** (t // int(value("step_size")))
    if schedule == "cosine":
        period, low = value("period"), value("lr_min")
        return low + (lr0 - low) * (1 + math.cos(math.pi * min(t, period) / period)) / 2
    return lr0


class CClient_lr_scheduler(CoreClient):  # noqa: N801 - the type's class name
    @classmethod
    def problems(cls, spec, graph):
        out = need(spec, "plast", str, "plasticities", graph)
        schedule = spec.get("schedule", "constant")
        if schedule not in SCHEDULES:
            out.append(("schedule", f"schedule must be one of {', '.join(SCHEDULES)}, got "
                                    f"{schedule!r}"))
        for key, (_, lo, hi) in NUMBERS.items():
            if key not in spec:
                continue
            v = spec[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                    or v < lo or (hi is not None and v > hi):
                upper = "inf" if hi is None else hi
                out.append((key, f"{key} must be a number in [{lo}, {upper}], got {v!r}"))
        return out

    def initialize(self):
        self.plast = self.p["plast"]
        self.schedule = self.p.get("schedule", "constant")
        self.lr = self.session.setting_view(self.plast, "lr")
        self.lr0 = float(self.lr[0])
        self.t = 0

    def before_readin(self):
        if self.schedule == "constant":
            return
        lo, hi = self.session.core.learning[self.plast].hyper["lr"][1:]
        value = learning_rate(self.schedule, self.lr0, self.t, self.p)
        self.lr[0] = min(max(value, lo if lo is not None else value),
                         hi if hi is not None else value)
        self.t += 1

    def status(self):
        return f"{self.plast}.lr = {float(self.lr[0]):.4g} after {self.t} frames ({self.schedule})"
