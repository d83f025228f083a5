"""What only a run can decide: backends installed, devices present (warnings in ``check``)."""
from __future__ import annotations

import glob
import os
import re

from statestream.errors import Problem
from statestream.spec.model import Graph

AVAILABLE_BACKENDS = ("torch", "numpy")
_GPU = re.compile(r"(gpu|cuda):(\d+)\Z")


def visible_gpus() -> list[int]:
    """GPU indices a run may use: $CUDA_VISIBLE_DEVICES, else the NVIDIA device files."""
    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        out = []
        for part in env.split(","):
            part = part.strip()
            if part.isdigit():
                out.append(int(part))
            elif part:
                break  # CUDA stops at the first invalid entry (e.g. -1)
        return out
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
