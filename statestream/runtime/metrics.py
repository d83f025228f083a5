"""Classification metrics of interfaces over a session: accuracy per delay since stimulus
onset (from the interfaces' temporal confusion matrices), printed, saved and plotted.

An interface exposes matrices ``conf_mat*`` ``[W, K, K]`` (counts per delay, smoothed over
recent frames). The *path length* of an interface is the first delay at which its
prediction can know the stimulus: one frame into the input neuron-pool plus the SP hops
to the prediction (``statestream check`` prints these as first frames). The accuracy "at
delays >= the path length" pools the counts of those delays.
"""
from __future__ import annotations

import csv

import numpy as np

from statestream.graph.summary import first_frames

TARGET = 0.95


class Metric:
    """One confusion-matrix variable of one interface."""

    def __init__(self, iface: str, variable: str, path_length: int | None):
        self.iface, self.variable = iface, variable
        self.path_length = path_length
        self.rows: list = []  # (frame, accuracy per delay, pooled accuracy)
        self.reached_at: int | None = None
        self.last = None

    @property
    def label(self) -> str:
        return f"{self.iface}.{self.variable.replace('conf_mat', 'acc')}"

    def update(self, frame: int, conf: np.ndarray, keep: bool) -> None:
        per_delay = _accuracy(conf)
        pooled = None
        if self.path_length is not None and self.path_length < conf.shape[0]:
            pooled = _pooled(conf[self.path_length:])
            if pooled is not None and pooled >= TARGET and self.reached_at is None:
                self.reached_at = frame
        self.last = (frame, per_delay, pooled)
        if keep:
            self.rows.append(self.last)

    def summary(self) -> dict:
        frame, per_delay, pooled = self.last if self.last else (None, [], None)
        return {"interface": self.iface, "variable": self.variable, "frame": frame,
                "accuracy_per_delay": [None if a is None else float(a) for a in per_delay],
                "path_length": self.path_length,
                "accuracy_from_path_length": None if pooled is None else float(pooled),
                "first_frame_at_95": self.reached_at}

    def line(self) -> str:
        frame, per_delay, pooled = self.last
        delays = " ".join("  - " if a is None else f"{a:4.2f}" for a in per_delay)
        head = f"frame {frame:7d} {self.label}: per delay [{delays}]"
        if pooled is not None:
            head += f"  delays >= {self.path_length}: {pooled:.3f}"
        return head


def _accuracy(conf: np.ndarray) -> list:
    out = []
    for matrix in conf:
        total = float(matrix.sum())
        out.append(float(np.trace(matrix)) / total if total > 0 else None)
    return out


def _pooled(conf: np.ndarray):
    total = float(conf.sum())
    return float(sum(np.trace(m) for m in conf)) / total if total > 0 else None


class MetricsRecorder:
    """Reads the confusion matrices after every frame; keeps a row every ``every`` frames."""

    def __init__(self, graph, variables: dict, every: int = 100, echo=None):
        """``variables``: interface name -> its variables {name: shape}."""
        self.every = max(1, int(every))
        self.echo = echo
        frames = first_frames(graph)
        self.metrics: list[Metric] = []
        for iface, names in variables.items():
            item = graph.interfaces[iface]
            preds = [item.np_of(t) for t in item.inputs]
            reach = [frames.get(p) for p in preds if frames.get(p) is not None]
            path = (max(reach) + 1) if reach else None
            for name, shape in names.items():
                if name.startswith("conf_mat") and len(shape) == 3:
                    self.metrics.append(Metric(iface, name, path))

    def __bool__(self) -> bool:
        return bool(self.metrics)

    def update(self, frame: int, read) -> None:
        """``read(iface, variable)`` returns the variable as written in ``frame``."""
        keep = (frame + 1) % self.every == 0
        for metric in self.metrics:
            metric.update(frame, np.asarray(read(metric.iface, metric.variable)), keep)
            if keep and self.echo is not None:
                self.echo(metric.line())

    def final_lines(self) -> list[str]:
        out = []
        for metric in self.metrics:
            if metric.last is None:
                continue
            line = metric.line()
            if metric.path_length is not None:
                reached = metric.reached_at
                line += (f"; {TARGET:.0%} first reached at frame {reached}" if reached is not None
                         else f"; {TARGET:.0%} not reached")
            out.append(line)
        return out

    def report(self) -> list[dict]:
        return [m.summary() for m in self.metrics if m.last is not None]

    def write_csv(self, path: str) -> None:
        from statestream.fileio import atomic_open

        with atomic_open(path, "w", what="metrics CSV", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["frame", "metric", "delay", "accuracy"])
            for metric in self.metrics:
                for frame, per_delay, pooled in metric.rows:
                    for delay, acc in enumerate(per_delay):
                        writer.writerow([frame, metric.label, delay, "" if acc is None else acc])
                    if pooled is not None:
                        writer.writerow([frame, metric.label, f">={metric.path_length}", pooled])

    def plot(self, path: str) -> None:
        from statestream.fileio import atomic_open

        plt = pyplot()
        metrics = [m for m in self.metrics if m.rows]
        fig, axes = plt.subplots(len(metrics) or 1, 1, figsize=(8, 3.2 * max(len(metrics), 1)),
                                 squeeze=False)
        for ax, metric in zip(axes[:, 0], metrics):
            frames = [r[0] for r in metric.rows]
            delays = len(metric.rows[0][1])
            cmap = plt.get_cmap("viridis")
            for d in range(delays):
                values = [np.nan if r[1][d] is None else r[1][d] for r in metric.rows]
                ax.plot(frames, values, color=cmap(d / max(delays - 1, 1)), lw=1,
                        label=f"delay {d}")
            pooled = [np.nan if r[2] is None else r[2] for r in metric.rows]
            if metric.path_length is not None:
                ax.plot(frames, pooled, color="black", lw=2,
                        label=f"delays >= {metric.path_length}")
            ax.axhline(TARGET, color="grey", ls=":", lw=1)
            ax.set_ylim(0, 1.02)
            ax.set_xlabel("frame")
            ax.set_ylabel("accuracy")
            ax.set_title(f"{metric.label}: accuracy per delay since stimulus onset")
            ax.legend(fontsize=7, ncol=2, loc="lower right")
        fig.tight_layout()
        try:
            with atomic_open(path, "wb", what="metrics plot") as handle:
                fig.savefig(handle, format="png", dpi=100)
        finally:
            plt.close(fig)


PLOT_EXTRA = 'pip install "statestream[plot]"'


def pyplot():
    """matplotlib.pyplot (headless), or a one-line UserError naming the extra to install."""
    from statestream.errors import UserError

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError(f"--metrics-png needs matplotlib: {PLOT_EXTRA}") from None
    return plt
