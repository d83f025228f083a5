"""Counter-based, pure random numbers shared by every backend.

A stream is named by ``(seed, item, array, frame)``: the Philox key is a 128-bit
blake2b hash of ``"{seed}/{item}/{array}"`` and ``frame`` fills the upper half of
the 256-bit counter, so each frame owns 2**128 blocks of its own. Values are drawn
as float32 on the host; any process can regenerate a frame's noise from its key.
"""
from __future__ import annotations

import hashlib

import numpy as np

_U64 = (1 << 64) - 1


def stream_key(seed: int, item: str, array: str) -> int:
    """The 128-bit Philox key of one (seed, item, array) stream."""
    text = f"{seed}/{item}/{array}".encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=16).digest(), "little")


def frame_generator(seed: int, item: str, array: str, frame: int) -> np.random.Generator:
    """A fresh generator positioned at the start of ``frame``'s block range."""
    frame = int(frame) % (1 << 128)
    counter = np.array([0, 0, frame & _U64, frame >> 64], dtype=np.uint64)
    return np.random.Generator(np.random.Philox(key=stream_key(seed, item, array), counter=counter))


def draw_normal(seed: int, item: str, array: str, frame: int, shape) -> np.ndarray:
    """Standard normal float32 values of ``shape`` for one frame."""
    return frame_generator(seed, item, array, frame).standard_normal(shape, dtype=np.float32)


def draw_uniform(seed: int, item: str, array: str, frame: int, shape) -> np.ndarray:
    """Uniform float32 values in [0, 1) of ``shape`` for one frame."""
    return frame_generator(seed, item, array, frame).random(shape, dtype=np.float32)


def draw_bernoulli(seed: int, item: str, array: str, frame: int, shape, p) -> np.ndarray:
    """Float32 0/1 values, 1 with probability ``p`` (``uniform < p`` in float32)."""
    u = draw_uniform(seed, item, array, frame, shape)
    return (u < np.asarray(p, dtype=np.float32)).astype(np.float32)


def weight_rng(seed: int, item: str, array: str) -> np.random.Generator:
    """Generator for weight initialisation, independent of every frame stream."""
    return np.random.Generator(np.random.Philox(key=stream_key(seed, item, "init/" + array)))


def split_key(key) -> tuple[int, str, str, int]:
    """Validate a backend random key ``(seed, item, array, frame)``."""
    if not isinstance(key, (tuple, list)) or len(key) != 4:
        raise ValueError(f"random key must be (seed, item, array, frame), got {key!r}")
    seed, item, array, frame = key
    return int(seed), str(item), str(array), int(frame)
