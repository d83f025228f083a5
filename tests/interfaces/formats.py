"""Tiny datasets in the real on-disk formats (IDX, text folders, Cityscapes PNGs)."""
from __future__ import annotations

import os

import numpy as np

from statestream.interfaces.idx import write_idx


def write_mnist_idx(folder, train=12, test=5, gz=True, seed=0):
    """IDX files; image i of a part has pixel i lit (identity), label i % 10."""
    os.makedirs(folder, exist_ok=True)
    tail = ".gz" if gz else ""
    for prefix, count in (("train", train), ("t10k", test)):
        images = np.zeros((count, 28, 28), np.uint8)
        images.reshape(count, -1)[np.arange(count), np.arange(count)] = 255
        write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte{tail}"), images)
        write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte{tail}"),
                  np.arange(count) % 10)
    return str(folder)


def write_texts(folder, texts=("the quick brown fox jumps over the lazy dog. " * 3,
                               "pack my box with five dozen liquor jugs! " * 2)):
    os.makedirs(folder, exist_ok=True)
    for n, text in enumerate(texts):
        with open(os.path.join(folder, f"text_{n}.txt"), "w") as handle:
            handle.write(text)
    return str(folder)


def write_cityscapes(root, per_split=2, size=(16, 8), sequence=False, seed=0):
    """leftImg8bit/ (or leftImg8bit_sequence/ with frames 0..19) and gtFine/ for train and
    val; label ids are 7 (road) in the left half, 26 (car) in the right, 0 at the top row."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    width, height = size
    images = "leftImg8bit_sequence" if sequence else "leftImg8bit"
    for split in ("train", "val"):
        for n in range(per_split):
            city = "aachen" if split == "train" else "lindau"
            stem = f"{city}_{n:06d}_000019"
            label_dir = os.path.join(root, "gtFine", split, city)
            image_dir = os.path.join(root, images, split, city)
            os.makedirs(label_dir, exist_ok=True)
            os.makedirs(image_dir, exist_ok=True)
            ids = np.full((height, width), 7, np.uint8)
            ids[:, width // 2:] = 26
            ids[0] = 0
            Image.fromarray(ids).save(os.path.join(label_dir, stem + "_gtFine_labelIds.png"))
            frames = range(19 - 5, 20) if sequence else [19]
            for frame in frames:
                pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
                name = f"{city}_{n:06d}_{frame:06d}_leftImg8bit.png"
                Image.fromarray(pixels).save(os.path.join(image_dir, name))
    return os.path.join(root, images), os.path.join(root, "gtFine")
