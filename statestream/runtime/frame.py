"""Executing the frame program's operations (see :mod:`statestream.runtime.program`),
shared by the reference simulator and the multi-process runtime.

Frame k: every item reads what was written in frame k-1 (read phase), then writes its
frame-k value (write phase). An NP's frame-k state is its update of the frame-(k-1)
states plus the interface outputs written in frame k-1; interfaces write their frame-k
outputs from the NP states of frame k-1.
"""
from __future__ import annotations

import numpy as np

from statestream.runtime.program import (CARRY, OFF, PAUSED, RUN, ZERO, interface_feeds,
                                         is_due, item_action)

__all__ = ["CARRY", "OFF", "PAUSED", "RUN", "ZERO", "interface_feeds", "interface_sum",
           "is_due", "item_action", "np_write"]


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
    action = item_action(mode, due)
    if action == ZERO:
        return B.zeros(update.state_shape)
    if action == CARRY:
        return states[update.name]
    new = update(states, params, frame, seed)
    if if_input is not None:
        new = new + B.asarray(np.ascontiguousarray(if_input, dtype=np.float32))
    return new
