"""Small graphs from YAML text, random states, and numpy-vs-torch stepping."""
from __future__ import annotations

import textwrap

import numpy as np

from statestream.backends import get_backend
from statestream.neuronal import build_np, build_sp, initial_params
from statestream.graph import parse_graph

SEED = 7
FRAME = 3
TOL = 1e-5


def graph(body: str, agents: int = 2):
    """A graph from the YAML of its sections (name and agents are added)."""
    text = f"name: t\nagents: {agents}\n" + textwrap.dedent(body).strip("\n") + "\n"
    return parse_graph(text)


def random_states(g, seed: int = 0, low=-1.0, high=1.0) -> dict:
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(low, high, g.np_state_shape(name)).astype(np.float32)
            for name in g.neuron_pools}


def on(B, arrays: dict) -> dict:
    return {k: B.asarray(v) for k, v in arrays.items()}


def np_step(g, np_name, states, params=None, backend="numpy", frame=FRAME, seed=SEED,
            exclude=frozenset()):
    """The NP's new state (numpy array) computed on ``backend``."""
    B = get_backend(backend)
    params = initial_params(g, seed) if params is None else params
    update = build_np(np_name, g, B)
    return B.to_numpy(update(on(B, states), on(B, params), frame, seed, exclude))


def sp_step(g, sp_name, states, params=None, backend="numpy", frame=FRAME, seed=SEED):
    """One SP's post-synaptic output (numpy array); ``params`` keyed by its own names."""
    B = get_backend(backend)
    sp = g.synapse_pools[sp_name]
    if params is None:
        params = {p: v for (item, p), v in initial_params(g, seed).items() if item == sp_name}
    forward = build_sp(sp, g, B)
    return B.to_numpy(forward(on(B, states), on(B, params), frame, seed))


def both(step, *args, tol=TOL, **kwargs):
    """``step`` on numpy and on torch: asserts they agree, returns the numpy result."""
    reference = step(*args, backend="numpy", **kwargs)
    other = step(*args, backend="torch", **kwargs)
    assert reference.shape == other.shape
    assert np.all(np.isfinite(reference))
    diff = float(np.max(np.abs(reference - other))) if reference.size else 0.0
    assert diff <= tol * max(1.0, float(np.max(np.abs(reference)))), diff
    return reference
