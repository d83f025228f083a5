"""Neuron-pools sharing worker processes (hosting.py): who shares, and the same frames."""
from __future__ import annotations

import os

import pytest

from statestream.errors import UserError
from statestream.graph import load_graph, parse_graph
from statestream.runtime.core import Core
from statestream.runtime.hosting import balanced, host_groups, np_cost
from statestream.runtime.layout import process_table
from tests.conftest import EXAMPLES
from tests.runtime.test_equivalence import LEARNING, _assert_identical, _run_core, _run_sim

DEMO = os.path.join(EXAMPLES, "demo.st_graph")
NPS = ["image", "label", "hidden1", "hidden2", "hidden3", "prediction"]


def _demo_table(learning: bool):
    graph = load_graph(DEMO)
    parts = {"classification": 2} if learning else {}
    return graph, process_table(graph, learning, parts)


@pytest.mark.parametrize("learning", [False, True])
def test_on_two_cores_the_neuron_pools_share_two_processes(learning):
    graph, table = _demo_table(learning)
    hosts = host_groups(graph, table, {}, cores=2, setting="auto")
    shared = [h for h in hosts if len(h) > 1]
    assert len(shared) == 2
    assert sorted(n for h in shared for n in h) == sorted(NPS)  # each NP exactly once
    alone = [h[0] for h in hosts if len(h) == 1]
    assert alone == [row["name"] for row in table if row["kind"] != "np"]
    for host in hosts:  # table order inside a process and between processes
        assert host == sorted(host, key=[r["name"] for r in table].index)
    # balanced: the noisy image weighs about as much as the two convolutions
    loads = sorted(sum(np_cost(graph, n) for n in h) for h in shared)
    assert loads[1] < 1.1 * loads[0]
    assert np_cost(graph, "hidden2") > np_cost(graph, "hidden1") > np_cost(graph, "hidden3") \
        > np_cost(graph, "prediction") > np_cost(graph, "label")


def test_with_a_core_per_process_every_item_has_its_own():
    graph, table = _demo_table(True)
    hosts = host_groups(graph, table, {}, cores=len(table), setting="auto")
    assert hosts == [[row["name"]] for row in table]


def test_settings_off_a_number_and_pinned_items():
    graph, table = _demo_table(False)
    assert host_groups(graph, table, {}, 1, "off") == [[row["name"]] for row in table]
    one = host_groups(graph, table, {}, 8, "1")
    assert one == [NPS, ["numerals"]]
    pinned = host_groups(graph, table, {"hidden2": [0]}, 1, "auto")
    assert ["hidden2"] in pinned and [n for n in NPS if n != "hidden2"] in pinned
    with pytest.raises(UserError, match=r"^\$STATESTREAM_GROUP: 'many' is not auto, off or a"):
        host_groups(graph, table, {}, 2, "many")


def test_neuron_pools_pinned_to_the_same_cores_share_one_process_per_core():
    graph, table = _demo_table(False)
    one_core = {n: [0] for n in NPS}
    hosts = host_groups(graph, table, one_core, 2, "auto")
    assert hosts == [NPS, ["numerals"]]
    two = host_groups(graph, table, {n: [0, 1] for n in NPS}, 4, "auto")
    assert sorted(len(h) for h in two if h != ["numerals"]) == [2, 4] or \
        sorted(len(h) for h in two if h != ["numerals"]) == [3, 3]
    assert sorted(n for h in two for n in h if n != "numerals") == sorted(NPS)
    assert host_groups(graph, table, one_core, 2, "off") == [[row["name"]] for row in table]


def test_balanced_groups():
    groups = balanced(list("abcde"), [5, 4, 3, 2, 2], 2)
    assert groups == [["a", "d", "e"], ["b", "c"]]  # 9 and 7, each in the given order
    assert balanced(["x", "y"], [1, 1], 3) == [["x"], ["y"]]


@pytest.mark.parametrize("setting", ["1", "2", "off"])
def test_shared_processes_compute_the_simulators_frames(monkeypatch, setting):
    monkeypatch.setenv("STATESTREAM_GROUP", setting)
    graph = parse_graph(LEARNING)
    _assert_identical(_run_core(graph, 60), _run_sim(graph, 60))


def test_items_of_one_process_report_its_pid_and_their_own_profile(monkeypatch):
    monkeypatch.setenv("STATESTREAM_GROUP", "1")
    graph = load_graph(DEMO).with_agents(2)
    core = Core(graph, backend="torch", seed=0, threads=1, learning=False)
    try:
        core.start()
        for _ in range(5):
            core.frame()
        pids = {n: int(core.session.proc("pid")[core.session.index[n]]) for n in NPS}
        assert len(set(pids.values())) == 1 and len(core.procs) == 2
        profile = {row["item"]: row for row in core.profile()}
        assert all(profile[n]["executions"] == 5 for n in NPS)
        assert profile["hidden2"]["write_ms"] > 0
    finally:
        core.shutdown()
