"""Plot mode: the last frames (a ring) of up to 10 curves, the spatial mean of each
feature of the shown agent (of a meta-variable: its first 10 values)."""
from __future__ import annotations

import numpy as np

from statestream.viz import colours
from statestream.viz.subwindows.base import _text, as_tiles

MAX_CURVES = 10


def curves(window) -> tuple:
    """(frames, values [frames, curves], NaN/Inf count of the last frame)."""
    frames = [f for f, _ in window.history]
    rows = [np.ravel(a).astype(np.float64)[:MAX_CURVES] if window.flat else
            as_tiles(a).astype(np.float64).mean(axis=(1, 2))[:MAX_CURVES]
            for _, a in window.history]
    width = min(len(r) for r in rows)
    last = np.asarray(window.current)
    return np.array(frames), np.array([r[:width] for r in rows]), int(
        np.count_nonzero(~np.isfinite(last)))


def draw(window, pygame, screen, font, area) -> int:
    frames, values, bad = curves(window)
    plot = pygame.Rect(area.x + 2, area.y + 2, area.w - 4, area.h - 18)
    pygame.draw.rect(screen, colours.PANEL_EDGE, plot, 1)
    finite = values[np.isfinite(values)]
    low, high = window.value_range(finite if finite.size else np.zeros(1))
    first, last = int(frames[0]), int(frames[-1])
    span_f = max(last - first, 1)
    for c in range(values.shape[1]):
        points = [(plot.x + (f - first) / span_f * plot.w,
                   plot.bottom - (v - low) / (high - low) * plot.h)
                  for f, v in zip(frames, values[:, c]) if np.isfinite(v)]
        colour = colours.CURVES[c % len(colours.CURVES)]
        if len(points) > 1:
            pygame.draw.lines(screen, colour, False, points, 2)
        elif points:
            pygame.draw.circle(screen, colour, [round(v) for v in points[0]], 3)
    _text(screen, font, f"{high:.3g}", (plot.x + 2, plot.y + 1), colours.DIM_TEXT)
    _text(screen, font, f"{low:.3g}", (plot.x + 2, plot.bottom - 13), colours.DIM_TEXT)
    note = f"frames {first}..{last}, {values.shape[1]} curves"
    _text(screen, font, note, (plot.x, plot.bottom + 2), colours.DIM_TEXT)
    return bad
