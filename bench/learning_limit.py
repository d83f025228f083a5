"""The machine's limit for learning on two cores, next to bench/runtime.py's ratio.

On two cores the runtime runs the network on one core and the plasticity on the other
(runtime/placement.py), so a learning frame takes at least one gradient step (gradients
and optimizer) of the plasticity *while the other core is busy*. This measures that step
in this process, pinned to one core, alone and with a busy neighbour (the same step in
a loop in a child process pinned to another core), interleaved; their ratio is what the
two cores cost each other (shared caches, memory, a hyperthread's execution units). The
cap of "runtime / reference with learning" is then

    reference frame with learning / the step with a busy neighbour

(the reference computes the network and the step one after the other on an idle machine).

Usage: python bench/learning_limit.py [--graph FILE] [--rounds R]   (also used by
bench/runtime.py); python bench/learning_limit.py --busy FILE CORE   (the neighbour).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

DEMO = os.path.join(ROOT, "examples", "demo.st_graph")


def step_function(graph_file: str):
    """One gradient step (gradients + optimizer) of the graph's first plasticity, on
    recorded states drawn at random, with 1 torch thread; returns ``step(i)``
    (``step.variables``: the plasticity's variables it updates)."""
    import numpy as np

    from statestream.backends import get_backend
    from statestream.graph import load_graph
    from statestream.neuronal.init import initial_params
    from statestream.plasticities import build_plasticity
    from statestream.runtime.memory import keep_freed_memory

    keep_freed_memory()
    graph = load_graph(graph_file)
    B = get_backend("torch", device="cpu", threads=1)
    item = next(iter(graph.plasticities.values()))
    plast = build_plasticity(item, graph, B, 0)
    rng = np.random.default_rng(0)
    depth = 8
    ring = {name: [B.asarray(np.maximum(rng.standard_normal(graph.np_state_shape(name)), 0)
                             .astype(np.float32)) for _ in range(depth)]
            for name in graph.neuron_pools}
    params = {key: B.asarray(value) for key, value in initial_params(graph, 0).items()
              if key in plast.param_keys}
    hyper = {name: spec[0] for name, spec in plast.hyper.items()}
    variables = {name: np.zeros(shape, np.float32) for name, shape in plast.variables.items()}

    def step(i: int) -> None:
        plast.step(100 + i, lambda f, n: ring[n][f % depth], lambda f, n: None, params,
                   hyper, variables, 0)

    step.variables = variables
    return step


def time_step(step, steps: int = 40, repeats: int = 3) -> float:
    """Seconds per step: the fastest of ``repeats`` runs of ``steps`` steps."""
    for i in range(10):
        step(i)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(steps):
            step(i)
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def busy_neighbour(graph_file: str, core: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), "--busy", graph_file,
                             str(core)], stdout=subprocess.DEVNULL)


def measure(graph_file: str = DEMO, rounds: int = 3) -> dict | None:
    """{"alone", "busy"}: seconds per step, medians of interleaved rounds; None with
    fewer than two cores."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cores[-1]})
    try:
        step = step_function(graph_file)
        alone, busy = [], []
        for _ in range(rounds):
            alone.append(time_step(step))
            neighbour = busy_neighbour(graph_file, cores[0])
            try:
                time.sleep(3.0)  # its imports and warm-up
                busy.append(time_step(step))
            finally:
                neighbour.kill()
                neighbour.wait()
        return {"alone": statistics.median(alone), "busy": statistics.median(busy)}
    finally:
        os.sched_setaffinity(0, saved)


def report(limit: dict | None, reference_s: float | None = None, runtime_s: float | None = None,
           indent: str = "    ") -> None:
    if limit is None:
        print(f"{indent}(one core: no busy neighbour to measure)")
        return
    alone, busy = limit["alone"], limit["busy"]
    print(f"{indent}one gradient step of the plasticity: {alone * 1e3:.2f} ms alone, "
          f"{busy * 1e3:.2f} ms with the other core busy (x{busy / alone:.2f})")
    if reference_s is not None:
        cap = reference_s / busy
        line = f"{indent}cap of runtime / reference with learning = {cap:.2f}"
        if runtime_s is not None:
            line += f"   the runtime reaches {reference_s / runtime_s / cap:.0%} of it"
        print(line)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--busy":
        os.sched_setaffinity(0, {int(sys.argv[3])})
        step = step_function(sys.argv[2])
        i = 0
        while True:  # until killed
            step(i)
            i += 1
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", default=DEMO)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    report(measure(args.graph, args.rounds))


if __name__ == "__main__":
    main()
