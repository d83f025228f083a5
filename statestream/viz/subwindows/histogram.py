"""Histogram mode: the shown agent's values in 32 bins, zero and mean marked."""
from __future__ import annotations

import numpy as np

from statestream.viz import colours
from statestream.viz.subwindows.base import _text

BINS = 32
BAR = (90, 200, 110)


def draw(window, pygame, screen, font, area) -> int:
    values = np.asarray(window.current, dtype=np.float64).ravel()
    finite = values[np.isfinite(values)]
    bad = values.size - finite.size
    if finite.size == 0:
        _text(screen, font, "no finite values", area.topleft, colours.WARNING)
        return bad
    low, high = window.value_range(finite)
    counts, _ = np.histogram(np.clip(finite, low, high), bins=BINS, range=(low, high))
    plot = pygame.Rect(area.x, area.y, area.w, area.h - 14)
    top = max(int(counts.max()), 1)
    width = plot.w / BINS
    for k, count in enumerate(counts):
        bar_h = round(count / top * plot.h)
        pygame.draw.rect(screen, BAR, (plot.x + k * width, plot.bottom - bar_h,
                                       max(width - 1, 1), bar_h))
    for value, colour in ((0.0, (90, 140, 240)), (float(finite.mean()), (230, 90, 90))):
        if low <= value <= high:
            mx = plot.x + (value - low) / (high - low) * plot.w
            pygame.draw.line(screen, colour, (mx, plot.y), (mx, plot.bottom), 2)
    _text(screen, font, f"{low:.3g}", (plot.x, plot.bottom + 1), colours.DIM_TEXT)
    label = f"{high:.3g}"
    _text(screen, font, label, (plot.right - font.size(label)[0], plot.bottom + 1),
          colours.DIM_TEXT)
    _text(screen, font, f"max {top}", (plot.x + 2, plot.y), colours.DIM_TEXT)
    return bad
