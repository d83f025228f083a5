"""Plasticity keys: checks 13a-i of runtime.md 9.1 plus 9.3, building Plasticity."""
from __future__ import annotations

from types import MappingProxyType

from statestream.graph.functions import LOSS_FUNCTIONS
from statestream.graph.model import (HEBBIAN_MODES, OPTIMIZERS, PLASTICITY_TYPES, ROLLOUT_MODES,
                                    ParamRef, Plasticity, freeze)
from statestream.graph.reader import COMMON_KEYS, Reader, as_int, show

MAX_ROLLOUT = 10_000  # frames a loss may look back (source_t, target_t)
OPTIMIZER_KEYS = ("optimizer", "lr", "decay", "momentum", "rho", "beta1", "beta2", "eps")
PLAST_KEYS = COMMON_KEYS + OPTIMIZER_KEYS + (
    "type", "parameter", "source", "source_t", "target", "target_t", "loss_function", "mask",
    "modus", "ignore_split", "startframe", "confidence_penalty", "label_smoothing", "L1", "L2",
    "rollout", "samples", "workers",
)


def read_parameters(r: Reader, agents_items: dict) -> tuple:
    raw = r.get("parameter")
    if raw is None or raw == []:
        r.error("parameter" if r.has("parameter") else None,
                "no parameters defined: add parameter: [[sp, sp_name, W_0_0]]")
        return ()
    if not isinstance(raw, list):
        r.error("parameter", f"parameter must be a list of [item_type, item_name, par_name], "
                f"got {show(raw)}")
        return ()
    out = []
    for entry in raw:
        if not isinstance(entry, list) or len(entry) != 3 or \
                not all(isinstance(v, str) for v in entry):
            r.error("parameter", f"expected [item_type, item_name, par_name], got {show(entry)}")
            continue
        kind, item, pname = entry
        if kind not in ("np", "sp"):
            r.error("parameter", f"only np and sp parameters can be trained, got item type "
                    f"{kind!r} in {show(entry)}")
            continue
        pool = agents_items["np" if kind == "np" else "sp"]
        if item not in pool:
            what = "neuron-pool" if kind == "np" else "synapse-pool"
            r.error("parameter", f"unable to find {what} {item!r} for parameter {pname!r}")
            continue
        ref = ParamRef(kind, item, pname)
        if ref in out:
            r.error("parameter", f"parameter {show(entry)} is listed twice")
            continue
        out.append(ref)
    return tuple(out)


def _np_ref(r: Reader, key: str, nps: dict, required: bool, why: str, known=()):
    if not r.has(key) or r.get(key) is None:
        if required:
            r.error(None, f"missing {key} ({why})")
        return None
    value = r.get(key)
    if not isinstance(value, str) or value not in nps:
        if not isinstance(value, str) or value not in known:
            r.error(key, f"{key} {show(value)} is not a neuron-pool")
        return None
    return value


def build_plast(r: Reader, nps: dict, sps: dict, agents: int, known=()) -> Plasticity | None:
    r.unknown_keys(PLAST_KEYS)
    common = r.common()
    ptype = r.get("type")
    if ptype is None:
        r.error(None, "no type: use type: loss, hebbian or L_regularizer")
    elif ptype not in PLASTICITY_TYPES:
        r.error("type", f"unknown plasticity type {show(ptype)} (allowed: "
                f"{', '.join(PLASTICITY_TYPES)})")
        ptype = None
    if r.has("samples"):
        samples = r.int("samples", None)
        if samples is not None and samples <= agents:
            r.error("samples", f"samples must be larger than agents ({agents}), got {samples}")
    parameter = read_parameters(r, {"np": nps, "sp": sps})
    optimizer = r.get("optimizer", "grad_desc")
    if optimizer not in OPTIMIZERS:
        r.error("optimizer", f"unknown optimizer {show(optimizer)} (allowed: "
                f"{', '.join(OPTIMIZERS)})")
        optimizer = "grad_desc"
    r.number("lr", 1e-3, minimum=0.0)
    for key in ("decay", "momentum", "rho", "beta1", "beta2"):
        r.number(key, 0.9, minimum=0.0, below=1.0 + 1e-12)
    r.number("eps", 1e-8, minimum=0.0)
    for key in ("confidence_penalty", "label_smoothing", "L1", "L2"):
        r.number(key, 0.0, minimum=0.0)
    if r.has("label_smoothing"):
        r.number("label_smoothing", 0.0, maximum=1.0)
    fields = dict(ignore_split=r.boolean("ignore_split", False),
                  startframe=r.int("startframe", 2, minimum=0) or 0)
    rollout = r.get("rollout", "replay")
    if rollout not in ROLLOUT_MODES:
        r.error("rollout", f"rollout must be replay or forecast, got {show(rollout)}")
        rollout = "replay"
    source = target = mask = loss_function = modus = None
    source_t = target_t = 0
    if ptype == "loss":
        loss_function = r.get("loss_function")
        if not isinstance(loss_function, str) or loss_function not in LOSS_FUNCTIONS:
            if loss_function is None:
                r.error(None, "missing loss_function (" + ", ".join(LOSS_FUNCTIONS) + ")")
            else:
                r.error("loss_function", f"unknown loss_function {show(loss_function)} "
                        f"(allowed: {', '.join(LOSS_FUNCTIONS)})")
            loss_function = None
        source = _np_ref(r, "source", nps, True, "the neuron-pool holding the prediction", known)
        source_t = r.int("source_t", None, minimum=1, maximum=MAX_ROLLOUT)
        if not r.has("source_t"):
            r.error(None, "missing source_t (frames from the rollout start to the prediction)")
        has_target = LOSS_FUNCTIONS.get(loss_function, True)
        target = _np_ref(r, "target", nps, bool(loss_function) and has_target,
                         "the neuron-pool holding the ground truth", known)
        target_t = r.int("target_t", 0, minimum=0, maximum=MAX_ROLLOUT)
        mask = _np_ref(r, "mask", nps, False, "", known)
        if source and target and has_target and nps[source].shape != nps[target].shape:
            r.error("target", f"target and source must have the same shape: {source!r} is "
                    f"{list(nps[source].shape)}, {target!r} is {list(nps[target].shape)}")
        if source and mask and nps[mask].shape[1:] != nps[source].shape[1:]:
            r.error("mask", f"mask {mask!r} must have the spatial size of {source!r}")
    elif ptype == "hebbian":
        source = _np_ref(r, "source", nps, True, "the pre-synaptic neuron-pool", known)
        target = _np_ref(r, "target", nps, True, "the post-synaptic neuron-pool", known)
        modus = r.get("modus", "hebbian")
        if modus not in HEBBIAN_MODES:
            r.error("modus", f"unknown modus {show(modus)} (allowed: {', '.join(HEBBIAN_MODES)})")
            modus = "hebbian"
        if len(parameter) != 1 or parameter[0].kind != "sp":
            r.error("parameter", "a hebbian plasticity updates exactly one synapse-pool weight, "
                    "e.g. parameter: [[sp, sp_name, W_0_0]]")
        if target and nps[target].is_spatial:
            r.error("target", f"hebbian target {target!r} must have no space (shape [C, 1, 1])")
    workers = r.int("workers", None, minimum=1, maximum=agents)
    if workers and workers > 1 and ptype != "loss":
        r.error("workers", f"workers: {workers} splits loss plasticities only (type loss)")
    if ptype is None:
        return None
    return Plasticity(
        name=r.name, spec=freeze(r.raw), pos=r.pos(), kpos=MappingProxyType(dict(r.raw.kpos)),
        **common, type=ptype, parameter=parameter, optimizer=optimizer, source=source,
        target=target, mask=mask, source_t=source_t or 0, target_t=target_t or 0,
        loss_function=loss_function, modus=modus, rollout=rollout, **fields,
    )


__all__ = ["build_plast", "as_int"]
