"""Meta-variable definitions: checked the same way from the graph and from ``mv add``.

A definition is a mapping ``{type: ..., source: ..., ...}``; ``check_spec`` returns the
parsed :class:`MVSpec` and a list of ``(key, message)`` problems (key None: the whole item).
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from statestream.metavariables.stats import METRICS, STATS

TYPES = ("scalar_stats", "scalar_three_stats", "bivariate_metric", "saliency_grad")
NAME = re.compile(r"[A-Za-z0-9_]{1,64}\Z")
MAX_HISTORY = 100_000
MAX_PERIOD = 10**6
MAX_STORED = 16 * 2**20  # floats in one meta-variable's history
DEFAULT_STATS = {"scalar_stats": ("mean", "std", "min", "max"),
                 "scalar_three_stats": ("mean", "var", "max")}
KEYS = {
    "scalar_stats": ("source", "stats", "axes", "agents"),
    "scalar_three_stats": ("source", "stats", "agents"),
    "bivariate_metric": ("source", "metric", "agents"),
    "saliency_grad": ("source", "target", "feature", "agents"),
}
COMMON = ("type", "period", "history")


@dataclass(frozen=True)
class MVSpec:
    name: str
    type: str
    sources: tuple  # NP names or item/param
    period: int = 1
    history: int = 256
    stats: tuple = ()
    axes: tuple | None = None  # reduced axes (None: all)
    agents: int | None = None  # first agents of NP states (None: all)
    metric: str = "cos"
    target: str | None = None
    feature: int | None = None
    options: dict = field(default_factory=dict, compare=False)  # as given (for saving)

    def to_dict(self) -> dict:
        """The definition as plain data: ``add_metavariable(name, **it)`` recreates it."""
        return dict(self.options)


def _as_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _names(value) -> tuple | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def source_shape(graph, name: str):
    """Shape of an NP state or ``item/param`` of ``graph``, or None."""
    from statestream.graph.layout import param_map

    if name in graph.neuron_pools:
        return graph.np_state_shape(name)
    item_name, _, pname = name.partition("/")
    item = graph.neuron_pools.get(item_name) or graph.synapse_pools.get(item_name)
    if item is None or not pname:
        return None
    spec = param_map(graph, item).get(pname)
    return None if spec is None else tuple(spec.shape)


def shortest_path(graph, source: str, target: str) -> int | None:
    """SP hops from NP ``source`` to NP ``target`` (None: no path)."""
    dist = {source: 0}
    todo = deque([source])
    while todo:
        name = todo.popleft()
        for sp in graph.synapse_pools.values():
            if name in sp.source_nps and sp.target not in dist:
                dist[sp.target] = dist[name] + 1
                todo.append(sp.target)
    return dist.get(target)


def check_spec(name, options: dict, graph) -> tuple:
    """``(MVSpec or None, [(key, message)])`` of one definition."""
    problems: list = []
    if not isinstance(name, str) or not NAME.match(name):
        return None, [(None, f"invalid meta-variable name {str(name)[:40]!r}: use letters, "
                             "digits and _ only")]
    mtype = options.get("type")
    if mtype not in TYPES:
        key = "type" if "type" in options else None
        return None, [(key, f"type must be one of {', '.join(TYPES)}, got {mtype!r}")]
    for key in options:
        if key not in COMMON + KEYS[mtype]:
            problems.append((key, f"unknown key {key!r} for {mtype} (keys: "
                                  f"{', '.join(COMMON[1:] + KEYS[mtype])})"))
    out = {"name": name, "type": mtype, "options": dict(options)}
    for key, default, high in (("period", 1, MAX_PERIOD), ("history", 256, MAX_HISTORY)):
        value = _as_int(options.get(key, default))
        if value is None or not 1 <= value <= high:
            problems.append((key, f"{key} must be a whole number in [1, {high}], got "
                                  f"{options.get(key)!r}"))
            value = default
        out[key] = value
    sources = _names(options.get("source"))
    if sources is None:
        problems.append(("source" if "source" in options else None,
                         "source must be a neuron-pool, item/parameter or a list of them"))
        return None, problems
    out["sources"] = sources
    shapes = []
    for src in sources:
        shape = source_shape(graph, src)
        if shape is None:
            problems.append(("source", f"no neuron-pool or item/parameter {src!r}"))
        shapes.append(shape)
    if "agents" in options or mtype in ("bivariate_metric", "saliency_grad"):
        agents = _as_int(options.get("agents", 1))
        if agents is None or not 1 <= agents <= graph.agents:
            problems.append(("agents", f"agents must be a whole number in [1, {graph.agents}], "
                                       f"got {options.get('agents')!r}"))
            agents = 1
        out["agents"] = agents
    checker = {"scalar_stats": _stats, "scalar_three_stats": _stats,
               "bivariate_metric": _bivariate, "saliency_grad": _saliency}[mtype]
    if not problems:
        checker(options, graph, out, shapes, problems)
    if problems:
        return None, problems
    spec = MVSpec(**out)
    size = spec.history * value_size(spec, graph)
    if size > MAX_STORED:
        return None, [("history", f"history {spec.history} x {size // spec.history} values "
                                  f"exceeds {MAX_STORED} stored floats: use a shorter history")]
    return spec, []


def _stats(options, graph, out, shapes, problems) -> None:
    mtype = out["type"]
    stats = _names(options.get("stats", list(DEFAULT_STATS[mtype])))
    bad = [s for s in stats or () if s not in STATS]
    if stats is None or bad:
        problems.append(("stats", f"unknown statistic {bad[0] if bad else options.get('stats')!r}"
                                  f" (known: {', '.join(STATS)})"))
        return
    if mtype == "scalar_three_stats" and len(stats) != 3:
        problems.append(("stats", f"scalar_three_stats needs exactly 3 statistics (x, y, size), "
                                  f"got {len(stats)}"))
        return
    out["stats"] = stats
    axes = options.get("axes")
    if axes is None:
        return
    axes = [axes] if _as_int(axes) is not None else axes
    if not isinstance(axes, (list, tuple)) or any(_as_int(a) is None for a in axes):
        problems.append(("axes", f"axes must be a list of axis numbers, got {axes!r}"))
        return
    axes = tuple(sorted({_as_int(a) for a in axes}))
    kept = set()
    for src, shape in zip(out["sources"], shapes):
        if any(not 0 <= a < len(shape) for a in axes):
            problems.append(("axes", f"{src} has {len(shape)} axes (0..{len(shape) - 1}), got "
                                     f"axes {list(axes)}"))
            return
        kept.add(tuple(d for i, d in enumerate(shape) if i not in axes))
    if len(kept) > 1:
        problems.append(("axes", "the kept axes of the sources differ in size: reduce more "
                                 "axes or make one meta-variable per source"))
        return
    out["axes"] = axes


def _bivariate(options, graph, out, shapes, problems) -> None:
    sources = out["sources"]
    if len(sources) not in (1, 2) or any(s not in graph.neuron_pools for s in sources):
        problems.append(("source", "bivariate_metric compares one or two neuron-pools"))
        return
    metric = options.get("metric", "cos")
    if metric not in METRICS:
        problems.append(("metric", f"unknown metric {metric!r} (known: {', '.join(METRICS)})"))
        return
    out["metric"] = metric
    a, b = shapes[0], shapes[-1]
    small = (min(a[2], b[2]), min(a[3], b[3]))
    for shape in (a, b):
        if shape[2] % small[0] or shape[3] % small[1]:
            problems.append(("source", f"spatial sizes {list(a[2:])} and {list(b[2:])} are not "
                                       "integer multiples of each other"))
            return


def _saliency(options, graph, out, shapes, problems) -> None:
    sources = out["sources"]
    target = options.get("target")
    if len(sources) != 1 or sources[0] not in graph.neuron_pools:
        problems.append(("source", "saliency_grad needs one source neuron-pool (the input)"))
        return
    if not isinstance(target, str) or target not in graph.neuron_pools:
        problems.append(("target" if "target" in options else None,
                         f"target must be a neuron-pool, got {target!r}"))
        return
    depth = shortest_path(graph, sources[0], target)
    if not depth:
        problems.append(("target", f"no path of synapse-pools from {sources[0]} to {target}"))
        return
    from statestream.metavariables.saliency import plan_problem

    problem = plan_problem(graph, sources[0], target)
    if problem:
        problems.append(("target", f"saliency_grad from {sources[0]} to {target}: {problem}"))
        return
    out["target"] = target
    feature = options.get("feature")
    if feature is not None:
        feature = _as_int(feature)
        features = graph.neuron_pools[target].shape[0]
        if feature is None or not 0 <= feature < features:
            problems.append(("feature", f"feature must be in [0, {features - 1}] (a feature of "
                                        f"{target}), got {options.get('feature')!r}"))
            return
        out["feature"] = feature


def value_shape(spec: MVSpec, graph) -> tuple:
    """Shape of one frame's value."""
    if spec.type in ("scalar_stats", "scalar_three_stats"):
        shape = source_shape(graph, spec.sources[0])
        kept = () if spec.axes is None else tuple(d for i, d in enumerate(shape)
                                                  if i not in spec.axes)
        return (len(spec.sources), len(spec.stats)) + kept
    if spec.type == "bivariate_metric":
        return (graph.neuron_pools[spec.sources[0]].shape[0],
                graph.neuron_pools[spec.sources[-1]].shape[0])
    return (spec.agents,) + tuple(graph.neuron_pools[spec.sources[0]].shape)


def value_size(spec: MVSpec, graph) -> int:
    size = 1
    for d in value_shape(spec, graph):
        size *= int(d)
    return size
