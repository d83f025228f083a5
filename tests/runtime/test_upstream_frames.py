"""Every accepted upstream example runs 50 frames on both backends with equal states."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.errors import SpecError
from statestream.runtime.simulator import Simulator
from statestream.graph import load_graph
from statestream.graph.summary import shm_bytes
from tests.conftest import needs_shared, upstream_files, upstream_ids

FILES = upstream_files("examples")
FRAMES = 50


def _graph(path):
    try:
        graph = load_graph(path)
    except SpecError:
        pytest.skip("deliberately wrong graph")
    small = graph.with_agents(2)
    return small if shm_bytes(small) < 20_000_000 else graph.with_agents(1)


@needs_shared
@pytest.mark.parametrize("path", FILES, ids=upstream_ids(FILES))
def test_50_frames_numpy_equals_torch(path):
    graph = _graph(path)
    sims = [Simulator(graph, backend=b, seed=0, synthetic_inputs=True, threads=1,
                      learning=False) for b in ("numpy", "torch")]
    for sim in sims:
        sim.run(FRAMES)
    a, b = (sim.host_states() for sim in sims)
    for name in a:
        assert np.isfinite(a[name]).all() and np.isfinite(b[name]).all(), name
        scale = max(1.0, float(np.max(np.abs(a[name]), initial=0.0)))
        assert np.max(np.abs(a[name] - b[name]), initial=0.0) <= 1e-4 * scale, name
