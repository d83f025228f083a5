"""Epoch mode on a 37-sample set with several agents; synthetic replacement of every
dataset type; upstream graphs reading tiny datasets through --data-root."""
from __future__ import annotations

import os

import numpy as np
import pytest

from statestream.interfaces.catalogue import INTERFACE_TYPES

from ..conftest import UPSTREAM, needs_shared
from .helpers import coded_mnist, make, mnist_identity, run, write_cifar, write_mnist

NPS = {"mnist_image": (1, 28, 28), "mnist_label": (10, 1, 1), "mnist_pred": (10, 1, 1)}


@pytest.mark.parametrize("agents", [3, 5, 8])
def test_epoch_mode_visits_each_of_37_samples_once_per_epoch(tmp_path, agents):
    path = write_mnist(tmp_path / "m.pkl.gz", coded_mnist((37, 4, 3)))
    keys = f"source_file: {path}\nmin_duration: 1\nmax_duration: 3\nfading: 0"
    iface = make("mnist", NPS, keys, agents=agents, inputs=("mnist_pred",))
    shown, fired = [], []
    for k in range(130):
        out = iface.step(k, {}, {"mode": 2}, 0)
        shown += [mnist_identity(out["mnist_image"][a], 0)
                  for a in np.flatnonzero(out["_trigger_"])]
        if out["_epoch_trigger_"][0]:
            fired.append(k)
    epochs = len(shown) // 37
    assert epochs >= 3 and len(fired) >= epochs - 1
    for e in range(epochs):
        assert sorted(shown[e * 37:(e + 1) * 37]) == list(range(37))


DATASET_TYPES = sorted(t for t, info in INTERFACE_TYPES.items() if info.needs_data)


@pytest.mark.parametrize("itype", DATASET_TYPES)
def test_synthetic_inputs_replace_every_dataset_type(itype):
    info = INTERFACE_TYPES[itype]
    nps = {t: (10 if t in info.inputs else 3, 4, 4) for t in info.inputs + info.outputs}
    fake = make(itype, nps, "source_path: /absent\nsource_file: /absent\nimage_path: /a\n"
                "label_path: /a", inputs=info.inputs, outputs=info.outputs, synthetic=True)
    assert type(fake).__name__ == "SyntheticSource"
    assert ("_epoch_trigger_" in fake.variables) == info.epochs
    for out in run(fake, 3, params={"mode": 2}):
        assert {n: v.shape for n, v in out.items()} == fake.variables


UPSTREAM_DATA_GRAPHS = ["mnist_small.st_graph", "test_interface_mnist.st_graph",
                        "cifar10_small.st_graph", "test_interface_cifar10.st_graph"]


@needs_shared
@pytest.mark.parametrize("name", UPSTREAM_DATA_GRAPHS)
def test_upstream_graphs_run_on_tiny_data_found_through_data_root(tmp_path, monkeypatch,
                                                                  capsys, name):
    from statestream.cli import main

    write_mnist(tmp_path / "mnist.pkl.gz", coded_mnist())
    write_cifar(tmp_path / "cifar-10-batches-py")
    monkeypatch.setenv("STATESTREAM_DATA_ROOT", "/absent")  # the option takes precedence
    path = os.path.join(UPSTREAM, "examples", name)
    code = main(["simulate", path, "--frames", "3", "--agents", "2", "--threads", "1",
                 "--backend", "torch", "--data-root", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    assert "simulated 3 frames" in capsys.readouterr().out
