"""What ``statestream check`` prints: counts, shapes, parameters, memory, first frames."""
from __future__ import annotations

from collections import deque

from statestream.graph.layout import np_params, sp_params
from statestream.graph.model import Graph

FLOAT_BYTES = 4


def first_frames(graph: Graph) -> dict:
    """For every NP: SP hops from the nearest interface-fed NP (None if input never arrives).

    An interface-fed NP holds a stimulus one frame after the interface wrote it; an NP ``d``
    hops further holds information about it ``d`` frames later.
    """
    dist = {name: None for name in graph.neuron_pools}
    queue = deque()
    for name in graph.interface_fed():
        if name in dist:
            dist[name] = 0
            queue.append(name)
    out_edges: dict = {name: set() for name in graph.neuron_pools}
    for sp in graph.synapse_pools.values():
        for src in sp.source_nps:
            out_edges[src].add(sp.target)
    while queue:
        name = queue.popleft()
        for nxt in out_edges[name]:
            if dist[nxt] is None:
                dist[nxt] = dist[name] + 1
                queue.append(nxt)
    return dist


def parameter_counts(graph: Graph) -> dict:
    """Parameters each NP process holds: its own plus those of its incoming SPs."""
    own = {}
    for sp in graph.synapse_pools.values():
        own[sp.name] = sum(p.size for p in sp_params(sp, graph) if p.name not in sp.share_params)
    counts = {}
    for name, np in graph.neuron_pools.items():
        total = sum(p.size for p in np_params(np, graph.agents))
        total += sum(own[sp.name] for sp in graph.incoming(name))
        counts[name] = total
    return counts


def shm_bytes(graph: Graph) -> int:
    """Estimate: double-buffered NP states, NP/SP parameters, interface outputs, optimizer
    state (two parameter-sized buffers per trained parameter) and plasticity deltas."""
    state = sum(graph.agents * np.shape[0] * np.shape[1] * np.shape[2]
                for np in graph.neuron_pools.values())
    params = sum(parameter_counts(graph).values())
    outputs = 0
    for iface in graph.interfaces.values():
        for topic in iface.outputs:
            target = graph.neuron_pools.get(iface.np_of(topic))
            if target is not None:
                outputs += graph.agents * target.shape[0] * target.shape[1] * target.shape[2]
    trained = 0
    for plast in graph.plasticities.values():
        for ref in plast.parameter:
            item = graph.item(ref.item)
            specs = np_params(item, graph.agents) if ref.kind == "np" else sp_params(item, graph)
            trained += sum(p.size for p in specs if p.name == ref.name)
    return FLOAT_BYTES * (2 * state + params + outputs + 3 * trained)


def summary(graph: Graph) -> dict:
    frames = first_frames(graph)
    counts = parameter_counts(graph)
    nps = {}
    for name, np in graph.neuron_pools.items():
        nps[name] = {
            "shape": [graph.agents] + list(np.shape),
            "incoming": [sp.name for sp in graph.incoming(name)],
            "parameters": counts[name],
            "first_frame": frames[name],
        }
    return {
        "name": graph.name,
        "file": graph.file,
        "agents": graph.agents,
        "backend": graph.backend,
        "items": {
            "neuron_pools": len(graph.neuron_pools),
            "synapse_pools": len(graph.synapse_pools),
            "plasticities": len(graph.plasticities),
            "interfaces": len(graph.interfaces),
            "core_clients": len(graph.core_clients),
        },
        "neuron_pools": nps,
        "total_parameters": sum(counts.values()),
        "shm_bytes": shm_bytes(graph),
        "warnings": [str(w) for w in graph.warnings],
    }


def format_summary(info: dict) -> str:
    lines = [f"{info['file']}: graph {info['name']!r} is valid "
             f"({info['agents']} agents, backend {info['backend']})"]
    items = info["items"]
    lines.append("items: " + ", ".join(f"{n} {k.replace('_', '-')}" for k, n in items.items()))
    rows = [("neuron-pool", "shape", "params", "first frame", "incoming")]
    for name, np in info["neuron_pools"].items():
        shape = "x".join(str(d) for d in np["shape"])
        first = "-" if np["first_frame"] is None else str(np["first_frame"])
        rows.append((name, shape, f"{np['parameters']:,}", first, ", ".join(np["incoming"]) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row[:4], widths)) + "  " + row[4])
    lines.append(f"total parameters: {info['total_parameters']:,}")
    lines.append(f"shared memory estimate: {info['shm_bytes']:,} bytes "
                 f"({info['shm_bytes'] / 2**20:.1f} MiB)")
    return "\n".join(lines)
