"""Small image helpers: NP layout [C, X, Y] (X = column, Y = row), resizing, colours."""
from __future__ import annotations

import numpy as np


def rows_to_np(image: np.ndarray) -> np.ndarray:
    """[C, rows, cols] (or [rows, cols]) -> NP layout [C, X=cols, Y=rows]."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[None]
    return np.swapaxes(image, 1, 2)


def resize_nearest(image: np.ndarray, x: int, y: int) -> np.ndarray:
    """Nearest-neighbour resize of [C, X, Y] to [C, x, y]."""
    if image.shape[1:] == (x, y):
        return image
    xs = (np.arange(x) * image.shape[1] // x).astype(np.int64)
    ys = (np.arange(y) * image.shape[2] // y).astype(np.int64)
    return image[:, xs][:, :, ys]


def fit_channels(image: np.ndarray, channels: int) -> np.ndarray:
    """Grey -> copies, colour -> grey mean, otherwise the grey mean in every channel."""
    if image.shape[0] == channels:
        return image
    grey = image.mean(axis=0, keepdims=True)
    return np.repeat(grey, channels, axis=0)


def fit_image(image: np.ndarray, shape: tuple) -> np.ndarray:
    """[c, X, Y] -> the NP shape (C, X, Y)."""
    channels, x, y = shape
    return fit_channels(resize_nearest(image, x, y), channels).astype(np.float32)


def colourise(grey: np.ndarray, foreground, background) -> np.ndarray:
    """[X, Y] in [0, 1] -> [3, X, Y]: foreground where grey is 1, background where 0."""
    fg = np.asarray(foreground, dtype=np.float32).reshape(3, 1, 1)
    bg = np.asarray(background, dtype=np.float32).reshape(3, 1, 1)
    return bg + (fg - bg) * grey[None]


def contrasting_colours(rng: np.random.Generator, min_difference: float = 0.3) -> tuple:
    """Random foreground and background colours that differ by >= ``min_difference``."""
    background = rng.random(3)
    foreground = rng.random(3)
    if np.abs(foreground - background).max() < min_difference:
        foreground = np.where(background < 0.5, 1.0, 0.0) * 0.8 + foreground * 0.2
    return foreground.astype(np.float32), background.astype(np.float32)


def one_hot_planes(labels: np.ndarray, shape: tuple) -> np.ndarray:
    """[agents, C, X, Y] with 1 at channel ``labels[a]`` over every position."""
    out = np.zeros(shape, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64) % shape[1]
    out[np.arange(shape[0]), labels] = 1.0
    return out
