"""Saving and loading network state as ``.npz`` (atomic writes).

Keys: ``np/<name>`` NP states; ``<item>/<param>`` parameters with the original's names
(``W_0_0``, ``b``, ...; shared parameters only at their owner); ``if/<name>/<variable>``
interface variables and ``if/<name>/__state__`` an interface's internal state (JSON);
``meta/frame`` (the next frame index), ``meta/seed``, ``meta/agents``.
"""
from __future__ import annotations

import base64
import json
import zipfile
import zlib

import numpy as np

from statestream.errors import UserError

META_KEYS = ("meta/frame", "meta/seed", "meta/agents")


def _encode(value):
    if isinstance(value, np.ndarray):
        return {"__nd__": base64.b64encode(np.ascontiguousarray(value).tobytes()).decode(),
                "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {"__dict__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    if isinstance(value, dict):
        if "__nd__" in value:
            raw = base64.b64decode(value["__nd__"])
            return np.frombuffer(raw, dtype=value["dtype"]).reshape(value["shape"]).copy()
        if "__dict__" in value:
            return {_decode(k): _decode(v) for k, v in value["__dict__"]}
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def encode_state(state) -> np.ndarray:
    return np.frombuffer(json.dumps(_encode(state)).encode(), dtype=np.uint8)


def decode_state(array: np.ndarray):
    return _decode(json.loads(bytes(np.asarray(array, dtype=np.uint8)).decode()))


def collect(states: dict, params: dict, if_vars: dict, if_states: dict, frame: int, seed: int,
            agents: int) -> dict:
    """The arrays of a snapshot (host numpy) keyed as described above."""
    out = {f"np/{name}": np.asarray(value) for name, value in states.items()}
    out.update({f"{item}/{pname}": np.asarray(value) for (item, pname), value in params.items()})
    for iface, variables in if_vars.items():
        for var, value in variables.items():
            out[f"if/{iface}/{var}"] = np.asarray(value)
    for iface, state in if_states.items():
        out[f"if/{iface}/__state__"] = encode_state(state)
    out["meta/frame"] = np.asarray(frame, dtype=np.int64)
    out["meta/seed"] = np.asarray(seed, dtype=np.int64)
    out["meta/agents"] = np.asarray(agents, dtype=np.int64)
    return out


def save(path: str, arrays: dict) -> None:
    """Write ``arrays`` to ``path`` atomically (a crash never leaves a partial file)."""
    from statestream.fileio import atomic_open, check_writable

    check_writable(path, "snapshot")
    with atomic_open(path, "wb", what="snapshot") as stream:
        np.savez(stream, **arrays)


def load(path: str) -> dict:
    """The arrays of a snapshot; a missing, truncated or corrupted file is a UserError."""
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("an .npy array, not an .npz archive")
        with data:
            return {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, KeyError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UserError(f"{path}: corrupted or not a statestream .npz file ({reason})") from None


def check_keys(path: str, arrays: dict, expected: dict) -> None:
    """Every key of ``arrays`` must be known with the expected shape (a subset is fine)."""
    problems = []
    for key, value in arrays.items():
        if key in META_KEYS or key.endswith("/__state__"):
            continue
        if key not in expected:
            problems.append(f"unknown key {key!r}")
        elif tuple(value.shape) != tuple(expected[key]):
            problems.append(f"{key} has shape {list(value.shape)}, expected "
                            f"{list(expected[key])}")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise UserError(f"{path}: " + "; ".join(problems[:3]) + more)
