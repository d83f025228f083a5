"""Maps mode (feature tiles with a colour bar) and RGB mode (states with 3 features)."""
from __future__ import annotations

import math

import numpy as np

from statestream.viz import colours
from statestream.viz.subwindows.base import _text, as_tiles

BAR_W = 62  # colour bar with tick labels
MAX_TILES = 256


def draw_maps(window, pygame, screen, font, area) -> int:
    """Tiles of features; [C,1,1] becomes one grid of C cells, [1,1,1] one big cell with
    its value written on it. Returns the NaN/Inf count."""
    tiles = as_tiles(window.current)
    if tiles.shape[1:] == (1, 1):
        tiles = _cells_as_image(tiles[:, 0, 0])
    shown = tiles[:MAX_TILES]
    image_area = pygame.Rect(area.x, area.y, area.w - BAR_W, area.h)
    per_tile = window.range_mode == "tile"
    low, high = window.value_range(shown) if not per_tile else (0.0, 1.0)
    count = len(shown)
    gap = 2 if count > 1 else 0
    cols, scale = grid(count, shown.shape[1], shown.shape[2], image_area.w, image_area.h, gap)
    tile_w, tile_h = shown.shape[1] * scale, shown.shape[2] * scale
    bad = 0
    for k, tile in enumerate(shown):
        lo, hi = window.value_range(tile) if per_tile else (low, high)
        rgb, tile_bad = colours.colour_map(tile, lo, hi)
        bad += tile_bad
        x = image_area.x + (k % cols) * (tile_w + gap)
        y = image_area.y + (k // cols) * (tile_h + gap)
        screen.blit(colours.to_surface(pygame, rgb, (tile_w, tile_h)), (x, y))
    if np.size(window.current) == 1:
        _text(screen, font, f"{float(np.ravel(window.current)[0]):.4g}",
              (image_area.x + 6, image_area.y + 6), colours.TEXT)
    if len(tiles) > MAX_TILES:
        _text(screen, font, f"first {MAX_TILES} of {len(tiles)} tiles",
              (image_area.x, image_area.bottom - 14), colours.DIM_TEXT)
    colour_bar(pygame, screen, font, (area.right - BAR_W + 4, area.y, 10, area.h),
               None if per_tile else (low, high))
    return bad + int(np.count_nonzero(~np.isfinite(tiles[MAX_TILES:])))


def grid(count: int, tile_x: int, tile_y: int, width: int, height: int, gap: int) -> tuple:
    """(columns, pixels per cell) that show ``count`` tiles as large as possible."""
    best = (1, 0.0)
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        scale = min((width - gap * (cols - 1)) / (cols * tile_x),
                    (height - gap * (rows - 1)) / (rows * tile_y))
        if scale > best[1]:
            best = (cols, scale)
    return best[0], max(best[1], 0.25)


def _cells_as_image(values: np.ndarray) -> np.ndarray:
    """C values as one near-square [1, cols, rows] image (missing cells are NaN-free
    copies of the minimum, so they do not count as NaN)."""
    count = values.size
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    finite = values[np.isfinite(values)]
    fill = float(finite.min()) if finite.size else 0.0
    grid = np.full(cols * rows, fill, dtype=np.float64)
    grid[:count] = values
    return grid.reshape(rows, cols).T[None]


def draw_rgb(window, pygame, screen, font, area) -> int:
    tiles = as_tiles(window.current)
    if tiles.shape[0] != 3:
        raise ValueError(f"rgb needs a state with 3 features, this one has {tiles.shape[0]}")
    low, high = window.value_range(tiles)
    rgb, bad = colours.rgb_image(tiles, low, high)
    scale = min(area.w / tiles.shape[1], area.h / tiles.shape[2])
    screen.blit(colours.to_surface(pygame, rgb, (tiles.shape[1] * scale,
                                                 tiles.shape[2] * scale)), area.topleft)
    return bad


def colour_bar(pygame, screen, font, rect, value_range) -> None:
    """A vertical colour bar (high on top) with tick labels; ``None``: ranges per tile."""
    x, y, w, h = (int(v) for v in rect)
    if h < 10:
        return
    ramp = np.linspace(1.0, 0.0, h)[None, :].repeat(w, axis=0)
    rgb, _ = colours.colour_map(ramp, 0.0, 1.0)
    screen.blit(colours.to_surface(pygame, rgb, (w, h)), (x, y))
    if value_range is None:
        _text(screen, font, "tile", (x + w + 2, y), colours.DIM_TEXT)
        return
    low, high = value_range
    ticks = 5 if h > 120 else 3
    for k in range(ticks):
        frac = k / (ticks - 1)
        ty = y + round(frac * (h - 1))
        pygame.draw.line(screen, colours.TEXT, (x + w, ty), (x + w + 3, ty))
        label = short_number(high - frac * (high - low))
        _text(screen, font, label, (x + w + 4, min(max(ty - 6, y), y + h - 12)),
              colours.DIM_TEXT)


def short_number(value: float) -> str:
    """At most about 7 characters: 0.0123, -1.5, 3.3e+38."""
    text = f"{value:.3g}"
    return text if len(text) <= 7 else f"{value:.1e}"
