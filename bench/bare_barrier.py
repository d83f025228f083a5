"""The bare barrier of bench/runtime.py: worker processes that only wait and post.

The same semaphores as :class:`statestream.runtime.sync.Barrier` (one "go" per worker,
one shared "done"), the same timed waits, and nothing else: what a frame of one phase
costs the machine when nobody computes, reads shared memory or keeps a profile.
"""
from __future__ import annotations

import multiprocessing as mp
import time

from statestream.runtime.sync import Barrier, CoreWatch, wait_go


def _bare_worker(go, done, stop, core_pid: int) -> None:
    watch = CoreWatch(core_pid)
    done.release()
    while True:
        wait_go(go, watch)
        if stop.value:
            done.release()
            return
        done.release()


def time_bare(items: int, frames: int, warmup: int = 20) -> float:
    """Seconds per frame of one release-and-collect phase over ``items`` processes."""
    import os

    ctx = mp.get_context("fork")
    barrier = Barrier(ctx, items)
    stop = ctx.Value("b", 0, lock=False)
    procs = [ctx.Process(target=_bare_worker, args=(*barrier.ends(i), stop, os.getpid()),
                         daemon=True) for i in range(items)]
    for proc in procs:
        proc.start()
    try:
        active = list(range(items))
        for _ in range(items):
            barrier.wait_one(lambda: None)
        for _ in range(warmup):
            barrier.phase(active, lambda: None)
        start = time.perf_counter()
        for _ in range(frames):
            barrier.phase(active, lambda: None)
        return (time.perf_counter() - start) / frames
    finally:
        stop.value = 1
        for index in range(items):
            barrier.go[index].release()
        for proc in procs:
            proc.join(2.0)
            if proc.exitcode is None:
                proc.kill()
                proc.join(1.0)
