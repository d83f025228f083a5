"""Regenerate the reference images of the GUI screenshot tests (after a deliberate change
of the drawing; look at every new picture before committing it).

    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy PYTHONPATH=. python tests/viz/make_references.py [CASE...]

Each case is rendered by tests/viz/cases.py and stored shrunk by cases.SHRINK (block means)
as tests/viz/reference/CASE.png; the full picture goes to /tmp/statestream-viz-CASE.png.
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("STATESTREAM_DATA_DIR", "/tmp/statestream-viz-references")

from tests.viz import cases  # noqa: E402


def main(names) -> None:
    import pygame

    os.makedirs(cases.REFERENCE, exist_ok=True)
    for case in names or list(cases.CASES) + list(cases.RANGE_CASES):
        full = f"/tmp/statestream-viz-{case}.png"
        cases.render(case, full)
        small = np.round(cases.shrink(cases.load(full))).astype(np.uint8)
        surface = pygame.surfarray.make_surface(np.ascontiguousarray(small.transpose(1, 0, 2)))
        pygame.image.save(surface, cases.reference_path(case))
        print(f"{case}: {full} -> {cases.reference_path(case)}")


if __name__ == "__main__":
    main(sys.argv[1:])
