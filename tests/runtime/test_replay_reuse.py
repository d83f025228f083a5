"""Replay takes NPs that no trained parameter reaches from the recorded frames."""
from __future__ import annotations

import os

import numpy as np

from statestream.backends import get_backend
from statestream.graph import parse_graph
from statestream.plasticities import build_plasticity, describe_plasticity
from statestream.plasticities.rollout import Plan
from tests.conftest import EXAMPLES
from tests.plasticities.helpers import Recorder, fresh

DEMO = os.path.join(EXAMPLES, "demo.st_graph")
LOWER = ("        - [sp, image_hidden1, W_0_0]\n", "        - [sp, hidden1_hidden2, W_0_0]\n",
         "        - [sp, hidden2_hidden3, W_0_0]\n", "        - [np, hidden1, b]\n",
         "        - [np, hidden2, b]\n", "        - [np, hidden3, b]\n")


def top_only(extra: str = "", agents: int = 6):
    """The demo training only its top layer (hidden3_prediction, prediction's bias)."""
    text = open(DEMO).read()
    for line in LOWER:
        text = text.replace(line, "")
    return parse_graph(text + extra, file=DEMO).with_agents(agents)


def plan_of(graph):
    item = graph.plasticities["classification"]
    trained = describe_plasticity(item, graph).trained
    return Plan(graph, item, get_backend("numpy"), trained)


def test_a_frozen_feature_extractor_is_taken_recorded():
    plan = plan_of(top_only())
    assert plan.frozen == {"hidden1", "hidden2", "hidden3"}
    assert [[c.name for c in step] for step in plan.steps] == [[], [], [], [], ["prediction"]]
    assert plan.reads == {"hidden3", "label"}


def test_nps_a_trained_parameter_reaches_are_still_computed():
    full = plan_of(parse_graph(open(DEMO).read(), file=DEMO))
    assert full.frozen == frozenset()
    # another plasticity trains hidden2: hidden2 and hidden3 (which reads it) are live
    other = """
    lower:
        type: loss
        loss_function: MSE
        source: hidden2
        source_t: 1
        target: hidden2
        parameter: [[sp, hidden1_hidden2, W_0_0]]
"""
    text = open(DEMO).read()
    for line in LOWER:
        text = text.replace(line, "")
    text = text.replace("interfaces:\n", other.lstrip("\n") + "interfaces:\n")
    assert plan_of(parse_graph(text, file=DEMO)).frozen == {"hidden1"}
    # an NP that is not due every frame carries states the replay would not reproduce
    text = open(DEMO).read().replace("        shape: [32, 4, 4]\n",
                                     "        shape: [32, 4, 4]\n        period: 2\n")
    for line in LOWER:
        text = text.replace(line, "")
    assert plan_of(parse_graph(text, file=DEMO)).frozen == {"hidden1"}


def test_reuse_gives_the_gradients_of_the_recomputation(monkeypatch):
    graph = top_only()
    rec = Recorder(graph).run(10)
    B = get_backend("torch")
    item = graph.plasticities["classification"]
    reused = build_plasticity(item, graph, B, 5)
    monkeypatch.setattr(Plan, "_frozen", lambda self: frozenset())
    recomputed = build_plasticity(item, graph, B, 5)
    assert [c.name for c in recomputed.plan.steps[1]] == ["hidden1"]  # really recomputes
    params = {key: B.asarray(v) for key, v in rec.sim.host_params().items()}
    results = []
    for p in (reused, recomputed):
        hyper, variables = fresh(p)
        grads = p.gradients(9, rec.recorded, rec.if_input, params, hyper, variables, 0)
        results.append((grads, float(variables["loss1"])))
    (g1, l1), (g2, l2) = results
    assert l1 > 0 and abs(l1 - l2) <= 1e-6 * l1
    for key in g1:
        assert np.linalg.norm(g1[key]) > 0, key
        np.testing.assert_allclose(g1[key], g2[key], rtol=1e-5, atol=1e-7 * np.abs(g2[key]).max())
