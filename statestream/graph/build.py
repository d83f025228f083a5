"""From an expanded raw graph to a validated :class:`Graph` (every problem reported)."""
from __future__ import annotations

import heapq
import re
from types import MappingProxyType

from statestream.errors import Pos, Problems
from statestream.graph.expand import ITEM_SECTIONS, SECTIONS
from statestream.graph.items_if import build_client, build_if, check_interface_settings
from statestream.graph.items_mv import check_metavariables
from statestream.graph.items_np import build_np
from statestream.graph.items_plast import build_plast
from statestream.graph.items_sp import build_sp
from statestream.graph.inits import init_shape_problem, parse_init
from statestream.graph.layout import param_map
from statestream.graph.limits import check_sizes
from statestream.graph.model import BACKENDS, DEFAULT_BACKEND, Graph, freeze
from statestream.graph.nodes import LMap
from statestream.graph.trial import check_expressions
from statestream.graph.reader import Reader, as_int, show

_NAME = re.compile(r"[A-Za-z0-9_]+\Z")
TOP_KEYS = ("name", "agents", "backend", "external_models") + ITEM_SECTIONS
REFERENCE_EXTRAS = ("rollout_factor", "first_response_streaming", "first_response_sequential",
                    "shortest_path_sequential", "metavariables")
MAX_AGENTS = 1 << 20


def build_graph(net: LMap, file: str, problems: Problems, sources=()) -> Graph | None:
    name = _graph_name(net, file, problems)
    agents = _agents(net, file, problems)
    backend, backend_given = _backend(net, problems)
    raw_sections = _sections(net, problems)
    nps, sps, plasts, ifs, clients = {}, {}, {}, {}, {}
    for iname, raw in raw_sections["neuron_pools"].items():
        item = build_np(Reader(problems, iname, raw))
        if item is not None:
            nps[iname] = item
    known = set(raw_sections["neuron_pools"])
    for iname, raw in raw_sections["synapse_pools"].items():
        item = build_sp(Reader(problems, iname, raw), nps, known)
        if item is not None:
            sps[iname] = item
    for iname, raw in raw_sections["plasticities"].items():
        item = build_plast(Reader(problems, iname, raw), nps, sps, agents or 1, known)
        if item is not None:
            plasts[iname] = item
    for iname, raw in raw_sections["interfaces"].items():
        item = build_if(Reader(problems, iname, raw), known)
        if item is not None:
            ifs[iname] = item
    for iname, raw in raw_sections["core_clients"].items():
        item = build_client(Reader(problems, iname, raw))
        if item is not None:
            clients[iname] = item
    extras = _extras(net, problems)
    if name is None or agents is None or problems.errors:
        return None
    graph = Graph(
        name=name, agents=agents, backend=backend, file=file,
        neuron_pools=MappingProxyType(nps), synapse_pools=MappingProxyType(sps),
        plasticities=MappingProxyType(plasts), interfaces=MappingProxyType(ifs),
        core_clients=MappingProxyType(clients), extras=MappingProxyType(extras),
        sources=tuple(sources), backend_given=backend_given,
        kpos=MappingProxyType(dict(net.kpos)),
    )
    cross_check(graph, raw_sections, problems)
    check_metavariables(net, graph, problems)
    if not problems.errors and check_sizes(graph, raw_sections, problems):
        check_expressions(graph, raw_sections, problems)
        check_interface_settings(graph, problems)
    return graph


def _graph_name(net: LMap, file: str, problems: Problems):
    if "name" not in net or net["name"] is None:
        problems.error(Pos(file, 1), "name", "please give the network a name: name: my_net")
        return None
    value = net["name"]
    if isinstance(value, (dict, list)) or isinstance(value, bool):
        problems.error(net.pos_of("name"), "name", f"name must be a string, got {show(value)}")
        return None
    return str(value)


def _agents(net: LMap, file: str, problems: Problems):
    if "agents" not in net or net["agents"] is None:
        problems.error(Pos(file, 1), "agents", "please give the number of agents (batch size): "
                       "agents: 16")
        return None
    value = as_int(net["agents"])
    if value is None or not 1 <= value <= MAX_AGENTS:
        problems.error(net.pos_of("agents"), "agents", f"agents must be a positive integer, "
                       f"got {show(net['agents'])}")
        return None
    return value


def _backend(net: LMap, problems: Problems):
    if "backend" not in net or net["backend"] is None:
        return DEFAULT_BACKEND, False
    value = net["backend"]
    if value not in BACKENDS:
        problems.error(net.pos_of("backend"), "backend", f"unknown backend {show(value)} "
                       f"(allowed: {', '.join(BACKENDS)})")
        return DEFAULT_BACKEND, False
    return value, True


def _sections(net: LMap, problems: Problems) -> dict:
    """Each item section as {name: LMap}; bad names, null and non-mapping items reported."""
    out = {}
    seen: dict = {}
    for section in ITEM_SECTIONS:
        value = net.get(section)
        items = {}
        if value is not None and not isinstance(value, LMap):
            problems.error(net.pos_of(section), section, f"definition of {section} must be a "
                           f"mapping {{name: {{...}}}}, got {show(value)}")
            value = None
        for iname, raw in (value or {}).items():
            pos = value.pos_of(iname)
            label = str(iname)
            if not isinstance(iname, str) or not _NAME.match(iname):
                problems.error(pos, label, f"invalid item name {label!r}: use letters, digits "
                               "and _ only")
                continue
            if raw is None:
                problems.error(pos, label, f"found empty item {label!r}: give it its keys")
                continue
            if not isinstance(raw, LMap):
                problems.error(pos, label, f"item {label!r} must be a mapping of keys, got "
                               f"{show(raw)}")
                continue
            raw.pos = pos  # item-level problems point at the item's name
            if section in SECTIONS:
                if iname in seen:
                    problems.error(pos, label, f"names must be unique: {label!r} is both a "
                                   f"{seen[iname]} and a {section[:-1].replace('_', '-')}")
                    continue
                seen[iname] = section[:-1].replace("_", "-")
            items[iname] = raw
        out[section] = items
    return out


def _extras(net: LMap, problems: Problems) -> dict:
    extras = {}
    for key, value in net.items():
        if key in TOP_KEYS:
            if key == "external_models":
                extras[key] = freeze(value)
            continue
        if key not in REFERENCE_EXTRAS:
            problems.warning(net.pos_of(key), str(key), f"unknown top-level key {key!r} is "
                             "ignored")
        extras[key] = freeze(value)
    return extras


# -- checks that need the whole graph ------------------------------------------------------

def cross_check(graph: Graph, raw_sections: dict, problems: Problems) -> None:
    def reader(section, name):
        return Reader(problems, name, raw_sections[section][name])

    for np_ in graph.neuron_pools.values():
        _check_inits(reader("neuron_pools", np_.name), param_map(graph, np_).values())
    for sp in graph.synapse_pools.values():
        r = reader("synapse_pools", sp.name)
        own = param_map(graph, sp)
        _check_inits(r, own.values())
        for pname in sp.unshare:
            if pname not in own:
                r.error("unshare", f"cannot unshare {pname!r}: {sp.name} has parameters "
                        f"{', '.join(own) or 'none'}")
        for pname, (src, src_p) in sp.share_params.items():
            if pname not in own:
                r.error("share params", f"{sp.name} has no parameter {pname!r} to share")
                continue
            other = graph.synapse_pools.get(src)
            if other is None:
                r.error("share params", f"share params source {src!r} is not a synapse-pool")
                continue
            if src == sp.name:
                r.error("share params", f"{sp.name} cannot share a parameter with itself")
                continue
            theirs = param_map(graph, other)
            if src_p not in theirs:
                r.error("share params", f"{src} has no parameter {src_p!r}")
                continue
            if src_p in other.share_params:
                r.error("share params", f"{src}.{src_p} is itself shared: chains of sharing "
                        "are not allowed, share from the owner directly")
                continue
            if theirs[src_p].shape not in (own[pname].shape, (graph.agents,) + own[pname].shape):
                r.error("share params", f"shape of {src}.{src_p} {list(theirs[src_p].shape)} "
                        f"differs from {sp.name}.{pname} {list(own[pname].shape)}")
        _check_transformer(graph, sp, r)
    for plast in graph.plasticities.values():
        r = reader("plasticities", plast.name)
        cone = rollout_cone(graph, plast) if plast.type == "loss" else None
        for ref in plast.parameter:
            item = graph.item(ref.item)
            names = param_map(graph, item)
            if ref.name not in names:
                r.error("parameter", f"{ref.item} has no parameter {ref.name!r} (it has: "
                        f"{', '.join(names) or 'none'})")
                continue
            if cone is not None and ref.item not in cone:
                r.warning("parameter", f"{ref.kind} {ref.item} does not influence "
                        f"{plast.source} within source_t={plast.source_t} frames, so "
                        f"{ref.name} gets no gradient")
        if plast.type == "hebbian" and plast.parameter and plast.source and plast.target:
            ref = plast.parameter[0]
            sp = graph.synapse_pools.get(ref.item)
            if sp is not None and ref.name in param_map(graph, sp):
                shape = param_map(graph, sp)[ref.name].shape[-4:]
                src = graph.neuron_pools[plast.source].shape
                tgt = graph.neuron_pools[plast.target].shape
                want = (tgt[0], src[0], src[1], src[2])
                if tuple(shape) != want:
                    r.error("parameter", f"hebbian needs {ref.item}.{ref.name} shaped "
                            f"{list(want)} (target x source, dense), it is {list(shape)}")


def _check_inits(r: Reader, specs) -> None:
    """Init strings that cannot fill their parameter's shape (e.g. loc_inh on 3 -> 5)."""
    for spec in specs:
        key = f"init {spec.name}" if r.has(f"init {spec.name}") else "init"
        try:
            init = parse_init(spec.init)
        except ValueError:
            continue  # reported where the key was read
        problem = init_shape_problem(init, spec.shape)
        if problem:
            r.error(key, f"{spec.name}: {problem}")


def _check_transformer(graph: Graph, sp, r: Reader) -> None:
    if not sp.transformer:
        return
    if sp.factors not in (2, 3) or any(len(row) != 1 for row in sp.source):
        r.error("source", "a TRANSFORMER synapse-pool has 2 factors [[image], [positions]] or "
                "3 factors [[image], [scale], [position]]")
        return
    target = graph.neuron_pools[sp.target]
    image = graph.neuron_pools[sp.source[0][0]]
    if image.shape[0] != target.shape[0]:
        r.error("source", f"TRANSFORMER image {image.name!r} must have the target's "
                f"{target.shape[0]} features")
    second = graph.neuron_pools[sp.source[1][0]]
    if sp.factors == 2 and (second.shape[0] != 2 or second.shape[1:] != target.shape[1:]):
        r.error("source", f"TRANSFORMER positions {second.name!r} must be "
                f"[2, {target.shape[1]}, {target.shape[2]}] (absolute sampling positions)")
    if sp.factors == 3:
        pos = graph.neuron_pools[sp.source[2][0]]
        if second.shape != (1, 1, 1) or pos.shape != (2, 1, 1):
            r.error("source", "TRANSFORMER glimpse needs scale [1, 1, 1] and position [2, 1, 1]")


def rollout_cone(graph: Graph, plast) -> set:
    """Items (NPs computed at level >= 1 and SPs) of a loss plasticity's backward cone.

    Each NP is visited at the highest level that reaches it (levels fall by one per SP
    hop), so the work grows with the graph, not with source_t.
    """
    if not plast.source or plast.source_t < 1:
        return set()
    best = {plast.source: plast.source_t}
    if plast.target and plast.target_t > 0:
        best[plast.target] = max(best.get(plast.target, 0), plast.target_t)
    heap = [(-level, name) for name, level in best.items()]
    heapq.heapify(heap)
    found: set = set()
    while heap:
        negative, np_name = heapq.heappop(heap)
        level = -negative
        if level < best.get(np_name, 0) or level < 1 or np_name in found:
            continue
        found.add(np_name)
        for sp in graph.incoming(np_name):
            found.add(sp.name)
            for src in sp.source_nps:
                if level - 1 > best.get(src, 0):
                    best[src] = level - 1
                    heapq.heappush(heap, (1 - level, src))
    return found


__all__ = ["build_graph", "rollout_cone"]
