"""Which items share a worker process.

A process that wakes up on a core where other processes ran finds its caches cold: on a
2-core machine a small neuron-pool's frame cost ~0.2 ms of CPU in its own process against
~0.03-0.07 ms when computed next to the others (docs/runtime.md). So where the machine
has fewer cores than the session has processes, the neuron-pools share processes, one per
core, their estimated costs balanced; neuron-pools pinned to the same cores share at most
one process per core of them; interfaces and plasticities (and their parts) keep a process
each. ``$STATESTREAM_GROUP``: ``auto`` (default), ``off`` (one process per item) or the
number of processes of the neuron-pools that are not pinned.
"""
from __future__ import annotations

import math
import os

from statestream.errors import UserError

GROUP_ENV = "STATESTREAM_GROUP"


def host_groups(graph, table: list, cpus: dict, cores: int, setting: str | None = None) -> list:
    """Lists of process-table names, one list per worker process, in table order."""
    setting = (os.environ.get(GROUP_ENV, "auto") if setting is None else setting).strip()
    if setting == "auto":
        count = max(1, cores) if cores < len(table) else None
    elif setting == "off":
        count = None
    elif setting.isdigit() and int(setting) > 0:
        count = int(setting)
    else:
        raise UserError(f"${GROUP_ENV}: {setting!r} is not auto, off or a number of processes")
    if count is None:
        return [[row["name"]] for row in table]
    by_cores: dict = {}  # neuron-pools by the cores they are pinned to (None: any)
    for row in table:
        if row["kind"] == "np":
            pinned = cpus.get(row["name"])
            by_cores.setdefault(tuple(pinned) if pinned else None, []).append(row["name"])
    group_of = {}
    for pinned, names in by_cores.items():
        most = count if pinned is None else len(pinned)
        if most >= len(names):  # a process each anyway
            continue
        for group in balanced(names, [np_cost(graph, n) for n in names], most):
            group_of.update({name: group for name in group})
    out = []
    for row in table:
        name = row["name"]
        if name not in group_of:
            out.append([name])
        elif group_of[name][0] == name:  # a group comes where its first item is
            out.append(group_of[name])
    return out


def np_cost(graph, name: str) -> float:
    """Rough cost of one frame of a neuron-pool, in multiply-adds: a fixed share per call,
    its incoming SPs' multiply-adds, its elements (noise counts ~300 a value)."""
    size = math.prod(graph.np_state_shape(name))
    noisy = bool(graph.neuron_pools[name].noise)
    cost = 1e6 + 20.0 * size
    for sp in graph.incoming(name):
        noisy = noisy or bool(sp.noise)
        for f, sources in enumerate(sp.source):
            for i, source in enumerate(sources):
                _, features, x, y = graph.np_state_shape(source)
                rf = sp.rf[f][i]
                cost += size * features * (rf * rf if rf else x * y)
    return cost + (300.0 * size if noisy else 0.0)


def balanced(names: list, costs: list, count: int) -> list:
    """``names`` in ``count`` groups of similar total cost (largest first, each to the
    lightest group), each group in the order of ``names``."""
    loads = [0.0] * count
    members: list = [[] for _ in range(count)]
    for i in sorted(range(len(names)), key=lambda i: -costs[i]):
        g = loads.index(min(loads))
        loads[g] += costs[i]
        members[g].append(i)
    groups = [[names[i] for i in sorted(m)] for m in members if m]
    return sorted(groups, key=lambda g: names.index(g[0]))


def host_label(names: list) -> str:
    return "+".join(names)


__all__ = ["GROUP_ENV", "balanced", "host_groups", "host_label", "np_cost"]
