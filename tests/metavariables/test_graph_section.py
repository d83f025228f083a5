"""The graph's metavariables: section: definitions checked with FILE:LINE errors."""
from __future__ import annotations

import os

import pytest

from statestream.errors import SpecError
from statestream.graph import load_graph
from tests.conftest import EXAMPLES

DEMO = os.path.join(EXAMPLES, "demo.st_graph")


def _demo_with(text: str, tmp_path) -> str:
    path = tmp_path / "g.st_graph"
    path.write_text(open(DEMO).read() + "metavariables:\n" + text)
    return str(path)


def test_good_definitions_are_kept(tmp_path):
    graph = load_graph(_demo_with(
        "    h1:\n        type: scalar_stats\n        source: [hidden1, image_hidden1/W_0_0]\n"
        "        stats: [mean, l2]\n"
        "    sal:\n        type: saliency_grad\n        source: image\n"
        "        target: prediction\n        feature: 3\n", tmp_path))
    assert set(graph.extras["metavariables"]) == {"h1", "sal"}
    assert not [w for w in graph.warnings if "metavariables" in str(w)]


@pytest.mark.parametrize("body, line, words", [
    ("    m:\n        type: scalar_stats\n        source: nope\n", 3, "no neuron-pool"),
    ("    m:\n        type: nothing\n        source: hidden1\n", 2, "type must be one of"),
    ("    m:\n        type: scalar_stats\n        source: hidden1\n        stats: [mode]\n",
     4, "unknown statistic 'mode'"),
    ("    m:\n        type: saliency_grad\n        source: prediction\n"
     "        target: image\n", 4, "no path"),
    ("    m:\n        type: bivariate_metric\n        source: [hidden1, hidden2]\n"
     "        metric: fancy\n", 4, "unknown metric"),
    ("    hidden1:\n        type: scalar_stats\n        source: hidden1\n", 1,
     "has the name of an item"),
])
def test_mistakes_name_file_line_and_item(tmp_path, body, line, words):
    path = _demo_with(body, tmp_path)
    first = sum(1 for _ in open(DEMO)) + 1  # the metavariables: line
    with pytest.raises(SpecError) as info:
        load_graph(path)
    text = str(info.value.problems[0])
    assert text.startswith(f"{path}:{first + line}: "), text
    assert words in text


def test_graph_metavariables_run_with_the_session(tmp_path):
    import statestream

    path = _demo_with("    p:\n        type: scalar_stats\n        source: prediction\n"
                      "        stats: [max]\n        period: 2\n", tmp_path)
    with statestream.open(path, learning=False) as session:
        session.step(3)  # frames 0, 1, 2
        frames, values = session.metavariable("p", 2)
        assert list(frames) == [0, 2]
        assert values[-1, 0, 0] == pytest.approx(float(session.state("prediction").max()))
        assert session.metavariables()[0]["definition"]["period"] == 2
