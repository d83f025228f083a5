"""Interface and core-client keys: checks 14a-d of runtime.md 9.1 plus 9.3."""
from __future__ import annotations

from types import MappingProxyType

from statestream.clients.catalogue import CORE_CLIENT_TYPES
from statestream.interfaces.catalogue import INTERFACE_TYPES
from statestream.graph.model import CoreClient, Interface, freeze
from statestream.graph.reader import Reader, show


def _topics(r: Reader, key: str):
    raw = r.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        r.error(key, f"{key} must be a list of topic names, got {show(raw)}")
        return ()
    return tuple(raw)


def build_if(r: Reader, nps: dict) -> Interface | None:
    common = r.common()
    itype = r.get("type")
    if not isinstance(itype, str) or not itype:
        r.error("type" if r.has("type") else None, "interface needs a type, e.g. "
                "type: roman_numerals")
        itype = None
    if not r.has("in") and not r.has("out"):
        r.error(None, "expected in and/or out: the topics this interface reads and writes")
    inputs = _topics(r, "in")
    outputs = _topics(r, "out")
    remap = {}
    raw_remap = r.get("remap")
    if raw_remap is not None:
        if not isinstance(raw_remap, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in raw_remap.items()):
            r.error("remap", "remap must be a mapping {topic: neuron_pool}")
        else:
            remap = dict(raw_remap)
    for key, topics in (("in", inputs), ("out", outputs)):
        for topic in topics:
            np_name = remap.get(topic, topic)
            if np_name not in nps:
                r.error(key, f"no neuron-pool {np_name!r} for {key} topic {topic!r} "
                        "(add it or remap the topic)")
    known = INTERFACE_TYPES.get(itype) if itype else None
    if itype and known is None:
        r.warning("type", f"interface type {itype!r} is not built in; a run needs a plugin "
                  "that provides it")
    if known is not None:
        for key, topics, allowed in (("in", inputs, known.inputs), ("out", outputs, known.outputs)):
            for topic in topics:
                if topic not in allowed:
                    listed = ", ".join(allowed) or "none"
                    r.warning(key, f"{itype} has no {key} topic {topic!r} (known: {listed})")
    if itype is None:
        return None
    return Interface(
        name=r.name, spec=freeze(r.raw), pos=r.pos(), kpos=MappingProxyType(dict(r.raw.kpos)),
        **common, type=itype, inputs=inputs, outputs=outputs, remap=MappingProxyType(remap),
    )


def build_client(r: Reader) -> CoreClient | None:
    ctype = r.get("type")
    if not isinstance(ctype, str) or not ctype:
        r.error("type" if r.has("type") else None, "core client needs a type, e.g. "
                "type: lr_scheduler")
        return None
    if ctype not in CORE_CLIENT_TYPES:
        r.warning("type", f"core-client type {ctype!r} is not built in; a run needs a plugin "
                  "that provides it")
    return CoreClient(name=r.name, spec=freeze(r.raw), pos=r.pos(),
                      kpos=MappingProxyType(dict(r.raw.kpos)), type=ctype)


def check_interface_settings(graph, problems) -> None:
    """Build each built-in interface once (synthetic data), so that a bad setting is a
    positioned error now rather than a failure of the first frame."""
    from statestream.errors import UserError
    from statestream.interfaces import BUILT_IN, create

    for item in graph.interfaces.values():
        if item.type not in BUILT_IN and item.type not in INTERFACE_TYPES:
            continue  # a plugin: only a run can load it
        try:
            create(item, graph, 0, synthetic=True)
        except UserError as exc:
            problem = getattr(exc, "problem", None)
            if problem is not None:
                problems.error(problem.pos, problem.item, problem.message)
            else:
                problems.error(item.pos, item.name, _one_line(exc))
        except Exception as exc:  # noqa: BLE001 - settings the interface cannot take
            problems.error(item.pos, item.name, f"{item.type} cannot start with these "
                           f"settings: {_one_line(exc)}")


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
