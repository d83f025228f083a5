"""Graph specification: parse, expand and validate ``.st_graph`` files into frozen items."""
from __future__ import annotations

from statestream.errors import Pos, Problems, SpecError
from statestream.graph.build import build_graph
from statestream.graph.expand import drop_expansion_keys, expand, load_raw
from statestream.graph.model import Graph
from statestream.graph.nodes import LMap
from statestream.graph.yamlio import parse_text


def load_graph(path: str, problems: Problems | None = None) -> Graph:
    """The validated graph of ``path``; raises :class:`SpecError` listing every error.

    Warnings (what only a run can decide) are kept in ``graph.warnings``.
    """
    problems = problems if problems is not None else Problems()
    net = load_raw(path, problems)
    graph = None
    if net is not None:
        graph = _finish(net, path, problems)
    elif not problems.errors:
        problems.error(Pos(path, 1), "graph", "the file is empty: a graph needs at least "
                       "name, agents and neuron_pools")
    problems.raise_if_errors()
    return _with_warnings(graph, problems)


def parse_graph(text: str, file: str = "<text>", problems: Problems | None = None) -> Graph:
    """Like :func:`load_graph` for YAML text (imports resolve relative to the cwd)."""
    problems = problems if problems is not None else Problems()
    net = parse_text(text, file, problems)
    graph = None
    if net is None and not problems.errors:
        problems.error(Pos(file, 1), "graph", "the text is empty: a graph needs at least "
                       "name, agents and neuron_pools")
    elif net is not None and not isinstance(net, LMap):
        problems.error(Pos(file, 1), "graph", "a graph must be a mapping of keys (name, agents, "
                       "neuron_pools, ...)")
    elif net is not None:
        graph = _finish(net, file, problems)
    problems.raise_if_errors()
    return _with_warnings(graph, problems)


def _finish(net: LMap, file: str, problems: Problems):
    expand(net, file, problems)
    sources = tuple(net.get("__source_root__", ()))
    drop_expansion_keys(net)
    return build_graph(net, file, problems, (file,) + sources)


def _with_warnings(graph: Graph, problems: Problems) -> Graph:
    from dataclasses import replace

    return replace(graph, warnings=tuple(problems.warnings))


__all__ = ["load_graph", "parse_graph", "Graph", "SpecError"]
