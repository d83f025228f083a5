"""``shm``: browse the session's readable arrays (no eval: indices are parsed).

``shm`` lists the categories, ``shm np|par|if`` their arrays, ``shm NAME`` shape, dtype,
bytes and statistics, ``shm NAME INDEX`` the values at a numpy-style index such as
``0,:,3`` or ``0,1:5:2`` (at most 16 values shown).
"""
from __future__ import annotations

import numpy as np

CATEGORIES = {"np": "neuron-pool states", "par": "parameters", "if": "interface variables"}
SHOWN = 16
USAGE = "usage: shm [np|par|if|NAME [INDEX]] (INDEX like 0,:,3 or 0,1:5)"


def readable(layout: dict) -> dict:
    """``{layout key: read name}`` of every array the API can read."""
    out = {}
    for key in layout["arrays"]:
        head, _, rest = key.partition("/")
        if head in CATEGORIES and rest:
            out[key] = rest
    return out


def browse(session, args: list) -> str:
    names = readable(session.memory.layout)
    if not args:
        counts = {c: sum(1 for k in names if k.startswith(c + "/")) for c in CATEGORIES}
        return "\n".join(f"{c:4} {CATEGORIES[c]} ({counts[c]})" for c in CATEGORIES)
    if len(args) > 2:
        raise ValueError(USAGE)
    word = args[0]
    if word in CATEGORIES and len(args) == 1:
        return "\n".join(sorted(k for k in names if k.startswith(word + "/"))) or "(none)"
    key = word if word in names else next((k for k in names if names[k] == word), None)
    if key is None:
        close = sorted(k for k in names if k.startswith(word))[:8]
        hint = f" (starting so: {', '.join(close)})" if close else " (try shm np, shm par, shm if)"
        raise ValueError(f"no array {word!r}{hint}")
    frame, arrays = session.read([names[key]])
    value = arrays[names[key]]
    if len(args) == 1:
        return (f"{key}: shape {list(value.shape)}, {value.dtype}, {value.nbytes} bytes, "
                f"frame {frame}: {_stats(value)}")
    picked = np.asarray(value[parse_index(args[1], value.ndim)])
    flat = picked.reshape(-1)
    text = ", ".join(f"{float(v):.6g}" for v in flat[:SHOWN])
    more = f" ... ({flat.size - SHOWN} more)" if flat.size > SHOWN else ""
    return f"{key}[{args[1]}] shape {list(picked.shape)}: {text}{more}"


def parse_index(text: str, ndim: int) -> tuple:
    """A numpy index from ``0,:,1:5:2``-style text (integers and slices only)."""
    parts = text.strip("[]").split(",")
    if len(parts) > ndim:
        raise ValueError(f"index {text!r} has {len(parts)} parts, the array has {ndim} axes")
    index = []
    for part in parts:
        part = part.strip()
        if ":" in part:
            bounds = part.split(":")
            if len(bounds) > 3:
                raise ValueError(f"bad slice {part!r} in index {text!r}")
            index.append(slice(*(_int(b, text) if b.strip() else None for b in bounds)))
        else:
            index.append(_int(part, text))
    return tuple(index)


def _int(word: str, text: str) -> int:
    word = word.strip()
    if not word.lstrip("+-").isdigit() or len(word) > 12:
        raise ValueError(f"index {text!r}: {word!r} is not a whole number")
    return int(word)


def _stats(value: np.ndarray) -> str:
    data = value.astype(np.float64, copy=False)
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        return "no finite values"
    bad = data.size - finite.size
    return (f"mean {finite.mean():.4g}, std {finite.std():.4g}, min {finite.min():.4g}, "
            f"max {finite.max():.4g}" + (f", {bad} NaN/Inf" if bad else ""))
