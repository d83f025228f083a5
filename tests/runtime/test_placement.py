"""CPU placement: ``cpus:`` / ``device: cpu:N`` pin an item's process; automatic placement."""
from __future__ import annotations

import os

import pytest

from statestream.errors import UserError
from statestream.graph import SpecError, load_graph
from statestream.runtime.core import Core
from statestream.runtime.placement import auto_placement, learner_placement, placement

CORES = sorted(os.sched_getaffinity(0))


def _table(nps: int, plasts: int) -> list:
    return ([{"name": f"n{i}", "kind": "np"} for i in range(nps)]
            + [{"name": f"p{i}", "kind": "plast"} for i in range(plasts)])


def test_one_core_each_when_there_are_enough():
    assert auto_placement(_table(3, 1), [0, 1, 2, 3, 4]) == \
        {"n0": [0], "n1": [1], "n2": [2], "p0": [3]}


def test_learners_get_their_own_cores_and_the_rest_share():
    out = auto_placement(_table(6, 2), [0, 1, 2, 3])
    assert out["p0"] == [3] and out["p1"] == [2]
    assert all(out[f"n{i}"] == [0, 1] for i in range(6))
    out = auto_placement(_table(6, 3), [0, 1])  # half the cores stay for the rest
    assert out["p0"] == [1] and out["p1"] == out["p2"] == out["n0"] == [0]


def test_by_default_each_plasticity_process_gets_a_core_of_its_own():
    out = learner_placement(_table(6, 1), [0, 1])
    assert out["p0"] == [1] and all(out[f"n{i}"] == [0] for i in range(6))
    out = learner_placement(_table(6, 2), [0, 1, 2, 3])
    assert out["p0"] == [3] and out["p1"] == [2] and out["n0"] == [0, 1]
    assert learner_placement(_table(6, 2), [0, 1]) == {}  # not one each with half left
    assert learner_placement(_table(6, 0), [0, 1]) == {}  # nothing learns
    assert learner_placement(_table(3, 1), [0, 1, 2, 3]) == {}  # a core per process anyway


def test_the_placement_setting(monkeypatch):
    table = [{"name": n, "kind": "np"} for n in ("a", "b")] + [{"name": "c", "kind": "plast"}]
    monkeypatch.delenv("STATESTREAM_PIN", raising=False)
    assert placement(_NoCpus(), table, cores=[0, 1]) == {"c": [1], "a": [0], "b": [0]}
    monkeypatch.setenv("STATESTREAM_PIN", "off")
    assert placement(_NoCpus(), table, cores=[0, 1]) == {}
    monkeypatch.setenv("STATESTREAM_PIN", "auto")
    assert placement(_NoCpus(), table, cores=[0, 1, 2]) == {"a": [0], "b": [1], "c": [2]}
    monkeypatch.setenv("STATESTREAM_PIN", "sometimes")
    with pytest.raises(UserError, match=r"^\$STATESTREAM_PIN: 'sometimes' is not auto, "):
        placement(_NoCpus(), table, cores=[0, 1])


class _NoCpus:
    """A graph whose items ask for no cores."""

    def item(self, name):
        return self

    cpus = ()


@pytest.mark.skipif(len(CORES) < 2, reason="needs 2 cores")
def test_the_demo_learns_with_its_plasticity_on_a_core_of_its_own(monkeypatch):
    from tests.conftest import EXAMPLES

    monkeypatch.delenv("STATESTREAM_PIN", raising=False)
    monkeypatch.delenv("STATESTREAM_GROUP", raising=False)
    graph = load_graph(os.path.join(EXAMPLES, "demo.st_graph"))
    core = Core(graph, backend="torch", seed=0, threads=1)
    try:
        if len(CORES) >= len(core.table):
            pytest.skip("a core per process: nothing to place")
        core.start()
        core.frame()
        pid = {name: int(core.session.proc("pid")[core.session.index[name]])
               for name in ("classification", "image", "numerals")}
        own = CORES[-1] if len(CORES) < 4 else None
        if own is not None:
            assert os.sched_getaffinity(pid["classification"]) == {own}
            assert own not in os.sched_getaffinity(pid["image"])
            assert own not in os.sched_getaffinity(pid["numerals"])
    finally:
        core.shutdown()


def _graph(write_graph, first: str, second: str):
    path = write_graph(f"""\
        name: pinned
        agents: 2
        neuron_pools:
            a: {{shape: [2], {first}}}
            b: {{shape: [2], {second}}}
            c: {{shape: [2]}}
        synapse_pools:
            ab: {{source: [[a]], target: b}}
        """)
    return path, load_graph(path)


def test_pinned_items_run_on_their_cores(write_graph):
    _, graph = _graph(write_graph, f"cpus: [{CORES[0]}]", f"device: 'cpu:{CORES[-1]}'")
    core = Core(graph, backend="torch", seed=0, threads=1)
    try:
        core.start()
        core.frame()
        pids = {name: int(core.session.proc("pid")[core.session.index[name]])
                for name in ("a", "b", "c")}
        assert os.sched_getaffinity(pids["a"]) == {CORES[0]}
        assert os.sched_getaffinity(pids["b"]) == {CORES[-1]}
        assert os.sched_getaffinity(pids["c"]) == set(CORES)  # not pinned
    finally:
        core.shutdown()


def test_a_core_that_is_not_there_is_one_line(write_graph):
    path, graph = _graph(write_graph, "cpus: [0]", f"cpus: [{max(CORES) + 1}]")
    with pytest.raises(UserError) as info:
        placement(graph, [{"name": n, "kind": "np"} for n in ("a", "b", "c")])
    assert str(info.value).startswith(f"{path}:5: b: cpus [{max(CORES) + 1}] not available")


@pytest.mark.parametrize("value", ["[-1]", "[]", "x", "'cpu:x'"])
def test_bad_cpus_are_checked_with_their_line(value, write_graph):
    key = "device" if "cpu:" in value else "cpus"
    path = write_graph(f"""\
        name: bad
        agents: 1
        neuron_pools:
            a: {{shape: [2], {key}: {value}}}
        """)
    with pytest.raises(SpecError) as info:
        load_graph(path)
    assert any(str(p).startswith(f"{path}:4: a: ") and key in p.message
               for p in info.value.problems), str(info.value)
