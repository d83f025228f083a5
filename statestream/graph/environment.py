"""What only a run can decide: backends installed, devices present (warnings in ``check``)."""
from __future__ import annotations

import glob
import os
import re

from statestream.errors import Problem
from statestream.graph.model import Graph

AVAILABLE_BACKENDS = ("torch", "numpy")
_GPU = re.compile(r"(gpu|cuda):(\d+)\Z")


def _index_list(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip()
        if part.isdigit():
            out.append(int(part))
        elif part:
            break  # CUDA stops at the first invalid entry (e.g. -1)
    return out


def visible_gpus() -> list[int]:
    """The devices ``gpu:N`` / ``cuda:N`` refer to, as torch device indices.

    With $CUDA_VISIBLE_DEVICES set, CUDA renumbers the listed devices from 0, so gpu:N is
    cuda:N. Else $STATESTREAM_VISIBLE_DEVICES (like the original's ``visible_devices``
    setting) maps gpu:N to the N-th listed device. Else every NVIDIA device present.
    """
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        return list(range(len(_index_list(env))))
    mapped = os.environ.get("STATESTREAM_VISIBLE_DEVICES")
    if mapped is not None:
        return _index_list(mapped)
    found = [p for p in glob.glob("/dev/nvidia*") if re.fullmatch(r"/dev/nvidia\d+", p)]
    return list(range(len(found)))


def run_problems(graph: Graph, backend: str | None = None) -> list[Problem]:
    """Problems that stop a run (``check`` shows them as warnings)."""
    out = []
    name = backend or graph.backend
    if name not in AVAILABLE_BACKENDS:
        where = graph.pos_of("backend")
        out.append(Problem(where, "backend", f"backend {name!r} is not available in this version "
                           "of statestream: pass --backend torch (or numpy)", "warning"))
    gpus = visible_gpus()
    for item in graph.items():
        match = _GPU.match(getattr(item, "device", "cpu") or "cpu")
        if not match:
            continue
        index = int(match.group(2))
        if index >= len(gpus):
            have = f"{len(gpus)} visible GPU(s)" if gpus else "no CUDA GPU"
            out.append(Problem(item.pos_of("device"), item.name,
                               f"device {item.device} is not available here ({have}); "
                               "pass --device cpu to run on the CPU", "warning"))
    return out
