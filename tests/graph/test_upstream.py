"""Every graph written for the original is accepted; the deliberately wrong ones fail cleanly."""
from __future__ import annotations

import os

import pytest

from statestream.errors import SpecError
from statestream.graph import load_graph, parse_graph
from statestream.graph.explicit import explicit_yaml
from statestream.graph.summary import first_frames
from tests.conftest import needs_shared, upstream_files, upstream_ids

EXAMPLES = upstream_files("examples")
REFERENCE = upstream_files("reference")
ALL = EXAMPLES + REFERENCE
WRONG = [f for f in ALL if os.path.basename(f).startswith("test_everything_wrong_")]
GOOD = [f for f in ALL if f not in WRONG]

pytestmark = needs_shared


def test_upstream_graphs_are_present():
    assert len(GOOD) >= 40 and len(WRONG) == 2 and len(REFERENCE) == 8


@pytest.mark.parametrize("path", GOOD, ids=upstream_ids(GOOD))
def test_accepted(path):
    graph = load_graph(path)
    assert graph.neuron_pools or graph.interfaces
    assert all(w.severity == "warning" for w in graph.warnings)


@pytest.mark.parametrize("path", GOOD, ids=upstream_ids(GOOD))
def test_explicit_round_trip(path):
    graph = load_graph(path)
    again = parse_graph(explicit_yaml(graph), file="explicit.st_graph")
    assert again == graph
    assert again.to_dict() == graph.to_dict()


def test_everything_wrong_empty():
    path = [f for f in WRONG if f.endswith("empty.st_graph")][0]
    with pytest.raises(SpecError) as info:
        load_graph(path)
    (problem,) = info.value.problems
    assert problem.pos.file == path and problem.item == "graph" and "empty" in problem.message


def test_everything_wrong_nonsense():
    path = [f for f in WRONG if f.endswith("nonsense.st_graph")][0]
    with pytest.raises(SpecError) as info:
        load_graph(path)
    items = sorted(p.item for p in info.value.problems)
    assert items == ["agents", "name"]
    assert all(p.pos.file == path and p.pos.line >= 1 for p in info.value.problems)
    warnings = [w for w in info.value.problems if w.severity == "warning"]
    assert not warnings  # only errors are raised


@pytest.mark.parametrize("path", REFERENCE, ids=upstream_ids(REFERENCE))
def test_first_frame_matches_first_response_streaming(path):
    graph = load_graph(path)
    expected = graph.extras["first_response_streaming"]
    assert first_frames(graph)["prediction"] == expected


def test_modules_expand_like_the_original():
    graph = load_graph([f for f in GOOD if f.endswith("test_module.st_graph")][0])
    assert len(graph.neuron_pools) == 11 and len(graph.synapse_pools) == 12
    sp = graph.synapse_pools["lstm1_I"]
    assert sp.source == (("lstm0_lstm", "lstm1_lstm"), ("lstm0_lstm", "lstm1_lstm"))
    assert graph.neuron_pools["V1_L23"].shape == (32, 128, 128)
    assert graph.synapse_pools["V1_L4L23"].rf == ((3,),)


def test_globals_expand_like_the_original():
    graph = load_graph([f for f in GOOD if f.endswith("test_globals.st_graph")][0])
    assert graph.neuron_pools["hidden2"].shape == (32, 8, 8)
    assert graph.neuron_pools["tm2_np1"].shape == (4, 32, 128)
    assert graph.synapse_pools["img_hidden1"].rf == ((5,),)
    assert graph.plasticities["hidden_loss"].spec["lr"] == pytest.approx(1e-4)


def test_tag_specs_fill_module_items():
    graph = load_graph([f for f in GOOD if f.endswith("cifar10_multipath.st_graph")][0])
    assert graph.neuron_pools["single_conv1_1"].act.text == "relu"
    assert graph.synapse_pools["multi_c11_c12"].spec["init W_0_0"] == "xavier_4.0"
    assert "np_multi" in graph.neuron_pools["multi_dense"].tags
