"""Fuzz ``check`` and one simulated frame over mutated upstream graphs and our examples.

    PYTHONPATH=. python bench/fuzz.py [--check N] [--simulate N] [--workers W] [--seed S]

Runs N mutants through check (10 s limit each; crashes and hangs are counted), then
mutants until N accepted ones have computed one frame on numpy and torch (internal
errors counted). Prints the counts and the first failures; exit 1 when any was found.
"""
from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.graph.mutants import load_backends, run_case  # noqa: E402

_FOLDER = None


def _init():
    global _FOLDER
    _FOLDER = tempfile.mkdtemp(prefix="statestream-fuzz-")
    load_backends()


def _check(seed):
    return run_case(seed, _FOLDER, simulate=False)


def _simulate(seed):
    return run_case(seed, _FOLDER, simulate=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", type=int, default=20_000)
    parser.add_argument("--simulate", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    failures = []
    with multiprocessing.get_context("fork").Pool(args.workers, _init) as pool:
        counts = collections.Counter()
        seeds = range(args.seed, args.seed + args.check)
        for out in pool.imap_unordered(_check, seeds, chunksize=16):
            counts[out["check"]] += 1
            if out["check"] in ("crash", "hang"):
                failures.append(out)
        print(f"check: {args.check} cases, {counts['accepted']} accepted, "
              f"{counts['rejected']} rejected, {counts['crash']} crashes, "
              f"{counts['hang']} hangs", flush=True)
        sim = collections.Counter()
        start = args.seed + args.check
        while sim["accepted"] < args.simulate:
            need = args.simulate - sim["accepted"]
            seeds = range(start, start + 4 * need)
            start += 4 * need
            for out in pool.imap_unordered(_simulate, seeds, chunksize=8):
                if out["simulate"] is None or sim["accepted"] >= args.simulate:
                    continue
                sim["accepted"] += 1
                sim[out["simulate"]] += 1
                if out["simulate"] in ("internal_error", "hang"):
                    failures.append(out)
        print(f"simulate: {sim['accepted']} accepted mutants, {sim['ok']} ran, "
              f"{sim['user_error']} user errors, {sim['internal_error']} internal errors, "
              f"{sim['hang']} hangs", flush=True)
    for out in failures[:20]:
        print(f"--- seed {out['seed']} {out['label']}: {out['check']} / {out['simulate']}\n"
              f"{out['detail']}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
