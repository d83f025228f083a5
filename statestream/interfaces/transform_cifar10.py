"""transform_cifar10: CIFAR-10 images with a random sampling grid (spatial-transformer
experiments); no labels, no metrics."""
from __future__ import annotations

import numpy as np

from statestream.interfaces.classification import Cifar10
from statestream.interfaces.datasets import load_cifar10, read_dataset
from statestream.interfaces.images import fit_image, rows_to_np
from statestream.interfaces.sampled import SampledInterface
from statestream.interfaces.selection import PART_NAMES
from statestream.interfaces.base import INF

TRANSFORMS = ("translate", "scale", "rotate", "identity")


def grid(x: int, y: int) -> np.ndarray:
    """[2, x, y] coordinates in [-1, 1] (channel 0: X, channel 1: Y)."""
    gx = np.linspace(-1.0, 1.0, x) if x > 1 else np.zeros(1)
    gy = np.linspace(-1.0, 1.0, y) if y > 1 else np.zeros(1)
    return np.stack(np.meshgrid(gx, gy, indexing="ij")).astype(np.float32)


class TransformCifar10(SampledInterface):
    """Per presentation one of translate (+-0.3), scale (0.7-1.3), rotate (+-pi/4) or a
    jittered identity (+-0.02 per point) is drawn; ``tcf10_transform`` [2, X, Y] holds
    where each output position samples the image (coordinates in [-1, 1]).
    ``tcf10_crop`` [2, X, Y] is the plain coordinate grid, ``tcf10_relposmap`` [1, X, Y] a
    dot moving along a cosine path (one cycle per presentation)."""

    TYPE = "transform_cifar10"
    needs_data = True
    STATE = SampledInterface.STATE + ("stimulus", "transform")

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        parts = read_dataset(self, "source_path", load_cifar10, Cifar10.DATA_NAMES)
        self.data = []
        for name, (images, labels) in zip(PART_NAMES, parts):
            cap = self.spec_number(f"{name} samples", labels.shape[0], (1, INF), integer=True)
            self.data.append((images[:cap], labels[:cap]))
        self.setup(tuple(labels.shape[0] for _, labels in self.data), 10)
        shape = self.out_shapes.get("tcf10_image", (self.agents, 3, 1, 1))
        self.stimulus = np.zeros(shape, dtype=np.float32)
        x, y = self.out_shapes.get("tcf10_transform", (1, 2, 1, 1))[2:]
        self.transform = np.zeros((self.agents, 2, x, y), dtype=np.float32)

    def sample_label(self, part, index):
        return int(self.data[part][1][index])

    def present(self, agents, params):
        for a in agents:
            image = self.data[self.part[a]][0][self.index[a]].astype(np.float32) / 255.0
            self.stimulus[a] = fit_image(rows_to_np(image), self.stimulus.shape[1:])
            self.transform[a] = self.random_grid(self.transform.shape[2:])

    def random_grid(self, size) -> np.ndarray:
        base = grid(*size)
        kind = TRANSFORMS[self.rng.integers(len(TRANSFORMS))]
        if kind == "translate":
            return base + self.rng.uniform(-0.3, 0.3, size=(2, 1, 1)).astype(np.float32)
        if kind == "scale":
            return base * np.float32(self.rng.uniform(0.7, 1.3))
        if kind == "rotate":
            angle = self.rng.uniform(-np.pi / 4, np.pi / 4)
            cos, sin = np.cos(angle), np.sin(angle)
            return np.stack([cos * base[0] - sin * base[1],
                             sin * base[0] + cos * base[1]]).astype(np.float32)
        return base + self.rng.uniform(-0.02, 0.02, size=base.shape).astype(np.float32)

    def render(self, params, fade):
        out = {}
        shapes = self.out_shapes
        if "tcf10_image" in shapes:
            out["tcf10_image"] = self.stimulus * fade[:, None, None, None]
        if "tcf10_transform" in shapes:
            out["tcf10_transform"] = self.transform
        if "tcf10_crop" in shapes:
            crop = grid(*shapes["tcf10_crop"][2:])
            out["tcf10_crop"] = np.broadcast_to(crop[:shapes["tcf10_crop"][1]],
                                                shapes["tcf10_crop"])
        if "tcf10_relposmap" in shapes:
            out["tcf10_relposmap"] = self.dot(shapes["tcf10_relposmap"])
        return out

    def dot(self, shape) -> np.ndarray:
        x, y = shape[2:]
        phase = 2 * np.pi * self.clock.elapsed / np.maximum(self.clock.duration, 1)
        px = (x - 1) * (0.5 + 0.4 * np.cos(phase))
        py = (y - 1) * (0.5 + 0.4 * np.sin(phase))
        gx = np.arange(x)[None, :, None] - px[:, None, None]
        gy = np.arange(y)[None, None, :] - py[:, None, None]
        plane = np.exp(-(gx ** 2 + gy ** 2) / 2.0).astype(np.float32)
        return np.broadcast_to(plane[:, None], shape)
