"""CPU placement: which cores each worker process may run on (os.sched_setaffinity).

An item's ``cpus: [N, ...]`` (or ``device: cpu:N``) pins its process; helpers of a split
plasticity follow their plasticity. With $STATESTREAM_PIN=auto the core also places the
others: when there are at least as many cores as processes, one core each; otherwise the
plasticity processes get one core each from the top of the list (as long as half the
cores stay for the rest) and the neuron-pools and interfaces share the remaining cores.
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
    auto = os.environ.get(PIN_ENV, "") == "auto" if auto is None else auto
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
    if auto and cores:
        out.update({name: c for name, c in auto_placement(table, cores).items()
                    if name not in out})
    return out


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
