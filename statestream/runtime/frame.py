"""Executing the frame program's operations (see :mod:`statestream.runtime.program`),
shared by the reference simulator and the multi-process runtime.

Frame k: every item reads what was written in frame k-1 (read phase), then writes its
frame-k value (write phase). An NP's frame-k state is its update of the frame-(k-1)
states plus the interface outputs written in frame k-1; interfaces write their frame-k
outputs from the NP states of frame k-1.
"""
from __future__ import annotations

import numpy as np

from statestream.runtime.program import (CARRY, COMPUTE, OFF, PAUSED, RUN, ZERO, interface_feeds,
                                         is_due, item_action)

__all__ = ["CARRY", "COMPUTE", "OFF", "PAUSED", "RUN", "ZERO", "interface_feeds", "interface_sum",
           "is_due", "item_action", "np_write"]


def interface_sum(feeds, if_vars: dict):
    """Host float32 sum of the interface outputs feeding one NP (None if none)."""
    total = None
    for iface, topic in feeds:
        value = if_vars[iface][topic]
        total = value.copy() if total is None else total + value
    return total


def np_write(B, update, states, params, if_input, frame: int, seed: int, mode: int,
             due: bool, graph=None):
    """The state an NP writes in ``frame`` (``states`` hold frame ``frame - 1``)."""
    action = item_action(mode, due)
    if action == ZERO:
        return B.zeros(update.state_shape)
    if action == CARRY:
        return states[update.name]
    try:
        new = update(states, params, frame, seed)
    except (ValueError, TypeError, RuntimeError, IndexError, ZeroDivisionError,
            ArithmeticError) as exc:
        if graph is None:
            raise
        raise expression_failed(graph, update.name, frame, exc) from exc
    if if_input is not None:
        new = new + B.asarray(np.ascontiguousarray(if_input, dtype=np.float32))
    return new


def expression_failed(graph, np_name: str, frame: int, exc: Exception):
    """A one-line user error naming the NP, its incoming SPs' and its own expressions."""
    from statestream.errors import Problem, UserError

    item = graph.neuron_pools[np_name]
    texts = [f"act {item.act.text!r}"] if getattr(item, "act", None) is not None else []
    for sp in graph.incoming(np_name):
        for key in ("func", "ACT"):
            expr = getattr(sp, key, None)
            if expr is not None:
                texts.append(f"{sp.name} {key} {expr.text!r}")
        texts += [f"{sp.name} act {e.text!r}" for e in getattr(sp, "act", ()) if e is not None]
        texts += [f"{sp.name} pact {e.text!r}" for e in getattr(sp, "pact", ()) if e is not None]
    where = f" (expressions: {'; '.join(texts)})" if texts else ""
    message = " ".join(str(exc).split())[:300]
    return UserError(str(Problem(item.pos, np_name, f"computing frame {frame} failed: "
                                 f"{type(exc).__name__}: {message}{where}")))
