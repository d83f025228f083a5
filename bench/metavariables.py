"""The demo's frames/s with four meta-variables computed every frame and without.

Rounds alternate (without, with, without, with, ...) so that a busy machine affects both
alike; the last number of the last line is the ratio of the medians (target >= 0.95).

    python bench/metavariables.py [--rounds 6] [--frames 400] [--only hidden_stats,...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import statestream

FOUR = {
    "hidden_stats": ("scalar_stats", {"source": ["hidden1", "hidden2", "hidden3"],
                                      "stats": ["mean", "std", "min", "max"]}),
    "prediction_three": ("scalar_three_stats", {"source": "prediction"}),
    "h1_h2_cos": ("bivariate_metric", {"source": ["hidden1", "hidden2"], "metric": "cos"}),
    "image_saliency": ("saliency_grad", {"source": "image", "target": "prediction"}),
}


def frames_per_second(session, frames: int) -> float:
    start = time.perf_counter()
    session.step(frames)
    return frames / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--frames", type=int, default=400)
    parser.add_argument("--only", default=",".join(FOUR),
                        help="comma-separated meta-variables of the four (what each costs)")
    args = parser.parse_args()
    unknown = [name for name in args.only.split(",") if name not in FOUR]
    if unknown:
        print(f"bench/metavariables.py: --only: no meta-variable {unknown[0]!r} "
              f"(one of {', '.join(FOUR)})", file=sys.stderr)
        sys.exit(2)
    chosen = {name: FOUR[name] for name in args.only.split(",")}
    print(f"demo, learning on, threads 1, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    without, with_mvs = [], []
    with statestream.open("demo", seed=0) as session:
        session.step(20)  # warm-up
        for r in range(args.rounds):
            without.append(frames_per_second(session, args.frames))
            for name, (mtype, options) in chosen.items():
                session.add_metavariable(name, mtype, **options)
            with_mvs.append(frames_per_second(session, args.frames))
            costs = {m["name"]: m["ms_per_value"] for m in session.metavariables()}
            for name in chosen:
                session.remove_metavariable(name)
            print(f"round {r + 1}: without {without[-1]:.1f} frames/s, with {len(chosen)} "
                  f"{with_mvs[-1]:.1f} frames/s (CPU ms per value in the meta-variable process: "
                  + ", ".join(f"{n} {c:.2f}" for n, c in costs.items()) + ")")
    a, b = statistics.median(without), statistics.median(with_mvs)
    print(f"median frames/s without {a:.1f}, with {len(chosen)} meta-variables {b:.1f}, "
          f"ratio {b / a:.3f}")


if __name__ == "__main__":
    main()
