"""Scatter mode: the shown agent's values of one signal against another (the second
sub-window source), or against the same signal one drawn frame earlier."""
from __future__ import annotations

import numpy as np

from statestream.viz import colours
from statestream.viz.subwindows.base import _text, finite_range

MAX_POINTS = 4096
DOT = (240, 200, 70)


def signals(window) -> tuple:
    """(x, y, labels) of the scatter."""
    x = np.asarray(window.current, dtype=np.float64).ravel()
    if window.other:
        y = np.asarray(window.other_value, dtype=np.float64).ravel()
        labels = (window.source, window.other)
    elif len(window.history) > 1:
        y = x
        x = np.asarray(window.history[-2][1], dtype=np.float64).ravel()
        labels = ("previous frame", "this frame")
    else:
        y, labels = x, (window.source, window.source)
    n = min(x.size, y.size, MAX_POINTS)
    return x[:n], y[:n], labels


def draw(window, pygame, screen, font, area) -> int:
    x, y, labels = signals(window)
    good = np.isfinite(x) & np.isfinite(y)
    plot = pygame.Rect(area.x + 2, area.y + 2, area.w - 4, area.h - 18)
    pygame.draw.rect(screen, colours.PANEL_EDGE, plot, 1)
    if window.range_mode == "fixed":
        (xl, xh), (yl, yh) = window.fixed, window.fixed
    else:
        (xl, xh), (yl, yh) = finite_range(x[good]), finite_range(y[good])
        if window.range_mode == "symmetric":
            top = max(abs(xl), abs(xh), abs(yl), abs(yh))
            (xl, xh), (yl, yh) = (-top, top), (-top, top)
    px = plot.x + np.clip((x[good] - xl) / (xh - xl), 0, 1) * (plot.w - 1)
    py = plot.bottom - 1 - np.clip((y[good] - yl) / (yh - yl), 0, 1) * (plot.h - 1)
    for sx, sy in zip(px.astype(int), py.astype(int)):
        screen.fill(DOT, (sx - 1, sy - 1, 3, 3))
    _text(screen, font, f"x: {labels[0]} [{xl:.2g}, {xh:.2g}]  y: {labels[1]} "
          f"[{yl:.2g}, {yh:.2g}]", (plot.x, plot.bottom + 2), colours.DIM_TEXT)
    return int(np.count_nonzero(~good))
