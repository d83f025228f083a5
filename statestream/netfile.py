"""``.st_net`` files: a whole session saved as HDF5 (readable by any HDF5 tool).

One dataset per array of a full snapshot (the ``.npz`` keys of
:mod:`statestream.runtime.snapshot`, ``/`` making groups: ``np/<name>``, ``<item>/<param>``,
``if/<iface>/<var>``, ``meta/frame`` ...). File attributes: ``format``, ``format_version``,
``graph_yaml`` (the expanded graph) and ``schedule`` (JSON: periods, offsets, modes, split).
Written to a temporary file in the same folder, fsynced and renamed (atomic).
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets

import numpy as np

from statestream.errors import UserError

FORMAT = "statestream.st_net"
FORMAT_VERSION = 1


def _h5py():
    try:
        import h5py
    except ImportError:
        raise UserError('.st_net files need h5py: pip install h5py') from None
    return h5py


def write(path: str, arrays: dict, graph_yaml: str, schedule: dict | None = None) -> None:
    """Write ``arrays`` and the graph to ``path`` atomically."""
    from statestream.fileio import check_writable

    h5py = _h5py()
    path = os.fspath(path)
    check_writable(path, ".st_net file")
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.tmp")
    try:
        with h5py.File(tmp, "w") as out:
            out.attrs["format"] = FORMAT
            out.attrs["format_version"] = FORMAT_VERSION
            out.attrs["graph_yaml"] = graph_yaml
            out.attrs["schedule"] = json.dumps(schedule or {})
            for key in sorted(arrays):
                out.create_dataset(key, data=np.asarray(arrays[key]))
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, (OSError, ValueError)):
            raise UserError(f"cannot write .st_net file {path}: {exc}") from None
        raise


def read(path: str) -> tuple:
    """``(arrays, graph_yaml, schedule)``; a missing or corrupted file is a UserError."""
    h5py = _h5py()
    if not os.path.isfile(path):
        raise UserError(f"{path}: file not found")
    arrays: dict = {}
    try:
        with h5py.File(path, "r") as data:
            if data.attrs.get("format") != FORMAT:
                raise ValueError("no statestream format attribute")
            version = int(data.attrs.get("format_version", -1))
            if version != FORMAT_VERSION:
                raise ValueError(f"format version {version}, this statestream reads "
                                 f"{FORMAT_VERSION}")
            graph_yaml = str(data.attrs["graph_yaml"])
            schedule = json.loads(str(data.attrs.get("schedule", "{}")))

            def visit(name, node):
                if isinstance(node, h5py.Dataset):
                    arrays[name] = np.array(node[()])

            data.visititems(visit)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - h5py raises many kinds for broken files
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UserError(f"{path}: corrupted or not a statestream .st_net file ({reason})") \
            from None
    return arrays, graph_yaml, schedule


def is_net(path: str) -> bool:
    return str(path).endswith(".st_net")


def to_npz(path: str, folder: str) -> str:
    """Convert the arrays of a .st_net file into an .npz in ``folder``; returns its path."""
    from statestream.runtime import snapshot

    arrays, _, _ = read(path)
    out = os.path.join(folder, f"{os.path.basename(path)}.{secrets.token_hex(4)}.npz")
    snapshot.save(out, arrays)
    return out
