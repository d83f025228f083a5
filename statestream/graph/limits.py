"""Size limits of a whole graph: no parameter and no graph beyond what a machine can hold."""
from __future__ import annotations

from statestream.errors import Problems
from statestream.graph.layout import owned_params
from statestream.graph.model import Graph
from statestream.graph.reader import Reader

MAX_PARAM_ELEMENTS = 2**31  # one parameter array (8 GiB of float32)
MAX_GRAPH_BYTES = 2**36  # the memory estimate of a whole graph (64 GiB)


def check_sizes(graph: Graph, raw_sections: dict, problems: Problems) -> bool:
    """Report parameters and graphs that are too large; False when any was found."""
    from statestream.graph.summary import shm_bytes

    ok = True
    for section, items in (("neuron_pools", graph.neuron_pools),
                           ("synapse_pools", graph.synapse_pools)):
        for item in items.values():
            r = Reader(problems, item.name, raw_sections[section][item.name])
            for spec in owned_params(graph, item):
                if spec.size > MAX_PARAM_ELEMENTS:
                    key = "rf" if section == "synapse_pools" and r.has("rf") else None
                    key = "shape" if section == "neuron_pools" else key
                    r.error(key, f"parameter {spec.name} would have {spec.size:,} elements "
                            f"(shape {list(spec.shape)}), more than {MAX_PARAM_ELEMENTS:,}")
                    ok = False
    if not ok:
        return False
    total = shm_bytes(graph)
    if total > MAX_GRAPH_BYTES:
        problems.error(_graph_pos(graph), "graph",
                       f"the graph needs about {total / 2**30:,.1f} GiB (states, parameters "
                       f"and learning state), more than {MAX_GRAPH_BYTES / 2**30:.0f} GiB")
        return False
    return True


def _graph_pos(graph: Graph):
    from statestream.errors import Pos

    line = graph.kpos.get("agents") if graph.kpos else None
    return line if line is not None else Pos(graph.file, 1)
