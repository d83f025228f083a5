"""Finding and reading datasets (MNIST, CIFAR-10); clear one-line errors when absent.

A dataset's location: the graph's key (absolute, relative to the working folder or to the
graph file), else under the data root (``--data-root DIR`` or ``$STATESTREAM_DATA_ROOT``):
the key's relative path, its last name, or the type's default name.
"""
from __future__ import annotations

import gzip
import os
import pickle

import numpy as np

from statestream.errors import Problem, UserError

HINT = "hint: pass --synthetic-inputs to run with random data"
DATA_ROOT_ENV = "STATESTREAM_DATA_ROOT"
CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 5))
CIFAR_VALID = ("data_batch_5",)
CIFAR_TEST = ("test_batch",)

_cache: dict = {}


class DatasetMissing(UserError):
    """A dataset file or folder is absent or unreadable."""


def data_root() -> str | None:
    root = os.environ.get(DATA_ROOT_ENV, "")
    return os.path.expanduser(root) if root else None


def dataset_path(iface, key: str, defaults: tuple = ()) -> str:
    """The path of the dataset under ``key`` (see the module's docstring); when nothing
    exists, the path a message should name."""
    raw = iface.item.get(key)
    root = data_root()
    if raw is not None and (not isinstance(raw, str) or not raw):
        raise _error(iface, key, f"{key} must be a path, got {raw!r}")
    if raw is None and (root is None or not defaults):
        raise _error(iface, None, f"no {key} given (the dataset's path) and no data root "
                     f"(--data-root DIR or ${DATA_ROOT_ENV}); {HINT}")
    candidates = []
    if raw is not None:
        path = os.path.expanduser(raw)
        candidates.append(path)
        if not os.path.isabs(path):
            candidates.append(os.path.join(os.path.dirname(os.path.abspath(iface.graph.file)),
                                           path))
    if root is not None:
        names = [] if raw is None else [os.path.basename(os.path.normpath(raw))]
        if raw is not None and not os.path.isabs(raw):
            names.insert(0, raw)
        names += list(defaults) if raw is None else []
        candidates += [os.path.join(root, name) for name in names]
    for path in candidates:
        if os.path.exists(path):
            return path
    return candidates[0]


def read_dataset(iface, key: str, loader, defaults: tuple = (), parts: bool = True):
    """``loader(path)`` cached per file; with ``parts`` it returns [(images, labels)] * 3.
    DatasetMissing (one line naming the file) on failure."""
    path = dataset_path(iface, key, defaults)
    if not os.path.exists(path):
        where = "" if data_root() is None else f" nor under the data root {data_root()}"
        raise _error(iface, key if key in iface.item.spec else None,
                     f"dataset not found: {path} ({key}){where}; {HINT}")
    stamp = (loader.__name__, os.path.abspath(path), os.path.getmtime(path))
    if stamp not in _cache:
        try:
            loaded = loader(path)
        except FileNotFoundError as exc:
            raise _error(iface, key, f"dataset not found: {exc.filename} ({key}); {HINT}") \
                from None
        except Exception as exc:  # any damage in a file we did not write
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise _error(iface, key, f"cannot read dataset {path} ({key}): {reason}; "
                         f"{HINT}") from None
        for images, labels in (loaded if parts else ()):
            images.setflags(write=False)
            labels.setflags(write=False)
        _cache[stamp] = loaded
    return _cache[stamp]


def _error(iface, key, message) -> DatasetMissing:
    pos = iface.item.pos_of(key) if key else iface.item.pos
    return DatasetMissing(str(Problem(pos, iface.name, message)))


def load_mnist(path: str) -> list:
    """A folder of IDX files (see idx.py) or mnist.pkl.gz."""
    if os.path.isdir(path) or "idx" in os.path.basename(path):
        from statestream.interfaces.idx import load_mnist_idx

        return load_mnist_idx(path if os.path.isdir(path) else os.path.dirname(path))
    return load_mnist_pickle(path)


def load_mnist_pickle(path: str) -> list:
    """mnist.pkl.gz: (train, valid, test), each (images [N, 784] in [0, 1], labels [N]).
    Returns images float32 [N, 28, 28] (rows, columns) and labels int64."""
    with gzip.open(path, "rb") as handle:
        parts = pickle.load(handle, encoding="latin1")
    if len(parts) != 3:
        raise ValueError("expected a pickle of (train, valid, test)")
    out = []
    for images, labels in parts:
        images = np.asarray(images, dtype=np.float32)
        side = int(round(np.sqrt(images.shape[1])))
        if images.ndim != 2 or side * side != images.shape[1]:
            raise ValueError(f"images must be [N, 784], got {list(images.shape)}")
        out.append((images.reshape(-1, side, side), _labels(labels, images.shape[0])))
    return out


def load_cifar10(folder: str) -> list:
    """CIFAR-10 python batches: 1-4 train, 5 valid, test_batch test.
    Returns images uint8 [N, 3, 32, 32] (channel, rows, columns) and labels int64."""
    out = []
    for names in (CIFAR_TRAIN, CIFAR_VALID, CIFAR_TEST):
        images, labels = [], []
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                batch = pickle.load(handle, encoding="bytes")
            data = np.asarray(_field(batch, "data"), dtype=np.uint8)
            images.append(data.reshape(-1, 3, 32, 32))
            labels.append(_labels(_field(batch, "labels"), data.shape[0]))
        out.append((np.concatenate(images), np.concatenate(labels)))
    return out


def _field(batch: dict, name: str):
    for key in (name.encode(), name):
        if key in batch:
            return batch[key]
    raise ValueError(f"batch has no {name!r} entry")


def _labels(labels, count: int) -> np.ndarray:
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    if labels.shape[0] != count:
        raise ValueError(f"{count} images but {labels.shape[0]} labels")
    return labels
