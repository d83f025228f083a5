"""The rollout of a graph: neuron-pools as rows, frames as columns.

Column ``c`` is ``c`` frames after the interface-fed NPs hold a stimulus. ``rollout_grid``
gives, for every NP, the first column at which each input can have reached it (the
``first_frame`` of ``statestream check`` is the earliest over all inputs);
``dependency_path`` gives the cells that a selected cell depends on and those it
influences, with the connections between them. The GUI and ``statestream rollout`` draw
these; ``session_activity`` fills cells with a running session's mean states.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from statestream.errors import UserError
from statestream.graph.summary import first_frames


@dataclass
class Rollout:
    rows: list  # NP names, earliest reached first
    inputs: list  # interface-fed NPs
    frames: int  # number of columns
    first: dict  # NP -> first column reached from any input (None: never)
    first_from: dict  # NP -> {input: first column reached from it (None: never)}
    links: list = field(default_factory=list)  # (source NP, target NP): a cell reads the
    # source's cell of the column before

    def reached(self, np_name: str, column: int) -> bool:
        first = self.first[np_name]
        return first is not None and column >= first


def np_links(graph) -> list:
    """(source, target) of every NP state an NP update reads (SPs and zoneout)."""
    links = []
    for sp in graph.synapse_pools.values():
        links += [(src, sp.target) for src in sp.source_nps]
    links += [(name, name) for name, item in graph.neuron_pools.items()
              if item.zoneout is not None]
    return list(dict.fromkeys(links))


def _hops_from(graph, start: str) -> dict:
    out_edges: dict = {name: set() for name in graph.neuron_pools}
    for sp in graph.synapse_pools.values():
        for src in sp.source_nps:
            out_edges[src].add(sp.target)
    dist = {start: 0}
    todo = deque([start])
    while todo:
        name = todo.popleft()
        for nxt in out_edges[name]:
            if nxt not in dist:
                dist[nxt] = dist[name] + 1
                todo.append(nxt)
    return dist


def rollout_grid(graph, frames: int | None = None) -> Rollout:
    """The rollout of ``graph`` over ``frames`` columns (default: until every reachable NP
    is reached, plus one)."""
    first = first_frames(graph)
    inputs = [n for n in graph.neuron_pools if n in graph.interface_fed()]
    hops = {i: _hops_from(graph, i) for i in inputs}
    first_from = {n: {i: hops[i].get(n) for i in inputs} for n in graph.neuron_pools}
    if frames is None:
        frames = max([f for f in first.values() if f is not None] + [0]) + 2
    order = list(graph.neuron_pools)
    rows = sorted(order, key=lambda n: (first[n] is None, first[n] or 0, order.index(n)))
    return Rollout(rows, inputs, int(frames), first, first_from, np_links(graph))


def dependency_path(grid: Rollout, np_name: str, column: int) -> dict:
    """Cells ``(np, column)`` the selected cell depends on (``back``, down to column 0) and
    influences (``forward``, up to the last column), and the ``edges`` between them."""
    if np_name not in grid.first:
        raise UserError(f"no neuron-pool {np_name!r} (neuron-pools: {', '.join(grid.rows)})")
    if not 0 <= column < grid.frames:
        raise UserError(f"frame {column} is outside the rollout (0..{grid.frames - 1})")
    reads: dict = {n: [] for n in grid.rows}
    feeds: dict = {n: [] for n in grid.rows}
    for src, tgt in grid.links:
        reads[tgt].append(src)
        feeds[src].append(tgt)
    back, forward, edges = {(np_name, column)}, {(np_name, column)}, set()
    todo = [(np_name, column)]
    while todo:
        name, c = todo.pop()
        if c == 0:
            continue
        for src in reads[name]:
            edges.add(((src, c - 1), (name, c)))
            if (src, c - 1) not in back:
                back.add((src, c - 1))
                todo.append((src, c - 1))
    todo = [(np_name, column)]
    while todo:
        name, c = todo.pop()
        if c + 1 >= grid.frames:
            continue
        for tgt in feeds[name]:
            edges.add(((name, c), (tgt, c + 1)))
            if (tgt, c + 1) not in forward:
                forward.add((tgt, c + 1))
                todo.append((tgt, c + 1))
    return {"back": back, "forward": forward, "edges": edges}


def parse_cell(text: str) -> tuple:
    """``NP:FRAME`` -> (np, frame)."""
    name, sep, frame = str(text).rpartition(":")
    if not sep or not name or not frame.isdigit():
        raise UserError(f"--select {text!r}: expected NP:FRAME, e.g. hidden2:3")
    return name, int(frame)


def session_activity(client, grid: Rollout, timeout: float = 5.0) -> tuple:
    """(first frame, {np: [mean state per column]}) of consecutive frames of a session,
    collected while it streams (a paused session gives its current frame only)."""
    missing = [n for n in grid.rows if n not in client.graph.neuron_pools]
    if missing:
        raise UserError(f"session {client.id} has no neuron-pool {missing[0]!r}")
    seen: dict = {}
    deadline = time.monotonic() + timeout
    while len(seen) < grid.frames and time.monotonic() < deadline:
        frame, arrays = client.read(grid.rows)
        if frame >= 0 and frame not in seen:
            seen[frame] = {n: float(np.mean(a)) for n, a in arrays.items()}
        if not client.streaming:
            break
        time.sleep(0.001)
    if not seen:
        raise UserError(f"session {client.id} has computed no frame yet")
    start = max(seen) - grid.frames + 1
    values = {n: [seen[f][n] if f in seen else None for f in range(start, start + grid.frames)]
              for n in grid.rows}
    return start, values
