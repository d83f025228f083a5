"""Dataset classification interfaces: mnist and cifar10 (modes 0-3, split, TCMs)."""
from __future__ import annotations

import numpy as np

from statestream.interfaces.base import INF
from statestream.interfaces.datasets import load_cifar10, load_mnist, read_dataset
from statestream.interfaces.images import (colourise, contrasting_colours, fit_image,
                                           one_hot_planes, resize_nearest, rows_to_np)
from statestream.interfaces.sampled import SampledInterface
from statestream.interfaces.selection import PART_NAMES, TRAIN

CLASSES = 10


class DatasetClassifier(SampledInterface):
    """Images with class labels from three parts (train, valid, test)."""

    needs_data = True
    SOURCE_KEY = ""
    DATA_NAMES: tuple = ()  # names tried under the data root
    IMAGE = LABEL = ""
    STATE = SampledInterface.STATE + ("stimulus",)

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.check_features(self.LABEL, CLASSES)
        parts = self.read_parts()
        self.data = []
        for name, (images, labels) in zip(PART_NAMES, parts):
            count = labels.shape[0]
            cap = self.spec_number(f"{name} samples", count, (1, INF), integer=True)
            self.data.append((images[:cap], labels[:cap]))
        self.setup(tuple(labels.shape[0] for _, labels in self.data), CLASSES)
        shape = self.out_shapes.get(self.IMAGE, (self.agents, 1, 1, 1))
        self.stimulus = np.zeros(shape, dtype=np.float32)

    def read_parts(self) -> list:
        """[(images, labels)] for train, valid, test."""
        return read_dataset(self, self.SOURCE_KEY, self.loader, self.DATA_NAMES)

    @staticmethod
    def loader(path):
        raise NotImplementedError

    def sample_label(self, part, index):
        return int(self.data[part][1][index])

    def present(self, agents, params):
        for a in agents:
            image = self.data[self.part[a]][0][self.index[a]]
            self.stimulus[a] = self.prepare(image, int(self.part[a]))

    def prepare(self, image: np.ndarray, part: int) -> np.ndarray:
        """One stored image -> the image NP's [C, X, Y]."""
        raise NotImplementedError

    def render(self, params, fade):
        out = {}
        if self.IMAGE in self.out_shapes:
            out[self.IMAGE] = self.stimulus * fade[:, None, None, None]
        if self.LABEL in self.out_shapes:
            out[self.LABEL] = one_hot_planes(self.label, self.out_shapes[self.LABEL])
        return out


class Mnist(DatasetClassifier):
    """Grey digits; a 3-channel image NP gets random foreground/background colours."""

    TYPE = "mnist"
    SOURCE_KEY = "source_file"
    DATA_NAMES = ("mnist.pkl.gz", "mnist")
    IMAGE, LABEL = "mnist_image", "mnist_label"
    loader = staticmethod(load_mnist)

    def prepare(self, image, part):
        channels, x, y = self.stimulus.shape[1:]
        grey = resize_nearest(rows_to_np(image), x, y)
        if channels == 3:
            return colourise(grey[0], *contrasting_colours(self.rng))
        return fit_image(grey, (channels, x, y))


class Cifar10(DatasetClassifier):
    """Colour images /255; ``augmentation: {flipX: true, crop: f}`` on training samples."""

    TYPE = "cifar10"
    SOURCE_KEY = "source_path"
    DATA_NAMES = ("cifar-10-batches-py", "cifar10")
    IMAGE, LABEL = "cf10_image", "cf10_label"
    loader = staticmethod(load_cifar10)

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.flip, self.crop = self.read_augmentation()

    def read_augmentation(self) -> tuple:
        raw = self.item.get("augmentation") or {}
        if not hasattr(raw, "items") or set(raw) - {"flipX", "crop"}:
            raise self.fail("augmentation", "augmentation must be a mapping with flipX "
                            f"and/or crop, got {dict(raw) if hasattr(raw, 'items') else raw!r}")
        crop = raw.get("crop", 1.0)
        if isinstance(crop, bool) or not isinstance(crop, (int, float)) or not 0 < crop <= 1:
            raise self.fail("augmentation", f"augmentation crop must lie in (0, 1], got {crop!r}")
        return bool(raw.get("flipX", False)), float(crop)

    def prepare(self, image, part):
        image = rows_to_np(image.astype(np.float32) / 255.0)
        if part == TRAIN:
            image = self.augment(image)
        return fit_image(image, self.stimulus.shape[1:])

    def augment(self, image):
        if self.flip and self.rng.random() < 0.5:
            image = image[:, ::-1]
        if self.crop < 1.0:
            _, x, y = image.shape
            cx, cy = max(1, round(x * self.crop)), max(1, round(y * self.crop))
            ox, oy = self.rng.integers(x - cx + 1), self.rng.integers(y - cy + 1)
            image = resize_nearest(image[:, ox:ox + cx, oy:oy + cy], x, y)
        return image
