"""cityscapes and cityscapes_sequence: the official folder layout, *_labelIds.png labels.

``image_path`` = leftImg8bit (or leftImg8bit_sequence) root, ``label_path`` = gtFine root,
each with train/ and val/ city folders. Parts: train = Cityscapes train, valid and test =
Cityscapes val (the test labels are not public). Label ids map to the 19 official train
classes; other ids (and 255) are unlabelled (mask 0).
"""
from __future__ import annotations

import glob
import os

import numpy as np

from statestream.interfaces.datasets import read_dataset
from statestream.interfaces.sampled import SampledInterface

# (label id, name, colour) of the 19 train classes in train-id order
CLASSES = (
    (7, "road", (128, 64, 128)), (8, "sidewalk", (244, 35, 232)),
    (11, "building", (70, 70, 70)), (12, "wall", (102, 102, 156)),
    (13, "fence", (190, 153, 153)), (17, "pole", (153, 153, 153)),
    (19, "traffic light", (250, 170, 30)), (20, "traffic sign", (220, 220, 0)),
    (21, "vegetation", (107, 142, 35)), (22, "terrain", (152, 251, 152)),
    (23, "sky", (70, 130, 180)), (24, "person", (220, 20, 60)), (25, "rider", (255, 0, 0)),
    (26, "car", (0, 0, 142)), (27, "truck", (0, 0, 70)), (28, "bus", (0, 60, 100)),
    (31, "train", (0, 80, 100)), (32, "motorcycle", (0, 0, 230)),
    (33, "bicycle", (119, 11, 32)))
TRAIN_ID = np.full(256, -1, dtype=np.int64)
TRAIN_ID[[c[0] for c in CLASSES]] = np.arange(len(CLASSES))
PALETTE = np.array([c[2] for c in CLASSES] + [(0, 0, 0)], dtype=np.float32) / 255.0
FOLDERS = ("train", "val", "val")
LABEL_SUFFIX = "_gtFine_labelIds.png"
SEQUENCE_LABEL_FRAME = 19  # the annotated frame of a 30-frame snippet


def read_png(path: str, mode: str) -> np.ndarray:
    """[rows, cols(, 3)] uint8 of a PNG (ValueError naming the file if unreadable)."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("cityscapes needs Pillow (pip install pillow)") from None
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert(mode))
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(f"{path}: expected a PNG image ({' '.join(str(exc).split())})") \
            from None


def resize_to(array: np.ndarray, x: int, y: int) -> np.ndarray:
    """Nearest-neighbour [rows, cols, ...] -> [x (cols), y (rows), ...]."""
    rows = (np.arange(y) * array.shape[0] // y).astype(np.int64)
    cols = (np.arange(x) * array.shape[1] // x).astype(np.int64)
    return np.swapaxes(array[rows][:, cols], 0, 1)


def find_labels(gt_root: str) -> list:
    """Per part: sorted label files (ValueError if a needed folder is empty/absent)."""
    parts = []
    for folder in FOLDERS:
        pattern = os.path.join(gt_root, folder, "*", "*" + LABEL_SUFFIX)
        files = sorted(glob.glob(pattern))
        if not files:
            raise ValueError(f"expected label files {pattern}, found none")
        parts.append(files)
    return parts


def image_of(label_file: str, gt_root: str, image_root: str, frame_shift: int = 0,
             suffix: str = "_leftImg8bit.png") -> str:
    """The image file that belongs to a label file (optionally another frame)."""
    relative = os.path.relpath(label_file, gt_root)
    stem = relative[:-len(LABEL_SUFFIX)]
    if frame_shift:
        head, number = stem.rsplit("_", 1)
        stem = f"{head}_{int(number) + frame_shift:0{len(number)}d}"
    return os.path.join(image_root, stem + suffix)


class Cityscapes(SampledInterface):
    """Outs: cs_image [3, X, Y], cs_class [3, X, Y] (label colours), cs_label [19, X, Y]
    one-hot, cs_mask [1, X, Y] (1 where labelled), cs_pclass [3, X, Y] (colours of the
    argmax of cs_pred); in: cs_pred [19, X, Y] -> pixel-wise confusion matrices."""

    TYPE = "cityscapes"
    needs_data = True
    PREFIX = "cs"
    IMAGE_NAMES = ("leftImg8bit", os.path.join("cityscapes", "leftImg8bit"))
    STATE = SampledInterface.STATE + ("image", "pixels", "pred_class")

    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        gt_names = ("gtFine", os.path.join("cityscapes", "gtFine"))
        self.label_root = read_dataset(self, "label_path", os.path.abspath, gt_names, False)
        self.labels = read_dataset(self, "label_path", find_labels, gt_names, parts=False)
        self.image_root = read_dataset(self, "image_path", os.path.abspath, self.IMAGE_NAMES,
                                       parts=False)
        self.flip = bool((self.item.get("augmentation") or {}).get("flipX", False))
        self.check_features(self.topic("label"), len(CLASSES))
        self.setup(tuple(len(files) for files in self.labels), len(CLASSES))
        x, y = self.size()
        self.image = np.zeros((self.agents, 3, x, y), dtype=np.float32)
        self.pixels = np.full((self.agents, x, y), -1, dtype=np.int64)
        self.pred_class = np.full((self.agents, x, y), len(CLASSES), dtype=np.int64)

    def topic(self, name: str) -> str:
        return f"{self.PREFIX}_{name}"

    def size(self) -> tuple:
        for shape in self.out_shapes.values():
            return shape[2:]
        return (1, 1)

    def sample_label(self, part, index):
        return 0

    def load(self, agent: int, frame_shift: int = 0) -> bool:
        """Read the agent's image (and its labels when it is the annotated frame)."""
        label_file = self.labels[self.part[agent]][self.index[agent]]
        x, y = self.image.shape[2:]
        image_file = self.image_file(label_file, frame_shift)
        image = resize_to(self.read(image_file, "RGB"), x, y)
        self.image[agent] = np.moveaxis(image, 2, 0).astype(np.float32) / 255.0
        labelled = frame_shift == 0
        if labelled:
            ids = resize_to(self.read(label_file, "L"), x, y)
            self.pixels[agent] = TRAIN_ID[ids]
        else:
            self.pixels[agent] = -1
        if self.flip and self.part[agent] == 0 and self.rng.random() < 0.5:
            self.image[agent] = self.image[agent][:, ::-1]
            self.pixels[agent] = self.pixels[agent][::-1]
        return labelled

    def image_file(self, label_file: str, frame_shift: int) -> str:
        return image_of(label_file, self.label_root, self.image_root)

    def read(self, path: str, mode: str) -> np.ndarray:
        try:
            return read_png(path, mode)
        except (OSError, ValueError, ImportError) as exc:
            from statestream.interfaces.datasets import _error

            reason = " ".join(str(exc).split())
            if isinstance(exc, FileNotFoundError):
                reason = f"file not found: {path} (expected the Cityscapes folder layout)"
            raise _error(self, None, f"cannot read dataset: {reason}") from None

    def present(self, agents, params):
        for a in agents:
            self.load(int(a))

    def _step(self, frame, inputs, params, split):
        pred = inputs.get(self.topic("pred"))
        if pred is not None:
            self.pred_class = np.asarray(pred).reshape(self.in_shapes[self.topic("pred")]) \
                .argmax(axis=1)
        return super()._step(frame, inputs, params, split)

    def render(self, params, fade):
        out, shapes = {}, self.out_shapes
        mask = (self.pixels >= 0).astype(np.float32)
        for name, value in (("image", self.image), ("class", self.colours(self.pixels)),
                            ("mask", mask[:, None]), ("pclass", self.colours(self.pred_class))):
            if self.topic(name) in shapes:
                out[self.topic(name)] = np.broadcast_to(value, shapes[self.topic(name)])
        if self.topic("label") in shapes:
            label = np.zeros(shapes[self.topic("label")], dtype=np.float32)
            a, x, y = np.nonzero(self.pixels >= 0)
            label[a, self.pixels[a, x, y], x, y] = 1.0
            out[self.topic("label")] = label
        return out

    def colours(self, classes: np.ndarray) -> np.ndarray:
        """[agents, 3, X, Y] palette colours (black: unlabelled)."""
        index = np.where((classes >= 0) & (classes < len(CLASSES)), classes, len(CLASSES))
        index = np.broadcast_to(index, self.pixels.shape)
        return np.moveaxis(PALETTE[index], 3, 1)

    def truth(self):
        return self.pixels, None


class CityscapesSequence(Cityscapes):
    """Each agent plays the frames of a 30-frame snippet (leftImg8bit_sequence) that end
    with the annotated frame 19, one per frame of its presentation; labels and mask are
    non-zero only while the annotated frame is shown."""

    TYPE = "cityscapes_sequence"
    PREFIX = "css"
    IMAGE_NAMES = ("leftImg8bit_sequence", os.path.join("cityscapes", "leftImg8bit_sequence"))

    def image_file(self, label_file, frame_shift):
        return image_of(label_file, self.label_root, self.image_root, frame_shift)

    def present(self, agents, params):
        pass  # loaded frame by frame in render

    def render(self, params, fade):
        shown = self.clock.elapsed - (self.clock.duration - 1)  # 0 at the last frame
        for a in range(self.agents):
            shift = int(min(0, max(shown[a], -SEQUENCE_LABEL_FRAME)))
            self.load(a, shift)
        return super().render(params, fade)
