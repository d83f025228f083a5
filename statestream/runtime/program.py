"""The frame program: the rules of one frame, written once.

Frame k is an ordered list of operations; each declares what it reads and writes, and the
reference simulator runs them one after another in one process while the runtime hands
each to the process that owns what it writes (``Op.process``). Reading only frame k-1
data (and writing only frame-k slots or one's own parameters) is what lets the runtime
run them in parallel and still compute exactly what the simulator computes.

    np      NP state k       <- states k-1 (itself, SP sources), parameters, interface
                                outputs k-1 feeding it
    plast   deltas k         <- recorded frames <= k-1, parameters
    if      interface out k  <- states k-1 of its ``in`` neuron-pools
    apply   parameters       <- deltas k-1, after the owner's np op of frame k

The gating rules (due, paused, off, learning active) are the functions below.
"""
from __future__ import annotations

from dataclasses import dataclass

RUN, PAUSED, OFF = 0, 1, 2
COMPUTE, CARRY, ZERO = "compute", "carry", "zero"


@dataclass(frozen=True)
class Op:
    kind: str  # np | plast | if | apply
    name: str  # the item (for apply: the owner of the parameter)
    reads: tuple
    writes: tuple
    process: str  # the worker that runs it in the runtime


def is_due(frame: int, period: int, offset: int) -> bool:
    return frame % period == offset


def item_action(mode: int, due: bool) -> str:
    """What an NP or an interface writes in a frame: its new value, its last one, zeros."""
    if mode == OFF:
        return ZERO
    if mode == PAUSED or not due:
        return CARRY
    return COMPUTE


def plasticity_runs(mode: int, due: bool, active: bool, recorded: bool) -> bool:
    """A plasticity computes deltas only when running, due, past its start frame, and when
    every frame it looks back on was really recorded."""
    return mode == RUN and due and active and recorded


def is_recorded(frame: int, depth: int, history_from: int) -> bool:
    """Frames ``frame - 1 - depth .. frame - 1`` were computed (not before a partial load)."""
    return frame - 1 - depth >= history_from


def delta_order(trained: dict) -> dict:
    """(owner, param) -> plasticities in definition order: the order their deltas land.

    ``trained``: plasticity -> its trained (owner, param) keys, in definition order."""
    out: dict = {}
    for plast, keys in trained.items():
        for key in keys:
            out.setdefault(tuple(key), []).append(plast)
    return out


def interface_feeds(graph) -> dict:
    """NP name -> [(interface, topic), ...] in definition order."""
    feeds: dict = {name: [] for name in graph.neuron_pools}
    for iface in graph.interfaces.values():
        for topic in iface.outputs:
            feeds[iface.np_of(topic)].append((iface.name, topic))
    return feeds


def frame_program(graph, trained: dict) -> list:
    """The operations of one frame in the order the simulator runs them."""
    feeds = interface_feeds(graph)
    ops = []
    for name in graph.neuron_pools:
        sources = {name} | {n for sp in graph.incoming(name) for f in sp.source for n in f}
        reads = tuple(("state", n, -1) for n in sorted(sources))
        reads += tuple(("if", i, t, -1) for i, t in feeds[name])
        reads += tuple(("param", sp.name) for sp in graph.incoming(name)) + (("param", name),)
        ops.append(Op("np", name, reads, (("state", name, 0),), name))
    for name, keys in trained.items():
        writes = tuple(("delta", name) + tuple(k) for k in keys)
        ops.append(Op("plast", name, (("recorded", -1),), writes, name))
    for name, iface in graph.interfaces.items():
        reads = tuple(("state", iface.np_of(t), -1) for t in iface.inputs)
        ops.append(Op("if", name, reads, (("if", name, 0),), name))
    for key, plasts in delta_order(trained).items():
        owner = key[0] if key[0] in graph.neuron_pools else graph.synapse_pools[key[0]].target
        reads = tuple(("delta", p) + key for p in plasts)
        ops.append(Op("apply", key[0], reads, (("param",) + key,), owner))
    return ops
