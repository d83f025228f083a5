"""mnist_segmentation: boards tiled with MNIST digits, pixel-wise labels and masks."""
from __future__ import annotations

import numpy as np

from statestream.interfaces.base import INF
from statestream.interfaces.classification import Mnist
from statestream.interfaces.datasets import load_mnist, read_dataset
from statestream.interfaces.images import resize_nearest, rows_to_np
from statestream.interfaces.sampled import SampledInterface
from statestream.interfaces.selection import PART_NAMES

CLASSES = 10
TILE, BORDER = 28, 5  # a digit's tile and the unlabelled border inside it (pixels at 28)


class MnistSegmentation(SampledInterface):
    """Per presentation the board [1, X, Y] holds floor(X/t) x floor(Y/t) random digits
    (t = 28, or the smaller side of a smaller board); ``seg_mnist_label`` is the one-hot
    class on each tile's interior, ``seg_mnist_mask`` 1 there. ``hide`` is the probability
    that a digit's image is left blank (label and mask stay). Each digit is one sample of
    the epoch walks; a board counts towards the epoch of its first digit."""

    TYPE = "mnist_segmentation"
    needs_data = True
    STATE = SampledInterface.STATE + ("tiles", "board", "pixels")

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.add_param("hide", 0.0, (0.0, 1.0))
        self.check_features("seg_mnist_label", CLASSES)
        parts = read_dataset(self, "source_file", load_mnist, Mnist.DATA_NAMES)
        self.data = []
        for name, (images, labels) in zip(PART_NAMES, parts):
            cap = self.spec_number(f"{name} samples", labels.shape[0], (1, INF), integer=True)
            self.data.append((images[:cap], labels[:cap]))
        self.setup(tuple(labels.shape[0] for _, labels in self.data), CLASSES)
        x, y = self.board_size()
        self.tile = max(1, min(TILE, x, y))
        self.grid = (max(1, x // self.tile), max(1, y // self.tile))
        self.border = int(round(BORDER * self.tile / TILE))
        count = self.grid[0] * self.grid[1]
        self.tiles = np.zeros((self.agents, count), dtype=np.int64)  # sample index per tile
        self.board = np.zeros((self.agents, x, y), dtype=np.float32)
        self.pixels = np.full((self.agents, x, y), -1, dtype=np.int64)  # class, -1 outside

    def board_size(self) -> tuple:
        for topic in ("seg_mnist_image", "seg_mnist_label", "seg_mnist_mask"):
            if topic in self.out_shapes:
                return self.out_shapes[topic][2:]
        return (TILE, TILE)

    def sample_label(self, part, index):
        return int(self.data[part][1][index])

    def draw(self, agents, params):
        super().draw(agents, params)  # the first tile: part, index, epoch, label
        walk = self.mode in (2, 3)
        for a in agents:
            self.tiles[a, 0] = self.index[a]
            for t in range(1, self.tiles.shape[1]):
                self.tiles[a, t] = self.selector.draw(int(self.part[a]), walk)[0]

    def present(self, agents, params):
        pass  # drawn in draw() once every tile is known

    def render(self, params, fade):
        return {}

    def _step(self, frame, inputs, params, split):
        out = super()._step(frame, inputs, params, split)
        new = np.flatnonzero(out["_trigger_"])
        single = int(round(params["mode"])) == 1
        for a in new[:1] if single else new:
            self.compose(int(a), params["hide"])
        if new.size and single:
            self.board[:], self.pixels[:] = self.board[0], self.pixels[0]
        shapes = self.out_shapes
        if "seg_mnist_image" in shapes:
            image = self.board * self.clock.fade(int(params["fading"]))[:, None, None]
            out["seg_mnist_image"] = np.broadcast_to(image[:, None], shapes["seg_mnist_image"])
        if "seg_mnist_label" in shapes:
            label = np.zeros(shapes["seg_mnist_label"], dtype=np.float32)
            a, x, y = np.nonzero(self.pixels >= 0)
            label[a, self.pixels[a, x, y], x, y] = 1.0
            out["seg_mnist_label"] = label
        if "seg_mnist_mask" in shapes:
            mask = (self.pixels >= 0).astype(np.float32)[:, None]
            out["seg_mnist_mask"] = np.broadcast_to(mask, shapes["seg_mnist_mask"])
        return out

    def compose(self, agent, hide):
        images, labels = self.data[self.part[agent]]
        t, b = self.tile, self.border
        self.board[agent] = 0.0
        self.pixels[agent] = -1
        for n, index in enumerate(self.tiles[agent]):
            x0, y0 = (n % self.grid[0]) * t, (n // self.grid[0]) * t
            if self.rng.random() >= hide:
                digit = resize_nearest(rows_to_np(images[index]), t, t)[0]
                self.board[agent, x0:x0 + t, y0:y0 + t] = digit
            self.pixels[agent, x0 + b:x0 + t - b, y0 + b:y0 + t - b] = labels[index]

    def truth(self):
        return self.pixels, None
