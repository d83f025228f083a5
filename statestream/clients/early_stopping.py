"""``early_stopping``: end the session once the held-out accuracy stops improving.

Keys: ``interface`` (required; one with ``conf_mat_valid``), ``every`` (frames between
checks, default 500), ``patience`` (checks without an improvement of more than
``min_delta`` before the session ends, default 5), ``split`` (held-out agents, default a
quarter of the agents; set at the start). The accuracy pools the delays from the
interface's path length on.
"""
from __future__ import annotations

from statestream.clients import outputs
from statestream.clients.base import CoreClient, need

KEYS = {"every": (500, 1), "patience": (5, 1), "split": (None, 1)}


class CClient_early_stopping(CoreClient):  # noqa: N801 - the type's class name
    ends_session = True

    @classmethod
    def problems(cls, spec, graph):
        out = need(spec, "interface", str, "interfaces", graph)
        for key, (_, low) in KEYS.items():
            v = spec.get(key, low)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                out.append((key, f"{key} must be a whole number >= {low}, got {v!r}"))
        if spec.get("split", 1) is not None and isinstance(spec.get("split"), int) \
                and spec["split"] >= graph.agents:
            out.append(("split", f"split must be below the {graph.agents} agents"))
        delta = spec.get("min_delta", 0.0)
        if isinstance(delta, bool) or not isinstance(delta, (int, float)) or delta < 0:
            out.append(("min_delta", f"min_delta must be a number >= 0, got {delta!r}"))
        return out

    def __init__(self, name, spec, session):
        super().__init__(name, spec, session)
        self.active = True
        self.iface = self.p["interface"]
        self.every = int(self.p.get("every", 500))
        self.patience = int(self.p.get("patience", 5))
        self.min_delta = float(self.p.get("min_delta", 0.0))
        self.split = int(self.p.get("split") or max(1, session.graph.agents // 4))
        self.path = outputs.path_length(session.graph, self.iface)
        self.best, self.waited, self.frames = None, 0, 0

    def initialize(self):
        self.session.checked(f"split {self.split}")

    def writeout(self):
        self.frames += 1
        if self.frames % self.every:
            return
        conf = self.session.read(f"{self.iface}/conf_mat_valid")
        _, accuracy = outputs.accuracies(conf, self.path)
        if accuracy is not None and (self.best is None or accuracy > self.best + self.min_delta):
            self.best, self.waited = accuracy, 0
        else:
            self.waited += 1
        self.message(f"frame {self.session.frame}: held-out accuracy "
                     f"{'-' if accuracy is None else f'{accuracy:.3f}'}, best "
                     f"{'-' if self.best is None else f'{self.best:.3f}'}, "
                     f"{self.waited} of {self.patience} checks without improvement")
        if self.waited >= self.patience:
            self.message("no improvement: ending the session")
            self.session.checked("exit")

    def status(self):
        best = "-" if self.best is None else f"{self.best:.3f}"
        return f"best held-out accuracy {best}, {self.waited} of {self.patience} checks waited"
