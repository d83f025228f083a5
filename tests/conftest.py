"""Shared test helpers: the upstream graphs in ../shared and small graph builders."""
from __future__ import annotations

import os
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
UPSTREAM = os.path.join(SHARED, "graphs", "upstream")
EXAMPLES = os.path.join(ROOT, "statestream", "examples")


def upstream_files(folder: str) -> list[str]:
    path = os.path.join(UPSTREAM, folder)
    if not os.path.isdir(path):
        return []
    return sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".st_graph"))


def upstream_ids(files):
    return [os.path.basename(f) for f in files]


needs_shared = pytest.mark.skipif(not os.path.isdir(UPSTREAM),
                                  reason="../shared/graphs/upstream is absent (a user's clone)")


@pytest.fixture
def write_graph(tmp_path):
    """Write dedented YAML text to a graph file and return its path."""
    def write(text: str, name: str = "g.st_graph") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return str(path)
    return write
