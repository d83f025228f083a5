"""Names, shapes, initial values and bounds of every parameter (pure Python, no arrays).

The names and layout shapes follow the original (neuronal.md 1.1 and 2.2) so saved
states keep their meaning: NP ``b``, ``g``, noise scalars, ``dropout``, ``zoneout``;
SP ``W_f_i``, ``P_f_i``, ``M``, ``b_f`` and noise scalars.
"""
from __future__ import annotations

from dataclasses import dataclass

from statestream.graph.model import Graph, NeuronPool, SynapsePool


@dataclass(frozen=True)
class ParamSpec:
    name: str
    shape: tuple
    init: object  # number or init string (see neuronal.init)
    min: float | None = None
    max: float | None = None

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


def _mode_shape(mode: str, features: int, spatial: tuple) -> tuple:
    return {"full": (features,) + tuple(spatial), "feature": (features,),
            "spatial": tuple(spatial), "scalar": (1,)}[mode]


def _bound(item, key: str):
    value = item.get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _scalar(item, name, default, lo=None, hi=None) -> ParamSpec:
    value = item.get(name, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        value = default
    return ParamSpec(name, (), float(value), lo, hi)


def _noise_params(item, defaults: dict) -> list:
    return [_scalar(item, name, default, lo, 1.0 if name == "noise_prob" else None)
            for name, (default, lo) in defaults.items()]


NP_NOISE = {
    "normal": {"noise_mean": (0.0, None), "noise_std": (1.0, 0.0)},
    "uniform": {"noise_min": (-1.0, None), "noise_max": (1.0, None)},
    "Bernoulli": {"noise_prob": (0.5, 0.0)},
}
SP_NOISE = {
    "normal": {"noise_mean": (0.0, None), "noise_std": (1.0, 0.0)},
    "uniform": {"noise_min": (0.0, None), "noise_max": (0.0, None)},
}


def np_params(np: NeuronPool, agents: int) -> list[ParamSpec]:
    out = []
    for pname, mode, default in (("b", np.bias_shape, 0.0), ("g", np.gain_shape, 1.0)):
        if mode is None:
            continue
        shape = _mode_shape(mode, np.shape[0], np.shape[1:])
        if pname in np.unshare:
            shape = (agents,) + shape
        out.append(ParamSpec(pname, shape, np.get(f"init {pname}", default),
                             _bound(np, f"min {pname}"), _bound(np, f"max {pname}")))
    if np.noise in NP_NOISE:
        out += _noise_params(np, NP_NOISE[np.noise])
    for pname in ("dropout", "zoneout"):
        if getattr(np, pname) is not None:
            out.append(ParamSpec(pname, (), float(getattr(np, pname)), 0.0, 1.0))
    return out


@dataclass(frozen=True)
class InputGeometry:
    """How one SP input maps its source onto the target."""

    factor: int
    index: int
    source: str
    src_features: int  # after ppp
    kernel: tuple  # (rx, ry)
    dense: bool  # rf 0: the kernel covers the whole source
    dilation: int
    target_mode: str  # full | feature | spatial | scalar


def conv_features(sp: SynapsePool, graph: Graph) -> int:
    """Feature count of each factor's convolution output (before avgout/maxout/M)."""
    base = sp.M[0] if sp.M else graph.neuron_pools[sp.target].shape[0]
    return base * sp.avgout * sp.maxout


def input_geometry(sp: SynapsePool, graph: Graph) -> list[InputGeometry]:
    out = []
    for f, i, name in sp.inputs():
        source = graph.neuron_pools[name]
        cs, xs, ys = source.shape
        rf = sp.rf[f][i]
        ppp = sp.ppp[f][i]
        one_d = ys == 1 and xs > 1
        if rf == 0:
            kernel, dense = (xs, ys), True
        else:
            kernel, dense = ((rf, 1) if one_d else (rf, rf)), False
        out.append(InputGeometry(f, i, name, ppp if ppp > 0 else cs, kernel, dense,
                                 sp.dilation[f][i], sp.target_shapes[f][i]))
    return out


def weight_shape(mode: str, tgt: int, src: int, kernel: tuple) -> tuple:
    rx, ry = kernel
    return {
        "full": (tgt, src, rx, ry), "feature": (tgt, src, 1, 1), "spatial": (1, 1, rx, ry),
        "scalar": (1, 1, 1, 1), "src_feature": (1, src, 1, 1), "tgt_feature": (tgt, 1, 1, 1),
        "src_spatial": (1, src, rx, ry), "tgt_spatial": (tgt, 1, rx, ry),
    }[mode]


def sp_params(sp: SynapsePool, graph: Graph) -> list[ParamSpec]:
    if sp.func is not None or sp.transformer:
        return []
    agents = graph.agents
    target = graph.neuron_pools[sp.target]
    fconv = conv_features(sp, graph)
    default_init = sp.get("init", "xavier")
    out = []

    def add(name, shape, default):
        if name in sp.unshare:
            shape = (agents,) + tuple(shape)
        out.append(ParamSpec(name, tuple(shape), sp.get(f"init {name}", default),
                             _bound(sp, f"min {name}"), _bound(sp, f"max {name}")))

    for geo in input_geometry(sp, graph):
        f, i = geo.factor, geo.index
        ppp = sp.ppp[f][i]
        if ppp > 0:
            src_c = graph.neuron_pools[geo.source].shape[0]
            add(f"P_{f}_{i}", (ppp, src_c, 1, 1), default_init)
        tgt = fconv if geo.target_mode in ("full", "feature") else 1
        add(f"W_{f}_{i}", weight_shape(sp.weight_shapes[f][i], tgt, geo.src_features,
                                        geo.kernel), default_init)
    if sp.bias_shapes is not None:
        for f, mode in enumerate(sp.bias_shapes):
            if mode is None:
                continue
            add(f"b_{f}", _mode_shape(mode, fconv, target.shape[1:]), 0.0)
    if sp.M:
        hidden, rf = sp.M
        add("M", (target.shape[0], hidden, rf, rf), default_init)
    if sp.noise in SP_NOISE:
        out += _noise_params(sp, SP_NOISE[sp.noise])
    return out


def owned_params(graph: Graph, item) -> list[ParamSpec]:
    """The parameters an NP or SP owns (shared ones included: the owner is the source SP)."""
    if item.kind == "np":
        return np_params(item, graph.agents)
    if item.kind == "sp":
        return [p for p in sp_params(item, graph) if p.name not in item.share_params]
    return []


def param_names(graph: Graph, item) -> list[str]:
    if item.kind == "np":
        return [p.name for p in np_params(item, graph.agents)]
    if item.kind == "sp":
        return [p.name for p in sp_params(item, graph)]
    return []


def param_map(graph: Graph, item) -> dict[str, ParamSpec]:
    specs = np_params(item, graph.agents) if item.kind == "np" else sp_params(item, graph)
    return {p.name: p for p in specs}
