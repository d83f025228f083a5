"""MNIST in the IDX files format (the original distribution, gzip'd or not).

Files in one folder: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
t10k-labels-idx1-ubyte (each optionally ending in .gz). The last sixth of the training
files (at most 10000 samples) is the validation part, as in mnist.pkl.gz.
"""
from __future__ import annotations

import gzip
import os

import numpy as np

MAGIC_UBYTE = 0x08
FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
VALID_MAX = 10000


def find_idx(folder: str, name: str) -> str:
    for candidate in (name, name + ".gz", name.replace("-idx", ".idx")):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            return path
    error = FileNotFoundError(f"{name}[.gz] not found")
    error.filename = os.path.join(folder, name + "[.gz]")
    raise error


def read_idx(path: str, dims: int) -> np.ndarray:
    """The uint8 array of an IDX file with ``dims`` dimensions (ValueError if damaged)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    name = os.path.basename(path)
    if len(data) < 4 + 4 * dims:
        raise ValueError(f"{name}: truncated header (expected an IDX file with {dims} "
                         "dimensions)")
    if data[0] != 0 or data[1] != 0 or data[2] != MAGIC_UBYTE or data[3] != dims:
        raise ValueError(f"{name}: expected the IDX magic 00 00 08 {dims:02x} (unsigned bytes, "
                         f"{dims} dimensions), got {data[:4].hex(' ')}")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    expected = int(np.prod(shape))
    body = data[4 + 4 * dims:]
    if len(body) != expected:
        raise ValueError(f"{name}: expected {expected} data bytes for shape {list(shape)}, "
                         f"found {len(body)} (truncated or damaged)")
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def load_mnist_idx(folder: str) -> list:
    """[(images float32 [N, 28, 28] in [0, 1], labels int64)] for train, valid, test."""
    parts = {}
    for part, (images_name, labels_name) in FILES.items():
        images = read_idx(find_idx(folder, images_name), 3)
        labels = read_idx(find_idx(folder, labels_name), 1).astype(np.int64)
        if images.shape[0] != labels.shape[0]:
            raise ValueError(f"{images_name}: {images.shape[0]} images but {labels_name} has "
                             f"{labels.shape[0]} labels")
        if labels.size and labels.max() > 9:
            raise ValueError(f"{labels_name}: expected labels 0..9, found {labels.max()}")
        parts[part] = (images.astype(np.float32) / 255.0, labels)
    images, labels = parts["train"]
    valid = min(VALID_MAX, images.shape[0] // 6)
    cut = images.shape[0] - valid
    if cut < 1 or valid < 1:
        raise ValueError(f"{FILES['train'][0]}: expected at least 2 training images, found "
                         f"{images.shape[0]}")
    return [(images[:cut], labels[:cut]), (images[cut:], labels[cut:]), parts["test"]]


def write_idx(path: str, array) -> None:
    """Write a uint8 array as an IDX file (.gz by the name); for tests and conversions."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, MAGIC_UBYTE, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as handle:
        handle.write(header + array.tobytes())
