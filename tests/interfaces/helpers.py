"""Small graphs with one interface, tiny datasets in the real formats, a step loop."""
from __future__ import annotations

import gzip
import os
import pickle

import numpy as np

from statestream import interfaces
from statestream.graph import parse_graph


def graph_text(itype: str, nps: dict, keys: str = "", agents: int = 4,
               inputs=(), outputs=None) -> str:
    """A graph whose NPs are named like the topics (``nps``: topic -> shape)."""
    outputs = [t for t in nps if t not in inputs] if outputs is None else outputs
    lines = [f"name: t_{itype}", f"agents: {agents}", "neuron_pools:"]
    lines += [f"    {topic}: {{shape: {list(shape)}}}" for topic, shape in nps.items()]
    lines += ["synapse_pools: {}", "plasticities: {}", "interfaces:", "    source:",
              f"        type: {itype}", f"        in: {list(inputs)}",
              f"        out: {list(outputs)}"]
    lines += ["        " + line for line in keys.strip().splitlines() if line.strip()]
    return "\n".join(lines).replace("'", "") + "\n"


def make(itype, nps, keys="", agents=4, inputs=(), outputs=None, seed=0, synthetic=False,
         file="<text>"):
    graph = parse_graph(graph_text(itype, nps, keys, agents, inputs, outputs), file)
    return interfaces.create(graph.interfaces["source"], graph, seed, synthetic=synthetic)


def run(iface, frames, start=0, inputs=None, params=None, split=0):
    """Outputs of ``frames`` consecutive steps; ``inputs(k)`` gives the inputs of step k."""
    outs = []
    for k in range(start, start + frames):
        feed = inputs(k) if callable(inputs) else (inputs or {})
        outs.append(iface.step(k, feed, params or {}, split))
    return outs


def presentations(triggers, agent):
    """Lengths of the complete presentations of one agent (between triggers)."""
    onsets = [k for k, t in enumerate(triggers) if t[agent] == 1]
    return [b - a for a, b in zip(onsets, onsets[1:])]


def write_mnist(path, parts):
    """parts: [(images [N, 784], labels [N])] * 3 as a gzip'd pickle."""
    with gzip.open(path, "wb") as handle:
        pickle.dump(tuple((np.asarray(x, np.float32), np.asarray(y, np.int64))
                          for x, y in parts), handle)
    return str(path)


def coded_mnist(counts=(6, 4, 3), train_classes=None, valid_classes=None, test_classes=None):
    """Images whose pixel i of part p is lit for sample i (identity readable from the
    image); labels per part (defaults: train 0.., valid 5.., test 9)."""
    parts = []
    defaults = (range(5), range(5, 9), [9])
    given = (train_classes, valid_classes, test_classes)
    for p, count in enumerate(counts):
        images = np.zeros((count, 784), np.float32)
        images[np.arange(count), p * 100 + np.arange(count)] = 1.0
        classes = list(given[p] if given[p] is not None else defaults[p])
        labels = [classes[i % len(classes)] for i in range(count)]
        parts.append((images, labels))
    return parts


def mnist_identity(image, part):
    """Sample index of an image written by coded_mnist (None if it shows another part)."""
    flat = image[0].T.reshape(-1)  # NP layout [X, Y] -> rows
    lit = np.flatnonzero(flat > 0.5)
    if lit.size != 1 or not part * 100 <= lit[0] < part * 100 + 100:
        return None
    return int(lit[0] - part * 100)


def write_cifar(folder, per_batch=3, seed=0):
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for n, name in enumerate(names):
        batch = {b"data": rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8),
                 b"labels": [(n + i) % 10 for i in range(per_batch)]}
        with open(os.path.join(folder, name), "wb") as handle:
            pickle.dump(batch, handle)
    return str(folder)
