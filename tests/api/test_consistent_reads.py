"""A tool reading while the session streams always gets the arrays of one frame."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import statestream
from statestream.runtime.preflight import resolve_graph
from statestream.runtime.simulator import Simulator
from tests.conftest import ROOT

NPS = ["image", "label", "hidden1", "hidden2", "hidden3", "prediction"]
PARAMS = ["image_hidden1/W_0_0", "hidden1_hidden2/W_0_0", "hidden2_hidden3/W_0_0",
          "hidden3_prediction/W_0_0", "hidden1/b", "hidden2/b", "hidden3/b", "prediction/b"]
READER = """
import sys, numpy as np, statestream
tool = statestream.attach(sys.argv[1])
names, samples = sys.argv[3].split(","), {}
while len(samples) < int(sys.argv[4]):
    frame, arrays = tool.read(names)
    if frame >= 0 and frame not in samples:
        samples[frame] = arrays
np.savez(sys.argv[2], **{f"{f}|{n}": a for f, arrays in samples.items() for n, a in arrays.items()})
"""


@pytest.mark.parametrize("learning", [True, False], ids=["learning", "double-buffered"])
def test_every_read_equals_the_simulator_at_its_frame(tmp_path, learning):
    """With learning, parameters change in every write phase; without, the state rings
    are only two frames deep: both are where a careless copy tears."""
    graph = resolve_graph("demo").with_agents(32)
    names = NPS + (PARAMS if learning else []) + ["numerals/conf_mat"]
    out = tmp_path / "samples.npz"
    with statestream.open(graph, seed=0, threads=1, learning=learning) as session:
        session.stream()  # no delay: frames advance while the reader copies
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(READER), session.id,
                               str(out), ",".join(names), "40"], capture_output=True,
                              text=True, timeout=300, env=dict(os.environ, PYTHONPATH=ROOT))
        session.pause()
        assert done.returncode == 0, done.stderr
    data = np.load(out)
    samples: dict = {}
    for key in data.files:
        frame, name = key.split("|")
        samples.setdefault(int(frame), {})[name] = data[key]
    assert len(samples) >= 40
    sim = Simulator(graph, backend="torch", seed=0, threads=1, learning=learning)
    torn = []
    while sim.frame <= max(samples):
        sim.step()
        expected = samples.get(sim.frame - 1)
        if expected is None:
            continue
        states, params = sim.host_states(), sim.host_params()
        truth = {n: states[n] for n in NPS}
        truth.update({p: params[tuple(p.split("/"))] for p in PARAMS if learning})
        truth["numerals/conf_mat"] = sim.if_vars["numerals"]["conf_mat"]
        torn += [(sim.frame - 1, n) for n, v in truth.items()
                 if not np.array_equal(expected[n], v)]
    assert torn == [], f"{len(torn)} torn arrays, e.g. {torn[:5]}"
