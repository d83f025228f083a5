"""Neuron-pool keys: checks of runtime.md 9.1 (6a-f) and 9.3, building NeuronPool."""
from __future__ import annotations

from types import MappingProxyType

from statestream.graph.inits import parse_init
from statestream.graph.model import NOISE_TYPES, NORM_MODES_LAYER, SHAPE_MODES, NeuronPool, freeze
from statestream.graph.reader import COMMON_KEYS, Reader, as_int, show

NP_KEYS = COMMON_KEYS + (
    "shape", "act", "bias_shape", "gain_shape", "batchnorm_mean", "batchnorm_std",
    "layernorm_mean", "layernorm_std", "noise", "noise_mean", "noise_std", "noise_min",
    "noise_max", "noise_prob", "dropout", "zoneout", "unshare", "binary", "init b", "init g",
    "min b", "max b", "min g", "max g",
)
MAX_ELEMENTS = 2**31  # per state


def read_shape(r: Reader):
    if not r.has("shape"):
        r.error(None, "missing shape (a list [features, x, y] of positive integers)")
        return None
    raw = r.get("shape")
    if isinstance(raw, list) and 1 <= len(raw) <= 3:
        values = [as_int(v) for v in raw]
        if all(v is not None and v > 0 for v in values):
            shape = tuple(values) + (1,) * (3 - len(values))
            size = shape[0] * shape[1] * shape[2]
            if size > MAX_ELEMENTS:
                r.error("shape", f"shape {show(raw)} is too large (more than "
                        f"{MAX_ELEMENTS:,} values)")
                return None
            return shape
    r.error("shape", f"shape must be a list [features, x, y] of 1 to 3 positive integers, "
            f"got {show(raw)}")
    return None


def build_np(r: Reader) -> NeuronPool | None:
    r.unknown_keys(NP_KEYS)
    common = r.common()
    shape = read_shape(r)
    act = r.activation("act", r.get("act"))
    fields = dict(
        bias_shape=r.choice("bias_shape", SHAPE_MODES, "feature"),
        gain_shape=r.choice("gain_shape", SHAPE_MODES, None),
        batchnorm_mean=r.choice("batchnorm_mean", SHAPE_MODES, None),
        batchnorm_std=r.choice("batchnorm_std", SHAPE_MODES, None),
        layernorm_mean=r.choice("layernorm_mean", NORM_MODES_LAYER, None),
        layernorm_std=r.choice("layernorm_std", NORM_MODES_LAYER, None),
        noise=r.choice("noise", NOISE_TYPES, None),
    )
    for key in ("noise_mean", "noise_min", "noise_max"):
        r.number(key, 0.0)
    r.number("noise_std", 1.0, minimum=0.0)
    r.number("noise_prob", 0.5, minimum=0.0, maximum=1.0)
    dropout = r.number("dropout", None, minimum=0.0, below=1.0) if r.has("dropout") else None
    zoneout = r.number("zoneout", None, minimum=0.0, maximum=1.0) if r.has("zoneout") else None
    unshare = r.string_list("unshare")
    for name in unshare:
        if name not in ("b", "g"):
            r.error("unshare", f"a neuron-pool can only unshare b or g, not {name!r}")
    for pname in ("b", "g"):
        key = f"init {pname}"
        if r.has(key):
            try:
                init = parse_init(r.get(key))
                if init.kind in ("xavier", "id", "loc_inh", "bilin"):
                    raise ValueError(f"{init.kind} is a weight init; use a number, normal or "
                                     "uniform for a bias or gain")
            except ValueError as exc:
                r.error(key, str(exc))
        for bound in (f"min {pname}", f"max {pname}"):
            if r.has(bound):
                r.number(bound)
    binary = r.boolean("binary", False)
    if shape is None:
        return None
    return NeuronPool(
        name=r.name, spec=freeze(r.raw), pos=r.pos(), kpos=MappingProxyType(dict(r.raw.kpos)),
        **common, shape=shape, act=act, dropout=dropout, zoneout=zoneout,
        unshare=frozenset(unshare), binary=binary, **fields,
    )
