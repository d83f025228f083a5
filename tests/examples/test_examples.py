"""Every example graph is valid and runs a few frames (numpy and torch); dataset
interfaces get synthetic inputs except digits, which is bundled with scikit-learn."""
from __future__ import annotations

import os

import pytest

from statestream.graph import load_graph
from statestream.interfaces.catalogue import INTERFACE_TYPES
from statestream.runtime.simulator import Simulator

from ..conftest import EXAMPLES

GRAPHS = sorted(f for f in os.listdir(EXAMPLES) if f.endswith(".st_graph"))


def test_every_interface_type_has_an_example():
    used = {item.type for name in GRAPHS
            for item in load_graph(os.path.join(EXAMPLES, name)).interfaces.values()}
    assert used == set(INTERFACE_TYPES)


def test_readme_lists_every_example():
    text = open(os.path.join(EXAMPLES, "README.md")).read()
    assert [g for g in GRAPHS if g not in text] == []


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("name", GRAPHS)
def test_example_runs(name, backend):
    graph = load_graph(os.path.join(EXAMPLES, name)).with_agents(2)
    has_loss = any(p.type == "loss" for p in graph.plasticities.values())
    synthetic = any(i.type != "digits" and INTERFACE_TYPES[i.type].needs_data
                    for i in graph.interfaces.values())
    sim = Simulator(graph, backend=backend, seed=0, synthetic_inputs=synthetic, threads=1,
                    learning=backend == "torch" or not has_loss)
    sim.run(4)
    assert sim.frame == 4
