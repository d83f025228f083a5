"""The graph as drawable items and edges, a layered first layout and a force layout.

Layered: neuron-pools get a column by their distance (in synapse-pools) from the inputs
(pools nothing feeds, or that an interface writes), so inputs sit left and predictions
right; a synapse-pool sits between its sources and target; interfaces left, plasticities
right. Positions are world coordinates (the camera maps them to the screen).
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

GAP = 120.0


@dataclass
class Item:
    name: str
    kind: str  # np, sp, plast, if
    spec: object
    edges_in: list = field(default_factory=list)


def graph_items(graph) -> dict:
    """{name: Item} for every NP, SP, plasticity and interface of a parsed graph."""
    items = {}
    for name, spec in graph.neuron_pools.items():
        items[name] = Item(name, "np", spec)
    for name, sp in graph.synapse_pools.items():
        items[name] = Item(name, "sp", sp, sorted({s for f in sp.source for s in f}))
        if sp.target in items:
            items[sp.target].edges_in.append(name)
    for name, plast in graph.plasticities.items():
        sources = [getattr(plast, a, None) for a in ("source", "target")]
        items[name] = Item(name, "plast", plast, [s for s in sources if s in items])
    for name, iface in graph.interfaces.items():
        remap = dict(getattr(iface, "remap", {}) or {})
        items[name] = Item(name, "if", iface, [remap.get(v, v) for v in iface.inputs
                                                if remap.get(v, v) in items])
        for var in iface.outputs:
            target = remap.get(var, var)
            if target in items and name not in items[target].edges_in:
                items[target].edges_in.append(name)
    return items


def edges(items: dict) -> list:
    """(source, target) pairs of every connection."""
    return [(src, name) for name, item in items.items() for src in item.edges_in if src in items]


def layered(items: dict) -> dict:
    """{name: (x, y)}: the layered layout described in the module docstring."""
    depth = _np_depths(items)
    columns: dict = {}
    for name, item in items.items():
        if item.kind == "np":
            column = 2 * depth[name]
        elif item.kind == "sp":
            sources = [2 * depth.get(s, 0) for s in item.edges_in]
            target = [2 * depth[t] for t, it in items.items() if name in it.edges_in]
            column = (max(sources or [0]) + (min(target) if target else 0)) / 2
            column = column if column % 2 else column + 1
        else:
            continue
        columns.setdefault(column, []).append(name)
    right = max(columns, default=0) + 2
    columns.setdefault(-2, []).extend(n for n, i in items.items() if i.kind == "if")
    columns.setdefault(right, []).extend(n for n, i in items.items() if i.kind == "plast")
    positions = {}
    for column, names in columns.items():
        for row, name in enumerate(names):
            positions[name] = (column * GAP, (row - (len(names) - 1) / 2) * GAP * 1.2
                               + 0.25 * GAP * (column % 2))
    return positions


def _np_depths(items: dict) -> dict:
    feeds = {n: [s for s in i.edges_in if items[s].kind == "sp"] for n, i in items.items()
             if i.kind == "np"}
    starts = [n for n, sps in feeds.items() if not sps]
    depth = {n: 0 for n in starts}
    queue = deque(starts)
    while queue:
        current = queue.popleft()
        for name, sps in feeds.items():
            if name not in depth and any(current in items[sp].edges_in for sp in sps):
                depth[name] = depth[current] + 1
                queue.append(name)
    for name in feeds:  # pools only reachable through cycles
        depth.setdefault(name, 0)
    return depth


def force_step(positions: dict, pairs: list, pinned=(), step: float = 0.1) -> float:
    """One step of a spring (edges) and repulsion (all pairs) layout; returns the largest
    move. ``pinned`` items (e.g. the one being dragged) stay where they are."""
    names = list(positions)
    force = {n: [0.0, 0.0] for n in names}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            dx = positions[a][0] - positions[b][0]
            dy = positions[a][1] - positions[b][1]
            dist2 = max(dx * dx + dy * dy, 25.0)
            push = GAP * GAP / dist2
            force[a][0] += push * dx / math.sqrt(dist2)
            force[a][1] += push * dy / math.sqrt(dist2)
            force[b][0] -= push * dx / math.sqrt(dist2)
            force[b][1] -= push * dy / math.sqrt(dist2)
    for a, b in pairs:
        dx = positions[b][0] - positions[a][0]
        dy = positions[b][1] - positions[a][1]
        dist = max(math.hypot(dx, dy), 1e-6)
        pull = (dist - GAP) / GAP
        for name, sign in ((a, 1), (b, -1)):
            force[name][0] += sign * pull * dx / dist * 10
            force[name][1] += sign * pull * dy / dist * 10
    largest = 0.0
    for name in names:
        if name in pinned:
            continue
        fx, fy = (max(-20.0, min(20.0, f * step * 10)) for f in force[name])
        positions[name] = (positions[name][0] + fx, positions[name][1] + fy)
        largest = max(largest, abs(fx), abs(fy))
    return largest
