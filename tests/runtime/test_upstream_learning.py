"""Upstream graphs with plasticities (datasets swapped for random data) learn for 100 frames
in both rollout modes without errors or NaN."""
from __future__ import annotations

import dataclasses
from types import MappingProxyType

import numpy as np
import pytest

from statestream.errors import SpecError
from statestream.runtime.simulator import Simulator
from statestream.graph import load_graph
from statestream.graph.summary import shm_bytes
from tests.conftest import needs_shared, upstream_files, upstream_ids

FILES = upstream_files("examples") + upstream_files("reference")


def _graph(path, mode):
    try:
        graph = load_graph(path)
    except SpecError:
        pytest.skip("deliberately wrong graph")
    if not graph.plasticities:
        pytest.skip("no plasticities")
    graph = graph.with_agents(2)
    if shm_bytes(graph) > 20_000_000:
        graph = graph.with_agents(1)
    plasticities = {n: dataclasses.replace(p, rollout=mode) if p.type == "loss" else p
                    for n, p in graph.plasticities.items()}
    return dataclasses.replace(graph, plasticities=MappingProxyType(plasticities))


@needs_shared
@pytest.mark.parametrize("mode", ["replay", "forecast"])
@pytest.mark.parametrize("path", FILES, ids=upstream_ids(FILES))
def test_100_frames_of_learning(path, mode):
    graph = _graph(path, mode)
    sim = Simulator(graph, backend="torch", seed=0, synthetic_inputs=True)
    before = sim.host_params()
    sim.run(100)
    for name, state in sim.host_states().items():
        assert np.isfinite(state).all(), name
    after = sim.host_params()
    for key, value in after.items():
        assert np.isfinite(value).all(), key
    trained = {key for p in sim.plasticities.values() for key in p.trained}
    assert any(not np.array_equal(before[k], after[k]) for k in trained), "nothing learned"
