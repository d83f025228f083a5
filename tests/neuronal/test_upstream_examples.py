"""Every upstream example graph the spec accepts builds and steps on both backends."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.backends import get_backend
from statestream.errors import SpecError
from statestream.neuronal import build_network, initial_params
from statestream.graph import load_graph
from tests.conftest import needs_shared, upstream_files, upstream_ids

EXAMPLES = upstream_files("examples")
FRAMES = 3


def step_all(g, backend: str, states: dict, params: dict) -> list[dict]:
    B = get_backend(backend)
    network = build_network(g, B)
    params = {k: B.asarray(v) for k, v in params.items()}
    current = {k: B.asarray(v) for k, v in states.items()}
    history = []
    with B.no_grad():
        for frame in range(FRAMES):
            current = {name: update(current, params, frame, 1) for name, update in network.items()}
            history.append({k: B.to_numpy(v) for k, v in current.items()})
    return history


@needs_shared
@pytest.mark.parametrize("path", EXAMPLES, ids=upstream_ids(EXAMPLES))
def test_example_steps_on_both_backends(path):
    try:
        g = load_graph(path)
    except SpecError:
        pytest.skip("not accepted by the spec (a deliberately wrong graph)")
    g = g.with_agents(2)
    rng = np.random.default_rng(0)
    states = {name: rng.uniform(-1, 1, g.np_state_shape(name)).astype(np.float32)
              for name in g.neuron_pools}
    params = initial_params(g, seed=1)
    reference = step_all(g, "numpy", states, params)
    other = step_all(g, "torch", states, params)
    for frame, (a, b) in enumerate(zip(reference, other)):
        for name in a:
            assert np.all(np.isfinite(a[name])), (frame, name)
            scale = max(1.0, float(np.abs(a[name]).max()))
            diff = float(np.abs(a[name] - b[name]).max())
            assert diff <= 1e-4 * scale, (frame, name, diff)
