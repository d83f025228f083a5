"""The fully expanded graph as YAML that re-parses to an equal graph."""
from __future__ import annotations

from statestream.graph.model import Graph
from statestream.graph.yamlio import dump_text

HEADER = "# fully expanded by statestream check --explicit from {file}\n"


def explicit_yaml(graph: Graph) -> str:
    return HEADER.format(file=graph.file) + dump_text(graph.to_dict())
