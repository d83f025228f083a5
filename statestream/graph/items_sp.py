"""Synapse-pool keys: checks 7-12 of runtime.md 9.1 plus 9.3, building SynapsePool."""
from __future__ import annotations

import re
from types import MappingProxyType

from statestream.graph import expr as ex
from statestream.graph.inits import parse_init
from statestream.graph.model import SHAPE_MODES, WEIGHT_SHAPES, SynapsePool, freeze
from statestream.graph.reader import COMMON_KEYS, Reader, as_int, is_none, show

MAX_RF = 4096  # largest rf and dilation: a kernel side, in pixels
SP_KEYS = COMMON_KEYS + (
    "source", "target", "rf", "dilation", "ppp", "weight_shapes", "weight_fnc", "target_shapes",
    "pact", "factor_shapes", "bias_shapes", "act", "ACT", "avgout", "maxout", "M", "noise",
    "noise_mean", "noise_std", "noise_min", "noise_max", "func", "share params", "unshare",
    "init",
)
SP_KEY_PATTERNS = (r"(init|min|max) (W|P)_\d+_\d+", r"(init|min|max) (M|b_\d+)")
PER_INPUT = ("rf", "dilation", "ppp", "weight_shapes", "weight_fnc", "target_shapes", "pact")
BIAS_ALLOWED = {"full": SHAPE_MODES, "feature": ("feature", "scalar"),
                "spatial": ("spatial", "scalar"), "scalar": ("scalar",)}


def read_source(r: Reader):
    if not r.has("source") or r.get("source") is None:
        r.error(None, "no source(s) for synapse pool: add source: [[np_name]]")
        return None
    raw = r.get("source")
    if isinstance(raw, str):
        return ((raw,),)
    if isinstance(raw, list) and raw and all(isinstance(v, str) for v in raw):
        return (tuple(raw),)  # a flat list is one factor
    if (isinstance(raw, list) and raw and all(isinstance(row, list) and row for row in raw)
            and all(isinstance(v, str) for row in raw for v in row)):
        if len(raw) > 10 or any(len(row) > 10 for row in raw):
            r.error("source", "at most 10 factors of at most 10 inputs each")
            return None
        return tuple(tuple(row) for row in raw)
    r.error("source", f"source must be a list of lists of neuron-pool names, e.g. [[a, b], [c]], "
            f"got {show(raw)}")
    return None


def per_input(r: Reader, key: str, source, default, check):
    """``key`` laid out like ``source``: a scalar applies to every input."""
    shape = [len(row) for row in source]
    raw = r.get(key) if r.has(key) else None
    if raw is None:
        return tuple(tuple(default for _ in row) for row in source)
    if not isinstance(raw, list):
        rows = [[raw] * n for n in shape]
    elif len(shape) == 1 and len(raw) == shape[0] and not any(isinstance(v, list) for v in raw):
        rows = [raw]  # one factor written flat: rf: [3, 3]
    elif (len(raw) == len(shape) and all(isinstance(row, list) for row in raw)
          and [len(row) for row in raw] == shape):
        rows = raw
    else:
        r.error(key, f"{key} must be a list of lists shaped like source {_layout(source)}, "
                f"got {show(raw)}")
        return tuple(tuple(default for _ in row) for row in source)
    out = []
    for row in rows:
        out.append(tuple(check(value) for value in row))
    return tuple(out)


def _layout(source) -> str:
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in source) + "]"


def per_factor(r: Reader, key: str, factors: int, default, check, allow_scalar=True):
    if not r.has(key) or r.get(key) is None:
        return tuple(default for _ in range(factors))
    raw = r.get(key)
    if not isinstance(raw, list):
        if allow_scalar and factors == 1:
            return (check(raw),)
        r.error(key, f"{key} must be a list with one entry per factor ({factors}), got {show(raw)}")
        return tuple(default for _ in range(factors))
    if len(raw) != factors:
        r.error(key, f"{key} must have one entry per factor ({factors}), got {len(raw)}")
        return tuple(default for _ in range(factors))
    return tuple(check(v) for v in raw)


def build_sp(r: Reader, nps: dict, known: set) -> SynapsePool | None:
    """``nps``: the valid neuron-pools; ``known``: every neuron-pool name (valid or not)."""
    r.unknown_keys(SP_KEYS, SP_KEY_PATTERNS)
    common = r.common()
    source = read_source(r)
    target = r.get("target")
    if target is None:
        r.error("target" if r.has("target") else None,
                "no target for synapse pool: add target: np_name")
    elif not isinstance(target, str):
        r.error("target", f"target must be a neuron-pool name, got {show(target)}")
        target = None
    elif target not in nps:
        if target not in known:
            r.error("target", f"target neuron-pool {target!r} not found")
        target = None
    if source is None:
        return None
    ok = target is not None
    for row in source:
        for name in row:
            if name not in nps:
                if name not in known:
                    r.error("source", f"source neuron-pool {name!r} not found")
                ok = False
    factors = len(source)

    def int_check(key, minimum):
        def check(value):
            v = as_int(value)
            if v is None or v < minimum:
                r.error(key, f"{key} entries must be integers >= {minimum}, got {show(value)}")
                return minimum
            if v > MAX_RF:
                r.error(key, f"{key} entries must be integers <= {MAX_RF}, got {show(value)}")
                return minimum
            return v
        return check

    def choice_check(key, options):
        def check(value):
            if isinstance(value, str) and value in options:
                return value
            r.error(key, f"invalid {key} entry {show(value)} (allowed: {', '.join(options)})")
            return options[0]
        return check

    def act_check(key):
        def check(value):
            return r.activation(key, value)
        return check

    factor_shapes = per_factor(r, "factor_shapes", factors, "full",
                               choice_check("factor_shapes", SHAPE_MODES), allow_scalar=False)
    bias_shapes = None
    if r.has("bias_shapes") and not is_none(r.get("bias_shapes")):
        def bias_check(value):
            if is_none(value):
                return None
            return choice_check("bias_shapes", SHAPE_MODES)(value)
        bias_shapes = per_factor(r, "bias_shapes", factors, None, bias_check, allow_scalar=False)
        for fshape, bshape in zip(factor_shapes, bias_shapes):
            if bshape is not None and bshape not in BIAS_ALLOWED[fshape]:
                allowed = "/".join(BIAS_ALLOWED[fshape])
                r.error("bias_shapes", f"a {fshape} factor allows only {allowed} bias, "
                        f"got {bshape}")
    rf = per_input(r, "rf", source, 0, int_check("rf", 0))
    dilation = per_input(r, "dilation", source, 1, int_check("dilation", 1))
    ppp = per_input(r, "ppp", source, 0, int_check("ppp", 0))
    weight_shapes = per_input(r, "weight_shapes", source, "full",
                              choice_check("weight_shapes", WEIGHT_SHAPES))
    weight_fnc = per_input(r, "weight_fnc", source, None, act_check("weight_fnc"))
    pact = per_input(r, "pact", source, None, act_check("pact"))
    ts_raw = per_input(r, "target_shapes", source, None,
                       lambda v: choice_check("target_shapes", SHAPE_MODES)(v))
    target_shapes = tuple(tuple(factor_shapes[f] if v is None else v for v in row)
                          for f, row in enumerate(ts_raw))
    act = per_factor(r, "act", factors, None, act_check("act"))
    act = tuple(a if a is not None else r.activation("act", None) for a in act)
    weight_fnc = tuple(tuple(w or r.activation("weight_fnc", None) for w in row)
                       for row in weight_fnc)
    pact = tuple(tuple(p or r.activation("pact", None) for p in row) for row in pact)
    big_act = r.activation("ACT", r.get("ACT"))
    avgout = r.int("avgout", 1, minimum=1) or 1
    maxout = r.int("maxout", 1, minimum=1) or 1
    M = None
    if r.has("M") and r.get("M") is not None:
        raw = r.get("M")
        vals = [as_int(v) for v in raw] if isinstance(raw, list) and len(raw) == 2 else None
        if not vals or any(v is None or v < 1 for v in vals):
            r.error("M", f"M must be [features, rf] with positive integers, got {show(raw)}")
        else:
            M = tuple(vals)
    noise = r.choice("noise", ("normal", "uniform"), None)
    for key in ("noise_mean", "noise_min", "noise_max"):
        r.number(key, 0.0)
    r.number("noise_std", 1.0, minimum=0.0)
    func = None
    if r.has("func") and r.get("func") is not None:
        inputs = {f"{f}{i}" for f, row in enumerate(source) for i in range(len(row))}
        try:
            func = ex.parse_function(r.get("func"), inputs)
        except ex.ExprError as exc:
            r.error("func", f"func {show(r.get('func'))}: {exc}")
    share = _share_params(r)
    unshare = r.string_list("unshare")
    for key in list(r.raw):
        if isinstance(key, str) and (key == "init" or key.startswith("init ")):
            try:
                parse_init(r.get(key))
            except ValueError as exc:
                r.error(key, str(exc))
        if isinstance(key, str) and re.fullmatch(r"(min|max) .+", key):
            r.number(key)
    if not ok:
        return None
    sp = SynapsePool(
        name=r.name, spec=freeze(r.raw), pos=r.pos(), kpos=MappingProxyType(dict(r.raw.kpos)),
        **common, source=source, target=target, rf=rf, dilation=dilation, ppp=ppp,
        weight_shapes=weight_shapes, target_shapes=target_shapes, weight_fnc=weight_fnc,
        pact=pact, factor_shapes=factor_shapes, bias_shapes=bias_shapes, act=act, ACT=big_act,
        avgout=avgout, maxout=maxout, M=M, noise=noise, func=func,
        transformer="TRANSFORMER" in common["tags"], share_params=MappingProxyType(share),
        unshare=frozenset(unshare),
    )
    check_geometry(r, sp, nps)
    return sp


def _share_params(r: Reader) -> dict:
    if not r.has("share params") or r.get("share params") is None:
        return {}
    raw = r.get("share params")
    if not isinstance(raw, dict):
        r.error("share params", "share params must be a mapping {W_0_0: [source_sp, W_0_0]}")
        return {}
    out = {}
    for pname, ref in raw.items():
        if (not isinstance(pname, str) or not isinstance(ref, list) or len(ref) != 2
                or not all(isinstance(v, str) for v in ref)):
            r.error("share params", f"share params entry {show(pname)}: {show(ref)} must be "
                    "[source_sp, parameter]")
            continue
        out[pname] = (ref[0], ref[1])
    return out


def check_geometry(r: Reader, sp: SynapsePool, nps: dict) -> None:
    """rf rules (11a-c) and spatial consistency (12, every source checked)."""
    target = nps[sp.target]
    xt, yt = target.shape[1:]
    raw_rf = r.get("rf")
    for f, i, name in sp.inputs():
        src = nps[name]
        xs, ys = src.shape[1:]
        rf = sp.rf[f][i]
        dense = rf == 0
        if not src.is_spatial and rf not in (0, 1):
            r.error("rf", f"source neuron-pool {name!r} has no space but rf is {rf} "
                    "(use 0 or 1)")
        elif not target.is_spatial and raw_rf is not None and rf not in (0, 1, xs):
            r.error("rf", f"no rf allowed for a target without space ({sp.target!r} is "
                    f"{list(target.shape)}): use rf 0 (dense), got {rf}")
        if sp.target_shapes[f][i] in ("feature", "scalar") and not dense and src.is_spatial \
                and target.is_spatial:
            r.error("target_shapes", f"input {name!r} with target shape "
                    f"{sp.target_shapes[f][i]} must be dense (rf 0)")
        if dense or not src.is_spatial or not target.is_spatial:
            continue
        if ys == 1 and yt == 1:
            ok = xs % xt == 0 or xt % xs == 0
        elif xs >= xt and ys >= yt:
            ok = xs % xt == 0 and ys % yt == 0 and xs // xt == ys // yt
        elif xs <= xt and ys <= yt:
            ok = xt % xs == 0 and yt % ys == 0 and xt // xs == yt // ys
        else:
            ok = False
        if not ok:
            r.error("source", f"inconsistent spatial dims: source {name!r} {[xs, ys]} and target "
                    f"{sp.target!r} {[xt, yt]} must differ by one integer factor on both axes")
