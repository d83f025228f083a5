"""CPU placement: which cores each worker process may run on (os.sched_setaffinity).

An item's ``cpus: [N, ...]`` (or ``device: cpu:N``) pins its process; helpers of a split
plasticity follow their plasticity. $STATESTREAM_PIN says what the core places itself:
- unset (``learners``): where there are fewer cores than processes and every plasticity
  process can have a core of its own while at least half the cores stay for the rest,
  each gets one from the top of the list and the neuron-pools and interfaces share the
  others (a plasticity computing ahead then never waits behind the network for a core);
- ``auto``: as ``learners``, and also one core each when there are at least as many
  cores as processes; otherwise plasticity processes get a core each as long as half the
  cores stay for the rest;
- ``off``: only the items that ask for cores.
"""
from __future__ import annotations

import os

from statestream.errors import Problem, UserError

PIN_ENV = "STATESTREAM_PIN"


def available_cores() -> list:
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: no placement
        return []


def placement(graph, table: list, auto: bool | None = None, cores: list | None = None) -> dict:
    """Process name -> sorted list of cores (processes not listed may use any core).
    Raises UserError (FILE:LINE) for cores this machine does not let us use."""
    cores = available_cores() if cores is None else list(cores)
    mode = os.environ.get(PIN_ENV, "").strip() or "learners"
    if auto is not None:
        mode = "auto" if auto else "off"
    if mode not in ("auto", "learners", "off"):
        raise UserError(f"${PIN_ENV}: {mode!r} is not auto, learners or off")
    out = {}
    for row in table:
        item = graph.item(row.get("of", row["name"]))
        wanted = tuple(getattr(item, "cpus", ()) or ())
        if not wanted:
            continue
        missing = [c for c in wanted if c not in cores]
        if missing and cores:
            key = "cpus" if "cpus" in item.kpos else "device"
            have = ", ".join(map(str, cores))
            raise UserError(str(Problem(item.pos_of(key), item.name,
                                        f"cpus {list(missing)} not available here "
                                        f"(cores this process may use: {have})")))
        out[row["name"]] = sorted(wanted)
    placed = {}
    if mode == "auto" and cores:
        placed = auto_placement(table, cores)
    elif mode == "learners" and cores and not out:
        placed = learner_placement(table, cores)
    out.update({name: c for name, c in placed.items() if name not in out})
    return out


def learner_placement(table: list, cores: list) -> dict:
    """A core of its own for every plasticity process, the others share the rest; only
    where the cores are fewer than the processes and at least half stay for the rest."""
    learners = [row["name"] for row in table if row["kind"] == "plast"]
    if not learners or len(cores) >= len(table) or len(learners) > len(cores) // 2:
        return {}
    return auto_placement(table, cores)


def auto_placement(table: list, cores: list) -> dict:
    names = [row["name"] for row in table]
    if len(cores) >= len(names):
        return {name: [cores[i]] for i, name in enumerate(names)}
    learners = [row["name"] for row in table if row["kind"] == "plast"]
    own = min(len(learners), len(cores) // 2)
    out = {name: [cores[len(cores) - 1 - i]] for i, name in enumerate(learners[:own])}
    shared = cores[:len(cores) - own]
    out.update({name: list(shared) for name in names if name not in out})
    return out


def pin(cores) -> None:
    """Pin the calling process (and the threads it starts later) to ``cores``."""
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(cores))


__all__ = ["PIN_ENV", "auto_placement", "available_cores", "pin", "placement"]
