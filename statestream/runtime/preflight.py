"""What is checked before a session allocates anything: the graph, its backend, devices
and core-client types. Shared by ``statestream.open`` and the command line."""
from __future__ import annotations

import os
from dataclasses import replace

from statestream.errors import Problem, SpecError, UserError


def resolve_graph(graph):
    """A parsed graph from a Graph, a path, or a graph name on the search path."""
    from statestream.graph import load_graph
    from statestream.graph.expand import resolve_graph_file
    from statestream.graph.model import Graph

    if isinstance(graph, Graph):
        return graph
    path = os.fspath(graph)
    if not os.path.exists(path):
        path = resolve_graph_file(path, None) or path
    return load_graph(path)


def prepare_graph(graph, backend: str | None = None, device: str | None = None,
                  check_devices: bool = True):
    """(graph, backend name): every problem that would stop a run is raised here."""
    from statestream.backends import device_problem
    from statestream.graph.environment import run_problems

    graph = resolve_graph(graph)
    backend = backend or graph.backend
    problems = [p for p in run_problems(graph, backend)
                if (check_devices and device is None) or p.item == "backend"]
    problems += client_problems(graph)
    if problems:
        raise SpecError([replace(p, severity="error") for p in problems])
    problem = device_problem(device)
    if problem:
        raise UserError(problem)
    return graph, backend


def client_problems(graph) -> list:
    """Core clients whose type nothing provides, or whose keys are wrong, stop a run
    (``check`` only warns about the type)."""
    from statestream.clients.lookup import client_class, where
    from statestream.graph.nodes import to_plain

    problems = []
    for c in graph.core_clients.values():
        if where(c.type, graph.file) is None:
            problems.append(Problem(c.pos_of("type"), c.name, f"core-client type {c.type!r} "
                                    f"not found: no core_clients/{c.type}.py beside the graph "
                                    "or on the search path, not built in, no plugin"))
            continue
        try:
            cls = client_class(c.type, graph.file)
        except UserError as exc:
            problems.append(Problem(c.pos_of("type"), c.name, str(exc)))
            continue
        check = getattr(cls, "problems", None)
        for key, message in (check(to_plain(c.spec), graph) if callable(check) else []):
            problems.append(Problem(c.pos_of(key) if key else c.pos, c.name, message))
    return problems
