"""Frame semantics shared by the reference simulator and the multi-process runtime.

Frame k: every item reads what was written in frame k-1 (read phase), then writes its
frame-k value (write phase). An NP's frame-k state is its update of the frame-(k-1)
states plus the interface outputs written in frame k-1; interfaces write their frame-k
outputs from the NP states of frame k-1.
"""
from __future__ import annotations

import numpy as np

RUN, PAUSED, OFF = 0, 1, 2


def is_due(frame: int, period: int, offset: int) -> bool:
    return frame % period == offset


def interface_feeds(graph) -> dict:
    """NP name -> [(interface, topic), ...] in definition order."""
    feeds: dict = {name: [] for name in graph.neuron_pools}
    for iface in graph.interfaces.values():
        for topic in iface.outputs:
            feeds[iface.np_of(topic)].append((iface.name, topic))
    return feeds


def interface_sum(feeds, if_vars: dict):
    """Host float32 sum of the interface outputs feeding one NP (None if none)."""
    total = None
    for iface, topic in feeds:
        value = if_vars[iface][topic]
        total = value.copy() if total is None else total + value
    return total


def np_write(B, update, states, params, if_input, frame: int, seed: int, mode: int,
             due: bool):
    """The state an NP writes in ``frame`` (``states`` hold frame ``frame - 1``)."""
    prev = states[update.name]
    if mode == OFF:
        return B.zeros(update.state_shape)
    if mode == PAUSED or not due:
        return prev
    new = update(states, params, frame, seed)
    if if_input is not None:
        new = new + B.asarray(np.ascontiguousarray(if_input, dtype=np.float32))
    return new
