"""The graph's ``metavariables:`` section: each definition checked like any item
(FILE:LINE: name: message); the definitions stay in ``graph.extras["metavariables"]``."""
from __future__ import annotations

from statestream.graph.nodes import LMap, to_plain


def check_metavariables(net: LMap, graph, problems) -> None:
    from statestream.metavariables.spec import check_spec

    section = net.get("metavariables")
    if section is None:
        return
    if not isinstance(section, LMap):
        problems.error(net.pos_of("metavariables"), "metavariables",
                       "metavariables must be a mapping {name: {type: ..., source: ...}}")
        return
    for name, raw in section.items():
        pos = section.pos_of(name)
        if not isinstance(raw, LMap):
            problems.error(pos, str(name), "a meta-variable is a mapping of keys, e.g. "
                           "{type: scalar_stats, source: hidden1}")
            continue
        if name in graph.neuron_pools or graph.item(str(name)) is not None:
            problems.error(pos, str(name), f"meta-variable {name!r} has the name of an item")
            continue
        _, found = check_spec(name, to_plain(raw), graph)
        for key, message in found:
            where = raw.pos_of(key) if key is not None and key in raw else pos
            problems.error(where, str(name), message)
