"""A loss plasticity split by agents over several processes (``workers: K``)."""
from __future__ import annotations

import os

import numpy as np
import pytest

from statestream.backends import get_backend
from statestream.errors import UserError
from statestream.graph import SpecError, load_graph, parse_graph
from statestream.plasticities import (build_plasticity, describe_plasticity,
                                      plasticity_parts)
from statestream.plasticities.split import agent_blocks
from statestream.runtime.core import Core
from statestream.runtime.simulator import Simulator
from tests.conftest import EXAMPLES
from tests.plasticities.helpers import Recorder, fresh

DEMO = os.path.join(EXAMPLES, "demo.st_graph")


def demo_text(workers=None, hidden1: str = "") -> str:
    text = open(DEMO).read()
    if workers is not None:
        text = text.replace("        optimizer: adam\n",
                            f"        optimizer: adam\n        workers: {workers}\n")
    if hidden1:
        text = text.replace("        act: relu\n        tags: [hidden]\n",
                            f"        act: relu\n        {hidden1}\n        tags: [hidden]\n", 1)
    return text


def demo(workers=None, agents=8, hidden1=""):
    return parse_graph(demo_text(workers, hidden1), file=DEMO).with_agents(agents)


def parts_of(graph, cpus):
    described = {n: describe_plasticity(p, graph) for n, p in graph.plasticities.items()}
    return plasticity_parts(graph, described, cpus=cpus)


def test_agent_blocks_cover_every_agent_once():
    assert agent_blocks(8, 3) == [(0, 2), (2, 5), (5, 8)]
    assert agent_blocks(5, 5) == [(i, i + 1) for i in range(5)]
    assert agent_blocks(7, 1) == [(0, 7)]


def test_runtime_with_parts_equals_the_simulator_bit_for_bit():
    graph = demo(workers=3, agents=8)
    core = Core(graph, backend="torch", seed=2, threads=1)
    try:
        names = [row["name"] for row in core.table]
        assert names[-3:] == ["classification", "classification.part1", "classification.part2"]
        core.start()
        for _ in range(20):
            core.frame()
        run = core.snapshot()
    finally:
        core.shutdown()
    sims = []
    for _ in range(2):  # and the simulator computing the parts in turn is deterministic
        sim = Simulator(graph, backend="torch", seed=2, threads=1)
        assert sim.parts == {"classification": 3}
        sim.run(20)
        sims.append(sim.snapshot())
    assert float(run["classification/loss1"]) > 0.0  # learning really ran
    for key in run:
        assert np.array_equal(run[key], sims[0][key]), key
        assert np.array_equal(sims[1][key], sims[0][key]), key


def test_a_split_plasticity_paused_and_resumed_equals_the_simulator():
    """Part 0 fills the mailboxes in the reduce phase and zeroes them while paused."""
    from statestream.runtime.program import PAUSED, RUN

    graph = demo(workers=2, agents=4)
    sim = Simulator(graph, backend="torch", seed=3, threads=1)
    core = Core(graph, backend="torch", seed=3, threads=1)
    try:
        core.start()
        index = core.session.index["classification"]
        for frames, mode in ((10, RUN), (4, PAUSED), (6, RUN)):
            sim.mode["classification"] = mode
            verb = "pause" if mode == PAUSED else "resume"
            assert core.commands.execute(f"{verb} classification") == "ok"
            assert core.session.proc("pause")[index] == mode
            sim.run(frames)
            for _ in range(frames):
                core.frame()
            run, reference = core.snapshot(), sim.snapshot()
            for key in reference:
                assert np.array_equal(run[key], reference[key]), (mode, key)
        assert float(run["classification/loss1"]) > 0.0
    finally:
        core.shutdown()


@pytest.mark.parametrize("agents, parts", [(8, 2), (7, 3), (5, 5)])
def test_parts_sum_to_the_whole_batch_within_1e6(agents, parts):
    graph = demo(agents=agents)
    rec = Recorder(graph).run(9)
    B = get_backend("torch")
    item = graph.plasticities["classification"]
    whole, split = build_plasticity(item, graph, B, 5), build_plasticity(item, graph, B, 5, parts)
    params = {key: B.asarray(rec.sim.host_params()[key]) for key in whole.param_keys}
    hyper, variables = fresh(whole)
    _, split_variables = fresh(split)
    reference = whole.gradients(8, rec.recorded, rec.if_input, params, hyper, variables, 2)
    again = split.gradients(8, rec.recorded, rec.if_input, params, hyper, split_variables, 2)
    for key, g in reference.items():
        assert np.linalg.norm(g) > 0, key
        assert np.linalg.norm(again[key] - g) <= 1e-6 * np.linalg.norm(g), key
    for name in ("loss0", "loss1"):
        assert abs(split_variables[name] - variables[name]) <= 1e-6 * abs(variables[name])


def test_parts_are_chosen_from_the_cores():
    graph = demo(agents=8)
    assert parts_of(graph, cpus=1) == {"classification": 1}
    assert parts_of(graph, cpus=2) == {"classification": 1}  # half the cores: the network
    assert parts_of(graph, cpus=4) == {"classification": 2}
    assert parts_of(graph, cpus=64) == {"classification": 8}  # at most AUTO_MAX
    assert parts_of(demo(agents=3), cpus=16) == {"classification": 3}  # one agent a part
    assert parts_of(demo(workers=1), cpus=16) == {"classification": 1}


def test_a_rollout_with_random_draws_is_not_split():
    noisy = demo(hidden1="dropout: 0.1")
    assert parts_of(noisy, cpus=8) == {"classification": 1}
    with pytest.raises(UserError) as info:
        parts_of(demo(workers=2, hidden1="dropout: 0.1"), cpus=8)
    line = demo_text(2, "dropout: 0.1").splitlines().index("        workers: 2") + 1
    assert str(info.value).startswith(f"{DEMO}:{line}: classification: workers: 2 needs")
    assert "hidden1 draws random numbers" in str(info.value)


@pytest.mark.parametrize("value, fragment", [
    ("0", "workers must be >= 1"), ("9", "workers must be <= 8"),
    ("two", "workers must be an integer")])
def test_workers_is_checked_with_its_line(value, fragment, write_graph):
    text = demo_text().replace("agents: 128", "agents: 8").replace(
        "        optimizer: adam\n", f"        optimizer: adam\n        workers: {value}\n")
    path = write_graph(text)
    with pytest.raises(SpecError) as info:
        load_graph(path)
    line = text.splitlines().index(f"        workers: {value}") + 1
    assert any(str(p).startswith(f"{path}:{line}: classification: {fragment}")
               for p in info.value.problems), str(info.value)


def test_workers_splits_loss_plasticities_only(write_graph):
    path = write_graph("""\
        name: h
        agents: 2
        neuron_pools: {a: {shape: [2]}, b: {shape: [2]}}
        synapse_pools: {ab: {source: [[a]], target: b}}
        plasticities:
            heb:
                type: hebbian
                source: a
                target: b
                parameter: [[sp, ab, W_0_0]]
                workers: 2
        """)
    with pytest.raises(SpecError) as info:
        load_graph(path)
    assert f"{path}:11: heb: workers: 2 splits loss plasticities only" in str(info.value)
