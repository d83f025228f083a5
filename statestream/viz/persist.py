"""Layouts (item positions, camera, open sub-windows, switches) saved per graph name in
the user's data folder (platformdirs; ``STATESTREAM_DATA_DIR`` overrides it)."""
from __future__ import annotations

import json
import os
import re

from statestream.fileio import atomic_open


def data_dir() -> str:
    folder = os.environ.get("STATESTREAM_DATA_DIR")
    if not folder:
        from platformdirs import user_data_dir

        folder = user_data_dir("statestream")
    return folder


def layout_path(graph_name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", graph_name or "graph")[:100]
    return os.path.join(data_dir(), "layouts", f"{safe}.json")


def save_layout(graph_name: str, data: dict) -> str:
    path = layout_path(graph_name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with atomic_open(path, "w", what="GUI layout") as handle:
        json.dump(data, handle, indent=1)
    return path


def load_layout(graph_name: str) -> dict | None:
    """The saved layout, or None when there is none or it cannot be read."""
    try:
        with open(layout_path(graph_name)) as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
