"""Learning rules shared by the simulator and the runtime: parameter bounds, applying
plasticity deltas, and the saved names of plasticity settings, variables and deltas.

A delta computed by a plasticity in frame k is added by the parameter's owner in frame
k+1 (so it is seen by every item from frame k+2 on); deltas of several plasticities on one
parameter are added in the plasticities' definition order; bounds clamp the parameter.
"""
from __future__ import annotations

import numpy as np

from statestream.graph.layout import np_params, sp_params


def param_bounds(graph) -> dict:
    """(owner, pname) -> (min or None, max or None) for every owned parameter."""
    out = {}
    for np_ in graph.neuron_pools.values():
        for spec in np_params(np_, graph.agents):
            out[(np_.name, spec.name)] = (spec.min, spec.max)
    for sp in graph.synapse_pools.values():
        for spec in sp_params(sp, graph):
            out[(sp.name, spec.name)] = (spec.min, spec.max)
    return out


def apply_deltas(param: np.ndarray, deltas, bounds) -> None:
    """``param += delta`` for each delta in order, then clamp; in place, float32."""
    for delta in deltas:
        np.add(param, delta, out=param)
    lo, hi = bounds
    if lo is not None or hi is not None:
        np.clip(param, -np.inf if lo is None else lo, np.inf if hi is None else hi, out=param)


def hyper_key(plast: str, name: str) -> str:
    return f"{plast}/{name}"


def variable_key(plast: str, name: str) -> str:
    return f"{plast}/{name}"


def delta_key(plast: str, owner: str, pname: str) -> str:
    return f"{plast}/delta.{owner}.{pname}"


def round_hyper(value) -> float:
    """Settings live as float64 in shared memory; use the same values everywhere."""
    return float(np.float64(value))


def history_needs(plasticities: dict, graph) -> tuple:
    """(depth, NP names, interface names) of the recorded frames the plasticities read."""
    depth = max((p.depth for p in plasticities.values()), default=0)
    nps = set().union(*(p.reads for p in plasticities.values())) if plasticities else set()
    fed = set().union(*(p.if_reads for p in plasticities.values())) if plasticities else set()
    ifaces = {i.name for i in graph.interfaces.values()
              if any(i.np_of(t) in fed for t in i.outputs)}
    return depth, sorted(nps), sorted(ifaces)


def history_state_key(back: int, np_name: str) -> str:
    """The state of frame ``meta/frame - 1 - back`` (back >= 1; back 0 is ``np/<name>``)."""
    return f"hist/{back}/np/{np_name}"


def history_if_key(back: int, iface: str, var: str) -> str:
    return f"hist/{back}/if/{iface}/{var}"


def parse_history_key(key: str):
    """(back, "np", name) or (back, "if", iface, var) for a history key, else None."""
    parts = key.split("/")
    if len(parts) < 4 or parts[0] != "hist" or not parts[1].isdigit():
        return None
    back = int(parts[1])
    if parts[2] == "np" and len(parts) == 4:
        return back, "np", parts[3]
    if parts[2] == "if" and len(parts) == 5:
        return back, "if", parts[3], parts[4]
    return None


def loaded_history_depth(arrays: dict, needs: tuple, variables: dict, start: int) -> int:
    """How many frames before ``start`` a loaded file restores completely (>= 0).

    ``variables``: interface -> its variable names (for the interfaces in ``needs``).
    """
    depth, nps, ifaces = needs
    complete = 0
    for back in range(0, depth + 1):
        keys = [f"np/{n}" if back == 0 else history_state_key(back, n) for n in nps]
        keys += [f"if/{i}/{v}" if back == 0 else history_if_key(back, i, v)
                 for i in ifaces for v in variables[i]]
        if not all(k in arrays for k in keys):
            break
        complete = back + 1
    return min(complete, start)
