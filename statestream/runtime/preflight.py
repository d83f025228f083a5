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
    """Core-client types that no module provides stop a run (check only warns)."""
    from statestream.clients.catalogue import CORE_CLIENT_TYPES

    return [Problem(c.pos_of("type"), c.name, f"core-client type {c.type!r} not found: it is "
                    "not built in and no plugin provides it", "error")
            for c in graph.core_clients.values() if c.type not in CORE_CLIENT_TYPES]
