"""digits: scikit-learn's bundled 8x8 digits (1,797 images, no download).

A fixed split (seeded, independent of the session seed): 1,257 train, 180 valid, 360 test.
Images (0..16 -> [0, 1]) are resized bilinearly to the image NP.
"""
from __future__ import annotations

import numpy as np

from statestream.interfaces.classification import DatasetClassifier
from statestream.interfaces.images import fit_channels, rows_to_np

SPLIT_SEED = 1797
VALID, TEST = 180, 360


def load_digits_parts() -> list:
    """[(images float32 [N, 8, 8] rows x columns in [0, 1], labels int64)] * 3."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("the digits interface needs scikit-learn (pip install "
                          "scikit-learn)") from None
    bunch = load_digits()
    images = np.asarray(bunch.images, dtype=np.float32) / 16.0
    labels = np.asarray(bunch.target, dtype=np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(labels.shape[0])
    test, valid, train = order[:TEST], order[TEST:TEST + VALID], order[TEST + VALID:]
    return [(images[idx], labels[idx]) for idx in (train, valid, test)]


def linear_weights(size: int, source: int) -> np.ndarray:
    """[size, source] bilinear interpolation weights (pixel centres aligned)."""
    position = (np.arange(size) + 0.5) * source / size - 0.5
    position = np.clip(position, 0, source - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, source - 1)
    frac = position - low
    weights = np.zeros((size, source))
    weights[np.arange(size), low] += 1 - frac
    weights[np.arange(size), high] += frac
    return weights


def resize_linear(image: np.ndarray, x: int, y: int) -> np.ndarray:
    """[C, X, Y] -> [C, x, y] bilinearly."""
    if image.shape[1:] == (x, y):
        return image
    wx, wy = linear_weights(x, image.shape[1]), linear_weights(y, image.shape[2])
    return np.einsum("ia,cab,jb->cij", wx, image, wy)


class Digits(DatasetClassifier):
    TYPE = "digits"
    IMAGE, LABEL = "digits_image", "digits_label"
    _parts = None

    def read_parts(self):
        if Digits._parts is None:
            try:
                parts = load_digits_parts()
            except ImportError as exc:
                raise self.fail(None, str(exc)) from None
            for images, labels in parts:
                images.setflags(write=False)
                labels.setflags(write=False)
            Digits._parts = parts
        return Digits._parts

    def prepare(self, image, part):
        channels, x, y = self.stimulus.shape[1:]
        image = resize_linear(rows_to_np(image), x, y)
        return fit_channels(image, channels).astype(np.float32)
