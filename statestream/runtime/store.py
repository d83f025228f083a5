"""What a snapshot holds and how it is loaded, written once over a small store interface.

A *store* is where a session's values live: plain arrays in the reference simulator
(:class:`statestream.runtime.simulator.SimulatorStore`) or the session's shared memory
(:class:`statestream.runtime.core.SessionStore`). It offers, for the frame before
``next_frame`` (``back`` = 0) and the recorded frames before it (``back`` >= 1):

    next_frame, graph, seed, interfaces {name: interface}, learning {name: description}
    state(np, back) / if_var(iface, var, back)    host arrays, None if not recorded
    params() {(item, param): host}, if_state(iface), hyper(plast) {name: float},
    variable(plast, var), delta(plast, owner, param) (None: no pending delta)
    begin_load(start, recorded), put_state(np, back, value), put_if_var(...),
    put_param(key, value), put_if_state(iface, state), put_hyper(plast, name, value),
    put_variable(plast, var, value), put_delta(plast, owner, param, value), end_load()

Keys: see :mod:`statestream.runtime.snapshot`.
"""
from __future__ import annotations

import numpy as np

from statestream.runtime import snapshot
from statestream.runtime.learning import (delta_key, history_if_key, history_needs,
                                          history_state_key, hyper_key,
                                          loaded_history_depth, parse_history_key,
                                          variable_key)


def needs(store) -> tuple:
    return history_needs(store.learning, store.graph)


def take_snapshot(store) -> dict:
    """Every array of a snapshot of ``store`` (host numpy)."""
    graph = store.graph
    states = {n: store.state(n, 0) for n in graph.neuron_pools}
    if_vars = {i: {v: store.if_var(i, v, 0) for v in iface.variables}
               for i, iface in store.interfaces.items()}
    if_states = {i: store.if_state(i) for i in store.interfaces}
    arrays = snapshot.collect(states, store.params(), if_vars, if_states, store.next_frame,
                              store.seed, graph.agents)
    arrays.update(learning_arrays(store))
    return arrays


def learning_arrays(store) -> dict:
    out = {}
    params = None
    for name, info in store.learning.items():
        for h, value in store.hyper(name).items():
            out[hyper_key(name, h)] = np.asarray(value, dtype=np.float64)
        for v in info.variables:
            out[variable_key(name, v)] = np.array(store.variable(name, v))
        for owner, pname in info.trained:
            delta = store.delta(name, owner, pname)
            if delta is None:
                params = store.params() if params is None else params
                delta = np.zeros(params[(owner, pname)].shape, np.float32)
            out[delta_key(name, owner, pname)] = np.array(delta, np.float32)
    depth, nps, ifaces = needs(store)
    for back in range(1, depth + 1):
        states = {n: store.state(n, back) for n in nps}
        if_vars = {(i, v): store.if_var(i, v, back) for i in ifaces
                   for v in store.interfaces[i].variables}
        if any(a is None for a in list(states.values()) + list(if_vars.values())):
            break
        out.update({history_state_key(back, n): np.array(a) for n, a in states.items()})
        out.update({history_if_key(back, i, v): np.array(a) for (i, v), a in if_vars.items()})
    return out


def expected_shapes(store) -> dict:
    """Every key a snapshot of ``store`` may hold, with its shape."""
    graph = store.graph
    params = store.params()
    shapes = {f"np/{n}": graph.np_state_shape(n) for n in graph.neuron_pools}
    shapes.update({f"{i}/{p}": tuple(v.shape) for (i, p), v in params.items()})
    for name, iface in store.interfaces.items():
        shapes.update({f"if/{name}/{v}": tuple(s) for v, s in iface.variables.items()})
    for name, info in store.learning.items():
        shapes.update({hyper_key(name, h): () for h in info.hyper})
        shapes.update({variable_key(name, v): tuple(s) for v, s in info.variables.items()})
        shapes.update({delta_key(name, o, p): tuple(params[(o, p)].shape)
                       for o, p in info.trained})
    depth, nps, ifaces = needs(store)
    for back in range(1, depth + 1):
        shapes.update({history_state_key(back, n): graph.np_state_shape(n) for n in nps})
        shapes.update({history_if_key(back, i, v): tuple(s) for i in ifaces
                       for v, s in store.interfaces[i].variables.items()})
    return shapes


def load_snapshot(store, path: str) -> None:
    """Load all or some keys of the snapshot at ``path``; ``meta/frame`` sets the next
    frame, and learning continues exactly when the file holds the recorded frames."""
    arrays = snapshot.load(path)
    snapshot.check_keys(path, arrays, expected_shapes(store))
    start = int(arrays["meta/frame"]) if "meta/frame" in arrays else store.next_frame
    depth_needs = needs(store)
    variables = {i: list(store.interfaces[i].variables) for i in depth_needs[2]}
    recorded = loaded_history_depth(arrays, depth_needs, variables, start)
    store.begin_load(start, recorded)
    for key, value in arrays.items():
        parsed = parse_history_key(key)
        if parsed is not None:
            if parsed[1] == "np":
                store.put_state(parsed[2], parsed[0], value)
            else:
                store.put_if_var(parsed[2], parsed[3], parsed[0], value)
            continue
        head, _, rest = key.partition("/")
        if head == "np":
            store.put_state(rest, 0, value)
        elif head == "if":
            iface, _, var = rest.partition("/")
            if var == "__state__":
                store.put_if_state(iface, snapshot.decode_state(value))
            else:
                store.put_if_var(iface, var, 0, value)
        elif head in store.learning:
            info = store.learning[head]
            if rest in info.hyper:
                store.put_hyper(head, rest, value)
            elif rest in info.variables:
                store.put_variable(head, rest, value)
            elif rest.startswith("delta."):
                owner, _, pname = rest[len("delta."):].rpartition(".")
                store.put_delta(head, owner, pname, value)
        elif head != "meta":
            store.put_param((head, rest), value)
    store.end_load()
