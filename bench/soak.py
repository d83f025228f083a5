"""Soak: stream many demo frames and check that no process grows its memory.

Resident memory (VmRSS, excluding the shared session file) of the core and of every
worker is read after a warm-up and at the end; the growth must stay below --limit-mb.
Usage: python bench/soak.py [--frames 20000] [--warmup 1000] [--limit-mb 5]
Exit code 1 when a process grew more than the limit.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from statestream.runtime import control as C  # noqa: E402
from statestream.runtime.core import Core  # noqa: E402
from statestream.graph import load_graph  # noqa: E402

DEMO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    "examples", "demo.st_graph")


def private_rss_mb(pid: int) -> float:
    """Resident memory minus resident shared-file pages (RssAnon + RssFile - shm)."""
    fields = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile", "RssShmem"):
                fields[key] = int(value.split()[0]) / 1024
    return fields.get("RssAnon", 0.0) + fields.get("RssFile", 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20000)
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument("--limit-mb", type=float, default=5.0)
    parser.add_argument("--graph", default=DEMO)
    args = parser.parse_args()
    core = Core(load_graph(args.graph), backend="torch", seed=0, threads=1)
    try:
        core.start()
        core.session.ctl[C.STREAMING] = 1
        core.stream(args.warmup)
        pids = {name: p.pid for name, p in core.procs.items()} | {"core": os.getpid()}
        before = {name: private_rss_mb(pid) for name, pid in pids.items()}
        start = time.perf_counter()
        core.stream(args.frames)
        elapsed = time.perf_counter() - start
        after = {name: private_rss_mb(pid) for name, pid in pids.items()}
    finally:
        core.shutdown()
    print(f"soak: {args.frames} frames after {args.warmup} warm-up frames in {elapsed:.0f} s "
          f"({args.frames / elapsed:.0f} frames/s)")
    worst = 0.0
    for name in pids:
        growth = after[name] - before[name]
        worst = max(worst, growth)
        print(f"  {name:12s} {before[name]:8.1f} MB -> {after[name]:8.1f} MB  ({growth:+.2f} MB)")
    ok = worst < args.limit_mb
    print(f"largest growth {worst:+.2f} MB: {'ok' if ok else 'FAILED'} (limit {args.limit_mb} MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
