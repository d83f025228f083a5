"""Parse initialisation values: a number or one of the original's init strings."""
from __future__ import annotations

import math
from typing import NamedTuple

MAX_MAGNITUDE = 1e12


class Init(NamedTuple):
    kind: str  # const | xavier | id | loc_inh | normal | uniform | bilin
    args: tuple = ()


WEIGHT_ONLY = ("xavier", "id", "loc_inh", "bilin")
HELP = ("a number, xavier, xavier_<gain>, id, Id, id_<x>, Id_<x>, -id, -Id, loc_inh, normal, "
        "normal_<mean>_<std>, uniform, uniform_<low>_<high> or bilin")


def _floats(parts: list[str]) -> tuple:
    return tuple(float(p) for p in parts)


def parse_init(value) -> Init:
    """The init described by ``value``; raises ValueError with a readable message."""
    init = _parse(value)
    if any(isinstance(a, float) and not math.isfinite(a) for a in init.args):
        raise ValueError(f"init {value!r} must use finite numbers")
    if any(isinstance(a, float) and abs(a) > MAX_MAGNITUDE for a in init.args):
        raise ValueError(f"init {value!r} must use numbers within +-{MAX_MAGNITUDE:g}")
    if init.kind == "normal" and init.args[1] < 0:
        raise ValueError(f"init {value!r}: the standard deviation must be >= 0")
    if init.kind == "uniform" and init.args[0] > init.args[1]:
        raise ValueError(f"init {value!r}: the low end must not exceed the high end")
    if init.kind == "xavier" and init.args[0] < 0:
        raise ValueError(f"init {value!r}: the xavier gain must be >= 0")
    return init


def _parse(value) -> Init:
    if isinstance(value, bool):
        raise ValueError(f"init must be {HELP}")
    if isinstance(value, (int, float)):
        return Init("const", (float(value),))
    if not isinstance(value, str):
        raise ValueError(f"init must be {HELP}")
    text = value.strip()
    try:
        if text == "xavier":
            return Init("xavier", (1.0,))
        if text.startswith("xavier_"):
            return Init("xavier", _floats([text[7:]]))
        if text in ("id", "Id"):
            return Init("id", (1.0, text))
        if text in ("-id", "-Id"):
            return Init("id", (-1.0, text[1:]))
        if text.startswith(("id_", "Id_")):
            return Init("id", (float(text[3:]), text[:2]))
        if text == "loc_inh":
            return Init("loc_inh")
        if text == "bilin":
            return Init("bilin")
        if text == "normal":
            return Init("normal", (0.0, 1.0))
        if text.startswith("normal_"):
            mean, std = _floats(text[7:].split("_"))
            return Init("normal", (mean, std))
        if text == "uniform":
            return Init("uniform", (0.0, 1.0))
        if text.startswith("uniform_"):
            low, high = _floats(text[8:].split("_"))
            return Init("uniform", (low, high))
        return Init("const", (float(text),))
    except ValueError:
        raise ValueError(f"unknown init {value!r} (use {HELP})") from None


def init_shape_problem(init: Init, shape: tuple) -> str | None:
    """Why ``init`` cannot fill an array of ``shape``, or None when it can.

    Weight inits (xavier, id, loc_inh, bilin) read the trailing four dims as
    ``[target, source, x, y]``; a fifth, leading dim is the agents axis of an
    unshared parameter.
    """
    if init.kind not in WEIGHT_ONLY:
        return None
    shape = tuple(int(d) for d in shape)
    if len(shape) not in (4, 5):
        return (f"{init.kind} needs a weight shape [target, source, x, y], got "
                f"{list(shape)}; use a number, normal or uniform")
    d0, d1 = shape[-4], shape[-3]
    if init.kind == "id" and d0 != d1 and d0 % d1 and d1 % d0:
        return (f"{init.args[1]} init needs target features ({d0}) and source features "
                f"({d1}) to be equal or one a multiple of the other")
    if init.kind in ("loc_inh", "bilin") and d0 != d1:
        return (f"{init.kind} needs as many target features as source features, got "
                f"{d0} and {d1}")
    return None
