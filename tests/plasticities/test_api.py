"""describe_plasticity agrees with build_plasticity; settings and variables per type."""
from __future__ import annotations

import pytest

from statestream.backends import get_backend
from statestream.plasticities import build_plasticity, describe_plasticity
from statestream.graph import load_graph
from tests.conftest import EXAMPLES
from tests.plasticities.helpers import graph
from tests.plasticities.test_forecast import CRASHED
from tests.plasticities.test_hebbian_regularizer import REG, hebbian_graph
from tests.plasticities.test_replay import RICH

GRAPHS = {
    "demo": lambda: load_graph(f"{EXAMPLES}/demo.st_graph"),
    "replay": lambda: graph(RICH),
    "forecast": lambda: graph(CRASHED),
    "hebbian": lambda: hebbian_graph("dt hebbian", True, "adam"),
    "regularizer": lambda: graph(REG.replace("OPT", "rmsprop")),
}
FIELDS = ("name", "depth", "reads", "if_reads", "param_keys", "trained", "hyper", "variables")


@pytest.mark.parametrize("which", list(GRAPHS))
def test_description_equals_the_built_plasticity(which):
    g = GRAPHS[which]()
    for item in g.plasticities.values():
        built = build_plasticity(item, g, get_backend("torch"), 3)
        described = describe_plasticity(item, g)
        for field in FIELDS:
            assert getattr(described, field) == getattr(built, field), field
        assert [described.active(f) for f in range(8)] == [built.active(f) for f in range(8)]


def test_demo_attributes():
    g = GRAPHS["demo"]()
    p = describe_plasticity(g.plasticities["classification"], g)
    assert p.depth == 4 and p.reads == {"image", "label"} and p.if_reads == frozenset()
    assert list(p.hyper) == ["lr", "beta1", "beta2", "eps", "confidence_penalty",
                             "label_smoothing"]
    assert p.variables["t"] == () and p.variables["loss1"] == ()
    assert p.variables["m.image_hidden1.W_0_0"] == (16, 1, 5, 5)
    assert p.variables["grad.prediction.b"] == (10,)
    assert [p.active(f) for f in range(7)] == [False] * 5 + [True] * 2


def test_target_free_loss_has_no_label_smoothing():
    g = graph("""
    neuron_pools:
        x: {shape: [2, 1, 1]}
        y: {shape: [2, 1, 1]}
    synapse_pools:
        x_y: {source: [[x]], target: y}
    plasticities:
        p: {type: loss, loss_function: maximize, source: y, source_t: 1,
            parameter: [[sp, x_y, W_0_0]]}
    """)
    p = describe_plasticity(g.plasticities["p"], g)
    assert list(p.hyper) == ["lr", "confidence_penalty"] and p.depth == 1
