"""Where every array of a session lives in its shared memory (computed from the graph).

Names: ``np/<name>`` state ring ``[depth, agents, C, X, Y]`` (frame k in slot k % depth);
``par/<item>/<param>`` parameters (owners only); ``if/<name>/<var>`` interface variable
rings ``[depth, ...]``; ``ifpar/<name>`` interface scalars; ``ctl/*``, ``proc/*``, ``cmd/*``
the control block (see :mod:`statestream.runtime.control`).
"""
from __future__ import annotations

import numpy as np

from statestream.runtime.control import control_arrays
from statestream.graph.layout import np_params, sp_params
from statestream.graph.model import Graph

ALIGN = 64


def process_table(graph: Graph, learning: bool = True, parts: dict | None = None) -> list[dict]:
    """One worker process per NP, interface and plasticity (if learning), in this order;
    then the helpers of plasticities split into ``parts`` (``<plast>.part<i>``, i >= 1)."""
    table = [{"name": n, "kind": "np"} for n in graph.neuron_pools]
    table += [{"name": n, "kind": "if"} for n in graph.interfaces]
    if learning:
        table += [{"name": n, "kind": "plast"} for n in graph.plasticities]
        for name, count in (parts or {}).items():
            table += [{"name": part_process(name, i), "kind": "plast", "of": name, "part": i}
                      for i in range(1, count)]
    return table


def part_process(plast: str, part: int) -> str:
    return f"{plast}.part{part}"


def part_arrays(plast: str, part: int, trained, shapes: dict) -> dict:
    """Where part ``part`` of a split plasticity leaves its gradients and loss sums."""
    out = {f"part/{plast}/{part}/{o}/{p}": (tuple(shapes[(o, p)]), "float32") for o, p in trained}
    out[f"part/{plast}/{part}/loss"] = ((2,), "float32")
    return out


def owned_param_shapes(graph: Graph) -> dict:
    """(item, parameter) -> shape for every parameter with its own storage."""
    out = {}
    for np_ in graph.neuron_pools.values():
        for spec in np_params(np_, graph.agents):
            out[(np_.name, spec.name)] = spec.shape
    for sp in graph.synapse_pools.values():
        for spec in sp_params(sp, graph):
            if spec.name not in sp.share_params:
                out[(sp.name, spec.name)] = spec.shape
    return out


def learning_arrays(graph: Graph, plasticities: dict, parts: dict | None = None) -> dict:
    """Arrays of the plasticities: ``hyp/<plast>`` settings (float64), ``plast/<plast>/<var>``
    variables (optimizer state, losses), ``mail/<plast>/<owner>/<param>`` deltas and, for
    plasticities split into parts, ``part/<plast>/<i>/...`` (see :func:`part_arrays`)."""
    shapes = owned_param_shapes(graph)
    out = {}
    for name, info in plasticities.items():
        out[f"hyp/{name}"] = ((max(len(info.hyper), 1),), "float64")
        for var, shape in info.variables.items():
            out[f"plast/{name}/{var}"] = (tuple(shape), "float32")
        for owner, pname in info.trained:
            out[f"mail/{name}/{owner}/{pname}"] = (tuple(shapes[(owner, pname)]), "float32")
        for part in range(1, (parts or {}).get(name, 1)):
            out.update(part_arrays(name, part, info.trained, shapes))
    return out


def build_layout(graph: Graph, interfaces: dict, ring_depth: int, extra: dict | None = None,
                 processes: int | None = None):
    """Array table {name: (offset, shape, dtype)} and total size in bytes.

    ``interfaces``: name -> (variables {var: shape}, params [names]) of each interface.
    ``extra``: further arrays {name: (shape, dtype)} (see :func:`learning_arrays`).
    """
    specs: dict = dict(control_arrays(processes or len(process_table(graph))))
    for name in graph.neuron_pools:
        specs[f"np/{name}"] = ((ring_depth,) + graph.np_state_shape(name), "float32")
    for (item, pname), shape in owned_param_shapes(graph).items():
        specs[f"par/{item}/{pname}"] = (tuple(shape), "float32")
    for name, (variables, params) in interfaces.items():
        for var, shape in variables.items():
            specs[f"if/{name}/{var}"] = ((ring_depth,) + tuple(shape), "float32")
        specs[f"ifpar/{name}"] = ((max(len(params), 1),), "float64")
    specs.update(extra or {})
    table, offset = {}, 0
    for name, (shape, dtype) in specs.items():
        offset = (offset + ALIGN - 1) // ALIGN * ALIGN
        nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        table[name] = (offset, [int(d) for d in shape], dtype)
        offset += nbytes
    return table, offset


def plan_memory(graph: Graph, interfaces: dict, learning: dict, memory: int = 2,
                parts: dict | None = None) -> tuple:
    """(array table, size in bytes, ring depth) of a session: what ``check`` reports and
    what a session allocates. ``interfaces``: name -> built interface; ``learning``:
    name -> plasticity description; ``parts``: plasticity -> processes it is split into."""
    described = {n: (i.variables, list(i.params)) for n, i in interfaces.items()}
    depth = max((d.depth for d in learning.values()), default=0)
    ring = max(2, int(memory), depth + 2)  # plasticities read frames k-1-depth .. k-1
    processes = len(process_table(graph, bool(learning), parts)) if parts else None
    arrays, size = build_layout(graph, described, ring, learning_arrays(graph, learning, parts),
                                processes)
    return arrays, size, ring


def session_size(graph: Graph, memory: int = 2, learning: bool = True) -> int:
    """The shared memory a session of ``graph`` allocates (interfaces built without data)."""
    from statestream.interfaces import create as create_interface
    from statestream.plasticities import describe_plasticity, plasticity_parts

    interfaces = {n: create_interface(item, graph, 0, True)
                  for n, item in graph.interfaces.items()}
    plans = {n: describe_plasticity(item, graph)
             for n, item in graph.plasticities.items()} if learning else {}
    return plan_memory(graph, interfaces, plans, memory, plasticity_parts(graph, plans))[1]


def view(buf, entry):
    offset, shape, dtype = entry
    count = int(np.prod(shape, dtype=np.int64))
    return np.frombuffer(buf, dtype=dtype, count=count, offset=offset).reshape(shape)
