"""What training clients write: accuracies from confusion counts, report.json, plots."""
from __future__ import annotations

import json

import numpy as np

from statestream.fileio import atomic_open


def path_length(graph, iface: str) -> int:
    """The first delay at which the interface's prediction can know its stimulus."""
    from statestream.graph.summary import first_frames

    frames = first_frames(graph)
    item = graph.interfaces[iface]
    reach = [frames[p] for p in (item.np_of(t) for t in item.inputs)
             if frames.get(p) is not None]
    return max(reach) + 1 if reach else 0


def accuracies(conf: np.ndarray, path: int) -> tuple:
    """(accuracy per delay (None where no counts), pooled accuracy of delays >= path)."""
    conf = np.asarray(conf, dtype=np.float64)
    per_delay = [float(np.trace(m) / m.sum()) if m.sum() > 0 else None for m in conf]
    tail = conf[path:]
    total = float(tail.sum())
    pooled = float(sum(np.trace(m) for m in tail) / total) if total > 0 else None
    return per_delay, pooled


def write_json(path: str, data: dict) -> None:
    with atomic_open(path, "w", what="report") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")


def plot_heat_map(path: str, epochs: list, rows: list, title: str) -> None:
    """Accuracy per delay (columns) for each validation epoch (rows)."""
    from statestream.runtime.metrics import pyplot

    plt = pyplot()
    data = np.array([[np.nan if a is None else a for a in row] for row in rows], dtype=float)
    fig, ax = plt.subplots(figsize=(7, 1.5 + 0.3 * max(len(rows), 1)))
    if data.size:
        image = ax.imshow(data, aspect="auto", vmin=0, vmax=1, cmap="viridis",
                          interpolation="nearest")
        fig.colorbar(image, ax=ax, label="accuracy")
        ax.set_yticks(range(len(epochs)), [str(e) for e in epochs])
    ax.set_xlabel("delay since stimulus onset (frames)")
    ax.set_ylabel("epoch")
    ax.set_title(title)
    _save(fig, plt, path)


def plot_losses(path: str, train: list, valid: list) -> None:
    """Training loss per frame and validation loss per validation (x: training frame)."""
    from statestream.runtime.metrics import pyplot

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.5))
    if train:
        x, y = zip(*train)
        ax.plot(x, y, lw=0.6, color="tab:blue", label="training loss")
    if valid:
        x, y = zip(*valid)
        ax.plot(x, y, "o-", color="tab:orange", label="validation loss")
    ax.set_xlabel("training frame")
    ax.set_ylabel("loss")
    ax.legend(loc="upper right")
    _save(fig, plt, path)


def _save(fig, plt, path: str) -> None:
    fig.tight_layout()
    try:
        with atomic_open(path, "wb", what="plot") as handle:
            fig.savefig(handle, format="png", dpi=90)
    finally:
        plt.close(fig)
