"""Initial parameter values (host-side numpy float32) and parameter sharing.

Init strings follow neuronal.md 2.3 with the fixes listed in docs/differences.md:
seeded draws per (seed, item, parameter), unshared parameters initialised per agent
from their trailing four dims, and a separable bilinear kernel for ``bilin``.
"""
from __future__ import annotations

import numpy as np

from statestream.backends.random import weight_rng
from statestream.graph.inits import Init, init_shape_problem, parse_init
from statestream.graph.layout import ParamSpec, np_params, owned_params
from statestream.graph.model import Graph

F32 = np.float32


def initial_value(spec: ParamSpec, seed: int, item: str) -> np.ndarray:
    """The initial float32 value of one parameter, clipped to [spec.min, spec.max]."""
    init = parse_init(spec.init)
    shape = tuple(int(d) for d in spec.shape)
    problem = init_shape_problem(init, shape)
    if problem is not None:
        raise ValueError(problem)
    value = _fill(init, shape, lambda: weight_rng(seed, item, spec.name))
    if spec.min is not None or spec.max is not None:
        value = np.clip(value, spec.min, spec.max)
    return np.array(value, dtype=F32, order="C")


def initial_params(graph: Graph, seed: int) -> dict[tuple[str, str], np.ndarray]:
    """Initial values of every owned NP and SP parameter, keyed (item, parameter)."""
    out = {}
    for np_item in graph.neuron_pools.values():
        for spec in np_params(np_item, graph.agents):
            out[(np_item.name, spec.name)] = initial_value(spec, seed, np_item.name)
    for sp in graph.synapse_pools.values():
        for spec in owned_params(graph, sp):
            out[(sp.name, spec.name)] = initial_value(spec, seed, sp.name)
    return out


def resolve_param(graph: Graph, item_name: str, pname: str) -> tuple[str, str]:
    """(owner item, owner parameter) of ``item_name.pname`` after ``share params``."""
    item = graph.item(item_name)
    if item is not None and item.kind == "sp" and pname in item.share_params:
        owner, owner_pname = item.share_params[pname]
        return str(owner), str(owner_pname)
    return item_name, pname


# -- fills ------------------------------------------------------------------------------

def _fill(init: Init, shape: tuple, rng) -> np.ndarray:
    kind = init.kind
    if kind == "const":
        return np.full(shape, init.args[0], F32)
    if kind == "normal":
        mean, std = init.args
        return rng().normal(mean, std, shape)
    if kind == "uniform":
        low, high = init.args
        return rng().uniform(low, high, shape)
    if kind == "xavier":
        d0, d1, d2, d3 = shape[-4:]
        fan_in, fan_out = d1 * d2 * d3, d0 * d2 * d3
        bound = init.args[0] * np.sqrt(6.0 / (fan_in + fan_out))
        return rng().uniform(-bound, bound, shape)
    kernel = {"id": _identity, "loc_inh": _local_inhibition, "bilin": _bilinear}[kind]
    per_agent = kernel(init, shape[-4:])
    return np.broadcast_to(per_agent, shape).copy()


def _identity(init: Init, shape: tuple) -> np.ndarray:
    """Scaled feature map at the kernel centre: diagonal, or blocks/tiles for ratios q."""
    scale, variant = init.args
    d0, d1, d2, d3 = shape
    target = np.arange(d0)[:, None]
    source = np.arange(d1)[None, :]
    if d0 == d1:
        connect = target == source
    elif d0 > d1:  # target t copies source t // q (id) or t % d1 (Id)
        q = d0 // d1
        connect = (target // q == source) if variant == "id" else (target % d1 == source)
    else:  # target t sums sources t*q .. t*q+q-1 (id) or t, t+d0, ... (Id)
        q = d1 // d0
        connect = (source // q == target) if variant == "id" else (source % d0 == target)
    out = np.zeros(shape, F32)
    out[:, :, d2 // 2, d3 // 2] = scale * connect
    return out


def _local_inhibition(init: Init, shape: tuple) -> np.ndarray:
    d0, d1, d2, d3 = shape
    out = np.full(shape, -1.0 / (d1 * d2 * d3), F32)
    diagonal = np.arange(d0)
    out[diagonal, diagonal, d2 // 2, d3 // 2] = 0.5
    return out


def _tent(size: int) -> np.ndarray:
    """w(u) = max(0, 1 - |u| / (size // 2 + 1)) for offsets u from the centre size // 2."""
    offsets = np.arange(size) - size // 2
    return np.maximum(0.0, 1.0 - np.abs(offsets) / (size // 2 + 1))


def _bilinear(init: Init, shape: tuple) -> np.ndarray:
    d0, _, d2, d3 = shape
    out = np.zeros(shape, F32)
    diagonal = np.arange(d0)
    out[diagonal, diagonal] = np.outer(_tent(d2), _tent(d3))
    return out
