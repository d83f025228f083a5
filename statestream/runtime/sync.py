"""The frame barrier: the core releases every worker into a phase and waits for all.

One "go" semaphore per worker and one shared "done" semaphore: a phase costs one post
and one wait per worker (bench/runtime.py measures it next to the runtime's frames).
Waits time out in short slices so that a dead child or a dead core is noticed quickly.
Where the machine has a core to spare for the waiting core thread (more cores than
workers), the core first polls the "done" semaphore for a short, adaptive while before it
sleeps: a worker that finishes within it wakes nobody.
"""
from __future__ import annotations

import os
import select

from statestream.runtime.shm import process_alive

POLL_S = 0.05  # how often the core looks at its children while waiting
ORPHAN_POLL_S = 0.5  # how often a waiting worker checks that the core is alive
SPIN_START, SPIN_MIN, SPIN_MAX = 256, 16, 4096  # polls of "done" before sleeping


class CoreGone(Exception):
    """The core process disappeared: the worker should clean up and exit."""


class Barrier:
    """Core side."""

    def __init__(self, ctx, workers: int, spin: bool | None = None):
        self.go = [ctx.Semaphore(0) for _ in range(workers)]
        self.done = ctx.Semaphore(0)
        if spin is None:
            spin = len(os.sched_getaffinity(0)) > workers
        self.spins = SPIN_START if spin else 0

    def ends(self, index: int):
        """What worker ``index`` needs: (its go semaphore, the shared done semaphore)."""
        return self.go[index], self.done

    def phase(self, active, check, during=None) -> None:
        """Release ``active`` workers and wait until each has finished; ``check`` is called
        while waiting and raises if a child died; ``during()`` (must not raise) runs in
        the core while the workers work."""
        go, acquire = self.go, self.done.acquire
        for index in active:
            go[index].release()
        if during is not None:
            during()
        for _ in active:
            if self.spins and self._spin(acquire):
                continue
            while not acquire(True, POLL_S):
                check()

    def _spin(self, acquire) -> bool:
        """Poll without sleeping; the budget doubles on success and halves on failure."""
        for _ in range(self.spins):
            if acquire(False):
                self.spins = min(self.spins * 2, SPIN_MAX)
                return True
        self.spins = max(self.spins // 2, SPIN_MIN)
        return False

    def wait_one(self, check) -> None:
        while not self.done.acquire(timeout=POLL_S):
            check()


class CoreWatch:
    """Tells whether the core has exited: a pidfd where the system has them (no PID reuse
    possible), else the PID."""

    def __init__(self, core_pid: int):
        self.pid = core_pid
        try:
            self.fd = os.pidfd_open(core_pid)
        except (AttributeError, OSError):
            self.fd = None

    def gone(self) -> bool:
        if self.fd is None:
            return not process_alive(self.pid)
        return bool(select.select([self.fd], [], [], 0)[0])


def wait_go(go, watch: CoreWatch) -> None:
    """Worker side: block until released; raise CoreGone if the core died meanwhile."""
    while not go.acquire(timeout=ORPHAN_POLL_S):
        if watch.gone():
            raise CoreGone
