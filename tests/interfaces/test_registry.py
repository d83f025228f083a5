"""create / interface_class: built-ins, plugins, errors, synthetic inputs, upstream graphs."""
from __future__ import annotations

import importlib.metadata
import os
import sys
import textwrap

import numpy as np
import pytest

from statestream import interfaces
from statestream.errors import UserError
from statestream.interfaces import (InterfaceNotImplemented, UnknownInterface, create,
                                    interface_class)
from statestream.interfaces.base import Interface
from statestream.interfaces.catalogue import INTERFACE_TYPES
from statestream.graph import load_graph

from ..conftest import UPSTREAM
from .helpers import graph_text, make, run

EXAMPLES = os.path.join(UPSTREAM, "examples")
GRAPHS = sorted(os.path.join(EXAMPLES, f) for f in os.listdir(EXAMPLES)
                if f.endswith(".st_graph")) if os.path.isdir(EXAMPLES) else []

PLUGIN = '''
import numpy as np
from statestream.interfaces.base import Interface

class Constant(Interface):
    def __init__(self, item, graph, seed):
        super().__init__(item, graph, seed)
        self.add_param("value", 2.0)

    def _step(self, frame, inputs, params, split):
        out = {t: np.full(s, params["value"], np.float32) for t, s in self.out_shapes.items()}
        out["_trigger_"] = np.zeros(self.agents, np.float32)
        return out
'''


def test_built_in_classes():
    for name in ("roman_numerals", "random", "oscillator", "moving_edges", "mnist", "cifar10"):
        assert issubclass(interface_class(name), Interface)
    assert interface_class("mnist").needs_data and not interface_class("random").needs_data


def test_unknown_type_message():
    text = graph_text("nosuch", {"x": (1, 1, 1)})
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "type: nosuch" in s)
    with pytest.raises(UnknownInterface) as info:
        make("nosuch", {"x": (1, 1, 1)}, file="g.st_graph")
    message = str(info.value)
    assert message.startswith(f"g.st_graph:{line}: source: interface type 'nosuch' not found")
    assert "\n" not in message and isinstance(info.value, UserError)
    with pytest.raises(UnknownInterface, match="not found: No module named"):
        make("no_such_package.module:Thing", {"x": (1, 1, 1)})


@pytest.mark.parametrize("itype", sorted(interfaces.catalogue.NOT_IMPLEMENTED))
def test_not_implemented_types(itype):
    info = INTERFACE_TYPES[itype]
    nps = {t: (4, 3, 3) for t in info.inputs + info.outputs}
    with pytest.raises(InterfaceNotImplemented) as info_:
        make(itype, nps, inputs=info.inputs, outputs=info.outputs)
    assert f"interface type '{itype}' is not implemented yet; pass --synthetic-inputs" in str(
        info_.value)
    fake = make(itype, nps, inputs=info.inputs, outputs=info.outputs, synthetic=True)
    for out in run(fake, 3):
        assert {n: v.shape for n, v in out.items()} == fake.variables


def test_plugin_by_module_path(tmp_path, monkeypatch):
    (tmp_path / "my_plugin_ifs.py").write_text(textwrap.dedent(PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path))
    iface = make("my_plugin_ifs:Constant", {"x": (2, 1, 1)}, "value: 5.0")
    assert iface.params["value"] == 5.0
    assert np.all(iface.step(0, {}, {}, 0)["x"] == 5.0)
    sys.modules.pop("my_plugin_ifs", None)


def test_plugin_by_entry_point(tmp_path, monkeypatch):
    (tmp_path / "my_plugin_eps.py").write_text(textwrap.dedent(PLUGIN))
    monkeypatch.syspath_prepend(str(tmp_path))
    point = importlib.metadata.EntryPoint("constant", "my_plugin_eps:Constant",
                                          interfaces.ENTRY_POINT_GROUP)
    real = importlib.metadata.entry_points

    def fake(**kwargs):
        if kwargs.get("group") == interfaces.ENTRY_POINT_GROUP:
            return [point]
        return real(**kwargs)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake)
    assert interface_class("constant").__name__ == "Constant"
    sys.modules.pop("my_plugin_eps", None)


def test_bad_keys_are_user_errors():
    with pytest.raises(UserError, match="max_duration must not be smaller"):
        make("roman_numerals", {"rn_image": (1, 8, 8)}, "min_duration: 5\nmax_duration: 4")
    with pytest.raises(UserError, match="mode must lie in"):
        make("roman_numerals", {"rn_image": (1, 8, 8)}, "mode: 2")
    with pytest.raises(UserError, match="rn_label needs a neuron-pool with 10 features"):
        make("roman_numerals", {"rn_label": (3, 1, 1)})


def dataset_free(graph):
    return all(not INTERFACE_TYPES[i.type].needs_data and i.type not in
               interfaces.catalogue.NOT_IMPLEMENTED for i in graph.interfaces.values())


def loadable(path):
    try:
        return load_graph(path).with_agents(2)
    except UserError:
        return None


@pytest.mark.skipif(not GRAPHS, reason="../shared/graphs/upstream/examples is absent")
@pytest.mark.parametrize("path", GRAPHS, ids=[os.path.basename(p) for p in GRAPHS])
def test_upstream_graphs(path):
    graph = loadable(path)
    if graph is None or not graph.interfaces:
        pytest.skip("invalid graph or no interfaces")
    for synthetic in ((False, True) if dataset_free(graph) else (True,)):
        for item in graph.interfaces.values():
            iface = create(item, graph, seed=1, synthetic=synthetic)
            inputs = {t: np.zeros(s, np.float32) for t, s in iface.in_shapes.items()}
            for out in run(iface, 3, inputs=inputs):
                assert {n: v.shape for n, v in out.items()} == iface.variables
                assert all(v.dtype == np.float32 for v in out.values())
