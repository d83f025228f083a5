"""Expansion: import (paths, search path, cycles), modules, tag_specs, globals."""
from __future__ import annotations

import pytest

from statestream.errors import SpecError
from statestream.graph import load_graph, parse_graph

BASE = """
name: base
agents: 4
globals:
    width: 8
neuron_pools:
    a: {shape: [2, 8, 8], tags: [in]}
    b: {shape: [3, 8, 8], tags: [hid]}
synapse_pools:
    a_b: {source: [[a]], target: b, rf: 3, tags: [hid]}
modules:
    pair:
        neuron_pools:
            x: {shape: [1, _size, _size]}
tag_specs:
    hid: {act: relu}
"""


@pytest.fixture
def base(tmp_path):
    (tmp_path / "lib").mkdir()
    path = tmp_path / "lib" / "base.st_graph"
    path.write_text(BASE)
    return path


def test_import_relative_to_the_importing_file(base, write_graph):
    path = write_graph("""
        name: user
        agents: 4
        import:
        - [lib/base, neuron_pools]
        - [lib/base.st_graph, synapse_pools]
        neuron_pools:
            a: {shape: [2, 8, 8], act: tanh}
        """)
    graph = load_graph(path)
    assert graph.neuron_pools["a"].tags == ("in",)  # missing keys are merged in
    assert graph.neuron_pools["a"].act.text == "tanh"
    assert graph.neuron_pools["b"].shape == (3, 8, 8)
    assert "a_b" in graph.synapse_pools
    assert str(base) in graph.sources


def test_import_by_tag_modules_and_tag_specs(base, write_graph):
    path = write_graph("""
        name: user
        agents: 4
        import:
        - [lib/base, neuron_pools.hid]
        - [lib/base, modules]
        - [lib/base, tag_specs.hid]
        - [lib/base, globals.width]
        pair:
            p: {size: width}
        """)
    graph = load_graph(path)
    assert list(graph.neuron_pools) == ["b", "p_x"]
    assert graph.neuron_pools["b"].act.text == "relu"
    assert graph.neuron_pools["p_x"].shape == (1, 8, 8)


def test_import_whole_items_by_plain_tag(base, write_graph):
    path = write_graph("""
        name: user
        agents: 4
        import:
        - [lib/base, in]
        """)
    assert list(load_graph(path).neuron_pools) == ["a"]


def test_import_from_statestream_path(tmp_path, monkeypatch, write_graph):
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "shared_parts.st_graph").write_text(BASE)
    monkeypatch.setenv("STATESTREAM_PATH", str(other))
    path = write_graph("name: u\nagents: 2\nimport:\n- [shared_parts, neuron_pools]\n",
                       name="sub.st_graph")
    assert set(load_graph(path).neuron_pools) == {"a", "b"}


def test_import_from_package_examples(write_graph):
    path = write_graph("name: u\nagents: 2\nimport:\n- [demo, neuron_pools]\n")
    assert "prediction" in load_graph(path).neuron_pools


def test_import_cycle_is_an_error(tmp_path):
    (tmp_path / "one.st_graph").write_text("name: one\nagents: 1\nimport:\n- [two, modules]\n")
    (tmp_path / "two.st_graph").write_text("name: two\nagents: 1\nimport:\n- [one, modules]\n")
    with pytest.raises(SpecError) as info:
        load_graph(str(tmp_path / "one.st_graph"))
    (problem,) = info.value.problems
    assert "import cycle: one.st_graph -> two.st_graph -> one.st_graph" in problem.message
    assert problem.pos.file.endswith("two.st_graph") and problem.pos.line == 4


def test_errors_inside_an_imported_file_name_that_file(tmp_path, write_graph):
    (tmp_path / "bad.st_graph").write_text("name: bad\nagents: 1\nneuron_pools:\n  z: {shape: [0]}\n")
    path = write_graph("name: u\nagents: 2\nimport:\n- [bad, neuron_pools]\n")
    with pytest.raises(SpecError) as info:
        load_graph(path)
    (problem,) = info.value.problems
    assert problem.pos.file.endswith("bad.st_graph") and problem.pos.line == 4
    assert problem.item == "z"


MODULES = """
name: m
agents: 2
modules:
    block:
        neuron_pools:
            hid: {shape: _shape, tags: [_tag]}
            out: {shape: [3]}
        synapse_pools:
            in_hid:
                source: [[_input, hid]]
                target: hid
                rf: [[_rf, 1]]
            hid_out: {source: [[hid]], target: out, share params: {W_0_0: [_owner, W_0_0]}}
        plasticities:
            learn:
                type: loss
                loss_function: MSE
                source: out
                source_t: 2
                target: out
                parameter: [[sp, hid_out, W_0_0], [np, hid, b]]
        interfaces:
            data:
                type: random
                distribution: normal
                out: [random]
                remap: {random: hid}
neuron_pools:
    image: {shape: [1, 4, 4]}
synapse_pools:
    owner: {source: [[one_hid]], target: one_out}
block:
    one: {shape: [2, 4, 4], tag: first, input: image, rf: 3, owner: owner}
"""


def test_module_instances():
    graph = parse_graph(MODULES)
    hid = graph.neuron_pools["one_hid"]
    assert hid.shape == (2, 4, 4) and hid.tags == ("first",)
    sp = graph.synapse_pools["one_in_hid"]
    assert sp.source == (("image", "one_hid"),) and sp.rf == ((3, 1),) and sp.target == "one_hid"
    assert graph.synapse_pools["one_hid_out"].share_params == {"W_0_0": ("owner", "W_0_0")}
    plast = graph.plasticities["one_learn"]
    assert plast.source == "one_out"
    assert [tuple(p) for p in plast.parameter] == [("sp", "one_hid_out", "W_0_0"),
                                                   ("np", "one_hid", "b")]
    assert graph.interfaces["one_data"].remap == {"random": "one_hid"}
    assert "block" not in graph.to_dict()


def test_explicit_items_win_over_module_items():
    text = MODULES.replace("    image: {shape: [1, 4, 4]}\n",
                           "    image: {shape: [1, 4, 4]}\n    one_out: {shape: [3], act: tanh}\n")
    graph = parse_graph(text)
    assert graph.neuron_pools["one_out"].act.text == "tanh"


def test_tag_specs_do_not_overwrite():
    graph = parse_graph("""
name: t
agents: 2
tag_specs:
    conv: {act: relu, shape: [4, 2, 2]}
    late: {act: tanh}
neuron_pools:
    a: {tags: [conv, late]}
    b: {tags: [conv], act: sigmoid}
""")
    assert graph.neuron_pools["a"].act.text == "relu"  # earlier tag spec wins
    assert graph.neuron_pools["a"].shape == (4, 2, 2)
    assert graph.neuron_pools["b"].act.text == "sigmoid"  # the item's own value wins


def test_globals_whole_identifiers_and_numbers():
    graph = parse_graph("""
name: t
agents: n_agents
globals:
    n_agents: 3
    res: 8
    rf: 3
    glob_rf: 5
    half: res // 2
    activation: tanh
    flag: True
neuron_pools:
    a: {shape: [1, res, res], act: activation}
    b: {shape: [2, half, half], act: "B.relu($, thresh=0.1 * rf)"}
synapse_pools:
    s: {source: [[a]], target: b, rf: glob_rf, dilation: [[int(rf / 2)]]}
""")
    assert graph.agents == 3
    assert graph.neuron_pools["a"].shape == (1, 8, 8)
    assert graph.neuron_pools["a"].act.text == "tanh"
    assert graph.neuron_pools["b"].shape == (2, 4, 4)
    assert graph.neuron_pools["b"].act.text == "B.relu($, thresh=0.1 * 3)"
    assert graph.synapse_pools["s"].rf == ((5,),)
    assert graph.synapse_pools["s"].dilation == ((1,),)


def test_strings_without_globals_are_not_evaluated():
    graph = parse_graph("""
name: t
agents: 2
globals: {unused: 1}
neuron_pools:
    a: {shape: [2], act: Id, tags: ["True", "1 + 1"]}
""")
    assert graph.neuron_pools["a"].tags == ("True", "1 + 1")
