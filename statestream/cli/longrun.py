"""Helpers for long runs of ``simulate`` and ``run``: the progress bar, Ctrl-C/SIGTERM
handling that still saves the states, and periodic checkpoints."""
from __future__ import annotations

import signal
import sys

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """SIGINT or SIGTERM asked the command to stop. ``clean``: raised between two frames,
    so the states are consistent and can be saved. ``code``: the exit code (130, 143)."""

    def __init__(self, signum: int, clean: bool):
        super().__init__(signal.Signals(signum).name)
        self.signum, self.clean = signum, clean
        self.code = 128 + signum


class StopSignals:
    """SIGINT/SIGTERM raise ``Interrupted``: at once, or while ``deferred`` is set at the
    next ``check()`` (a frame boundary). A second signal always stops at once."""

    def __init__(self):
        self.pending = None
        self.deferred = False
        self._saved: dict = {}

    def install(self) -> "StopSignals":
        self._saved = {s: signal.signal(s, self._handle) for s in STOP_SIGNALS}
        return self

    def restore(self) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)
        self._saved = {}

    def _handle(self, signum, frame):
        if self.deferred and self.pending is None:
            self.pending = signum
            return
        raise Interrupted(signum, clean=False)

    def check(self) -> None:
        if self.pending is not None:
            signum, self.pending = self.pending, None
            raise Interrupted(signum, clean=True)


def save_on_stop(stop: Interrupted, save, path, frames: int) -> None:
    """After a clean stop, write ``--save-states`` (a second signal abandons it)."""
    if not (stop.clean and path):
        return
    try:
        save(path)
    except Interrupted:
        print(f"statestream: saving {path} abandoned", file=sys.stderr)
        return
    print(f"statestream: saved the states after {frames} frames to {path}", file=sys.stderr)


def checkpoint_due(every: int, done: int) -> bool:
    return bool(every) and done % every == 0


class _NoBar:
    def update(self) -> None:
        pass

    def close(self) -> None:
        pass


class _Bar:
    """A tqdm bar of frames with the last accuracy of the interface metrics as postfix."""

    POSTFIX_EVERY = 20  # frames between postfix updates

    def __init__(self, total: int, recorder):
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit=" frames", file=sys.stderr, dynamic_ncols=True,
                        mininterval=0.2, leave=False)
        self.recorder = recorder
        self.done = 0

    def update(self) -> None:
        self.done += 1
        if self.recorder is not None and self.done % self.POSTFIX_EVERY == 0:
            text = last_accuracy(self.recorder)
            if text:
                self.bar.set_postfix_str(text, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def last_accuracy(recorder) -> str:
    """``iface.acc 0.912`` for each metric (pooled from the path length, else the last
    delay's accuracy)."""
    parts = []
    for metric in recorder.metrics:
        if metric.last is None:
            continue
        _, per_delay, pooled = metric.last
        known = [a for a in per_delay if a is not None]
        value = pooled if pooled is not None else (known[-1] if known else None)
        if value is not None:
            parts.append(f"{metric.label} {value:.3f}")
    return ", ".join(parts)


def progress_bar(args, total: int, recorder=None):
    """A progress bar on stderr when it is a terminal and ``--print-every`` is not given."""
    if args.print_every or not sys.stderr.isatty():
        return _NoBar()
    return _Bar(total, recorder)
