"""Train, validate and test the digits example from a plain Python script.

The same schedule as the trainvaltest core client, written with the session API only:
open a session, step frames, read the interface's epoch trigger and confusion matrices,
change settings with ``set``/commands, save snapshots. Run it as
``python train_val_test.py [--epochs 30] [--validate-every 5] [--out DIR]``.
"""
from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace

import numpy as np

import statestream
from statestream.graph import load_graph

GRAPH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                     "digits.st_graph")
IFACE, PLAST, PATH_LENGTH = "digits", "classification", 3


def pooled_accuracy(conf, path: int = PATH_LENGTH):
    """Accuracy over the delays from the path length on (None without counts)."""
    tail = np.asarray(conf, dtype=float)[path:]
    total = tail.sum()
    return float(sum(np.trace(m) for m in tail) / total) if total else None


def run_until_epoch(session, part: int, limit: int = 100000) -> None:
    """Step until the interface reports the end of an epoch of ``part`` (0 train,
    1 validation, 2 test)."""
    for _ in range(limit):
        session.step(1)
        if session.read([f"{IFACE}/_epoch_trigger_"])[1][f"{IFACE}/_epoch_trigger_"][part]:
            return
    raise RuntimeError(f"no epoch end in {limit} frames")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--validate-every", type=int, default=5)
    parser.add_argument("--out", default=".")
    args = parser.parse_args(argv)
    graph = load_graph(GRAPH)
    graph = replace(graph, core_clients={})  # this script is the schedule: no core client
    os.makedirs(args.out, exist_ok=True)
    best, history = None, []
    with statestream.open(graph, seed=0) as session:
        session.set(IFACE, "mode", 2)  # epoch mode: every training image once per epoch
        for epoch in range(1, args.epochs + 1):
            run_until_epoch(session, 0)
            if epoch % args.validate_every and epoch != args.epochs:
                continue
            session.command(f"pause {PLAST}")
            session.command(f"split {graph.agents}")  # every agent shows validation images
            run_until_epoch(session, 1)
            conf = session.read([f"{IFACE}/conf_mat_valid"])[1][f"{IFACE}/conf_mat_valid"]
            accuracy = pooled_accuracy(conf)
            history.append({"epoch": epoch, "validation_accuracy": accuracy})
            print(f"epoch {epoch}: validation accuracy {accuracy:.3f}")
            if best is None or accuracy > best:
                best = accuracy
                session.save(os.path.join(args.out, "model_best.npz"))
            session.command("split 0")
            session.command(f"resume {PLAST}")
        session.command(f"pause {PLAST}")
        session.set(IFACE, "mode", 3)  # test mode: every test image once
        run_until_epoch(session, 2)
        conf = session.read([f"{IFACE}/conf_mat_train"])[1][f"{IFACE}/conf_mat_train"]
        test = pooled_accuracy(conf)
        print(f"test accuracy {test:.3f} at delays >= {PATH_LENGTH} (frame {session.frame})")
        with open(os.path.join(args.out, "script_report.json"), "w") as handle:
            json.dump({"validation": history, "best_validation_accuracy": best,
                       "test_accuracy": test, "frames": session.frame + 1}, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
