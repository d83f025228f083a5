"""Metrics of a live session: accuracy per delay from the confusion matrices of one frame."""
from __future__ import annotations

from statestream.runtime.metrics import MetricsRecorder


def current_metrics(client) -> list:
    """One summary per confusion-matrix variable (see ``Metric.summary``), all of one frame."""
    layout = client.memory.layout
    variables = {}
    for key, (_, shape, _) in layout["arrays"].items():
        if key.startswith("if/") and key.count("/") == 2:
            _, iface, var = key.split("/")
            variables.setdefault(iface, {})[var] = tuple(shape[1:])
    recorder = MetricsRecorder(client.graph, variables, every=1)
    names = [f"{m.iface}/{m.variable}" for m in recorder.metrics]
    if not names:
        return []
    frame, arrays = client.read(names)
    recorder.update(frame, lambda iface, var: arrays[f"{iface}/{var}"])
    return recorder.report()
