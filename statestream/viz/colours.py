"""Colours in RGB order and a perceptual colour map for arrays.

pygame's ``surfarray`` wants arrays shaped (width, height, 3) with channels R, G, B; state
maps are (X, Y) with X the screen's horizontal axis, so an (X, Y, 3) RGB array is blitted
as is (see :func:`to_surface`).
"""
from __future__ import annotations

import numpy as np

BACKGROUND = (14, 18, 30)
PANEL = (28, 34, 52)
PANEL_EDGE = (70, 80, 110)
TEXT = (225, 228, 235)
DIM_TEXT = (150, 156, 170)
HIGHLIGHT = (255, 210, 60)
SELECTED = (255, 255, 255)
WARNING = (255, 0, 255)  # NaN/Inf: magenta, outside every colour map used here
ERROR_TEXT = (255, 110, 110)
CONNECTION = (120, 128, 150)
KIND_COLOURS = {
    "np": (60, 180, 90),        # neuron-pools: green
    "sp": (70, 120, 220),       # synapse-pools: blue
    "plast": (220, 60, 60),     # plasticities: red
    "if": (40, 190, 200),       # interfaces: cyan
}
CURVES = [(230, 90, 90), (90, 200, 110), (90, 140, 240), (240, 200, 70), (200, 100, 220),
          (70, 210, 210), (250, 150, 60), (170, 170, 170), (150, 230, 120), (240, 120, 180)]


def _lookup_table(name: str = "viridis") -> np.ndarray:
    """256 x 3 uint8 RGB colours of a matplotlib colour map (a grey ramp without it)."""
    try:
        from matplotlib import colormaps

        rgba = colormaps[name](np.linspace(0.0, 1.0, 256))
        return np.round(rgba[:, :3] * 255).astype(np.uint8)
    except ImportError:
        ramp = np.arange(256, dtype=np.uint8)
        return np.stack([ramp, ramp, ramp], axis=1)


LUT = _lookup_table()


def colour_map(values: np.ndarray, low: float, high: float) -> tuple:
    """(RGB uint8 array of shape values.shape + (3,), count of NaN/Inf) for ``values`` scaled
    from [low, high]; NaN and Inf are drawn in :data:`WARNING`."""
    values = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(values)
    span = high - low if high > low else 1.0
    scaled = np.clip((np.where(bad, low, values) - low) / span, 0.0, 1.0)
    rgb = LUT[np.round(scaled * 255).astype(np.intp)]
    rgb[bad] = WARNING
    return rgb, int(bad.sum())


def rgb_image(values: np.ndarray, low: float, high: float) -> tuple:
    """(RGB uint8 (X, Y, 3), NaN/Inf count) of a state with 3 features [3, X, Y]."""
    values = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(values)
    span = high - low if high > low else 1.0
    scaled = np.clip((np.where(bad, low, values) - low) / span, 0.0, 1.0)
    rgb = np.round(np.moveaxis(scaled, 0, -1) * 255).astype(np.uint8)
    rgb[bad.any(axis=0)] = WARNING
    return rgb, int(bad.any(axis=0).sum())


def to_surface(pygame, rgb: np.ndarray, size: tuple):
    """A pygame surface of ``size`` showing an (X, Y, 3) RGB array (nearest neighbour)."""
    surface = pygame.surfarray.make_surface(np.ascontiguousarray(rgb))
    return pygame.transform.scale(surface, (max(1, int(size[0])), max(1, int(size[1]))))


_TEXT_CACHE: dict = {}


def render_text(font, text: str, colour):
    """``font.render`` with a cache: most labels repeat from frame to frame."""
    key = (id(font), text, tuple(colour))
    surface = _TEXT_CACHE.get(key)
    if surface is None:
        if len(_TEXT_CACHE) > 4000:
            _TEXT_CACHE.clear()
        surface = _TEXT_CACHE[key] = font.render(text, True, colour)
    return surface
