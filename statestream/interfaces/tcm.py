"""Temporal confusion matrix: classification quality per delay since stimulus onset."""
from __future__ import annotations

import numpy as np

DEFAULT_WINDOW = 9
DEFAULT_MEAN_OVER = 32


def frame_counts(window: int, classes: int, delays, true, pred, mask=None) -> np.ndarray:
    """Counts [window, classes, classes] of one frame.

    delays, true: per agent (int); pred: [agents, K, X, Y] prediction states.
    Classification (``true`` 1-D): one count per agent at [d, true, argmax_k mean_xy pred].
    Pixel-wise (``true`` [agents, X, Y]): per pixel at [d, true, argmax_k pred], weighted by
    ``mask`` ([agents, X, Y] or per agent). Agents with d outside [0, window) or a zero mask
    do not count.
    """
    delays = np.asarray(delays, dtype=np.int64)
    true = np.asarray(true, dtype=np.int64)
    pred = np.asarray(pred)
    agents = delays.shape[0]
    if mask is None:
        weights = np.ones(true.shape, dtype=np.float64)
    else:
        weights = np.asarray(mask, dtype=np.float64)
        if weights.ndim == 1:
            weights = weights.reshape((agents,) + (1,) * (true.ndim - 1))
        weights = np.broadcast_to(weights, true.shape)
    if true.ndim == 1:
        guess = pred.reshape(agents, pred.shape[1], -1).mean(axis=2).argmax(axis=1)
    else:
        guess = pred.argmax(axis=1)
    d = delays.reshape((agents,) + (1,) * (true.ndim - 1))
    d = np.broadcast_to(d, true.shape)
    keep = (d >= 0) & (d < window) & (weights != 0) & (true >= 0) & (true < classes)
    keep &= guess < classes
    flat = (d[keep] * classes + true[keep]) * classes + guess[keep]
    counts = np.bincount(flat, weights=weights[keep], minlength=window * classes * classes)
    return counts.reshape(window, classes, classes)


def accuracy(conf_mat: np.ndarray) -> np.ndarray:
    """trace / sum per delay as [window, 1, 1] (0 where nothing was counted)."""
    total = conf_mat.sum(axis=(1, 2))
    hits = np.trace(conf_mat, axis1=1, axis2=2)
    acc = np.divide(hits, total, out=np.zeros_like(total, dtype=np.float64), where=total > 0)
    return acc.astype(np.float32).reshape(-1, 1, 1)


class TemporalConfusionMatrix:
    """Smoothed (mean over the last ``mean_over`` frames) and cumulative counts."""

    def __init__(self, classes: int, window: int = DEFAULT_WINDOW,
                 mean_over: int = DEFAULT_MEAN_OVER):
        self.classes = int(classes)
        self.window = int(window)
        self.mean_over = int(mean_over)
        self.reset()

    def reset(self) -> None:
        shape = (self.window, self.classes, self.classes)
        self.ring = np.zeros((self.mean_over,) + shape, dtype=np.float64)
        self.frames = 0
        self.total = np.zeros(shape, dtype=np.float64)

    def update(self, delays, true, pred, mask=None) -> np.ndarray:
        """Count one frame; returns that frame's counts."""
        counts = frame_counts(self.window, self.classes, delays, true, pred, mask)
        self.add(counts)
        return counts

    def add(self, counts: np.ndarray) -> None:
        self.ring[self.frames % self.mean_over] = counts
        self.frames += 1
        self.total += counts

    def conf_mat(self) -> np.ndarray:
        """Mean count tensor over the last ``mean_over`` frames (fewer at the start)."""
        used = min(self.frames, self.mean_over)
        return self.ring.sum(axis=0) / max(used, 1)

    def accuracy(self) -> np.ndarray:
        """Per delay, from the summed (unscaled) counts of the smoothing window."""
        return accuracy(self.ring.sum(axis=0))

    def cumulative(self) -> np.ndarray:
        """Counts summed since the last reset."""
        return self.total.copy()

    def state_dict(self) -> dict:
        return {"ring": self.ring.copy(), "frames": self.frames, "total": self.total.copy()}

    def load_state_dict(self, state: dict) -> None:
        self.ring = np.array(state["ring"], dtype=np.float64)
        self.frames = int(state["frames"])
        self.total = np.array(state["total"], dtype=np.float64)
