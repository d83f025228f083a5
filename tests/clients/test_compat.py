"""Clients written in the original's style (STCClient, shm.dat, IPC flags) run unchanged."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import statestream
from statestream.errors import UserError
from statestream.runtime import snapshot

from .helpers import write_setup

PROBE = '''
import numpy as np
from statestream.utils.core_client import STCClient
from statestream.utils.shared_memory_layout import SharedMemoryLayout


class CClient_probe(STCClient):
    def __init__(self, name, net, param, session_id, IPC_PROC):
        STCClient.__init__(self, name, net, param, session_id, IPC_PROC)
        self.frames = 0

    def writeout(self):
        self.frames += 1
        if self.frames == 6:
            shape = self.net["neuron_pools"]["hidden"]["shape"]
            state = self.shm.dat["hidden"]["state"]
            trig = self.shm.dat["digits"]["variables"]["_trigger_"]
            lay = self.shm.layout["classification"]["parameter"]["lr"]
            self.mesg.append("shape %s state %s trigger %s lr layout %s" % (
                list(shape), list(state.shape), list(trig.shape),
                isinstance(lay, SharedMemoryLayout)))
            state[...] = 0.0
            self.shm.dat["hidden_prediction"]["parameter"]["W_0_0"][...] = 0.25
            self.shm.dat["digits"]["parameter"]["mode"][0] = 1
            self.shm.dat["classification"]["parameter"]["lr"][0] = 0.005
            self.IPC_PROC["pause"][self.shm.proc_id["classification"][0]] = 1
            path = self.param["core"]["save_path"] + "/model.st_net"
            for i, c in enumerate(path):
                self.IPC_PROC["string"][i] = ord(c)
            self.IPC_PROC["instruction len"].value = len(path)
            self.IPC_PROC["save/load"].value = 1
        if self.frames == 9:
            self.IPC_PROC["gui request"][0] = 1
'''

CRASHER = '''
from statestream.utils.core_client import STCClient


class CClient_crasher(STCClient):
    def writeout(self):
        if self.shm.dat["label"]["state"].shape[0] == 8:
            1 / 0
'''


def test_reads_and_writes_through_shm_and_ipc(tmp_path):
    path = write_setup(tmp_path, "probe: {type: probe, state: true}\n", {"probe": PROBE})
    with statestream.open(path, seed=0, out=str(tmp_path)) as session:
        session.step(6)
        before = session.state("prediction")
        assert not np.allclose(before, 0.1, atol=1e-4)
        session.step(1)  # the client wrote after frame 5; frame 6 sees it
        assert np.allclose(session.state("prediction"), 0.1, atol=1e-6)
        # the write landed; at most the one update the plasticity sent before its pause
        assert np.allclose(session.param("hidden_prediction", "W_0_0"), 0.25, atol=2e-3)
        assert session.param("classification", "lr") == pytest.approx(0.005)
        assert "classification  plast" in session.command("items")
        assert [r for r in session.command("items").splitlines()
                if r.startswith("classification")][0].endswith("paused")
        saved = snapshot.load(os.path.join(tmp_path, "model.npz"))
        assert int(saved["meta/frame"]) == 6
        message = session.command("ccmsg")
        assert "probe: shape [16, 1, 1] state [8, 16, 1, 1] trigger [8] lr layout True" \
            in message
        session.step(1)
        labels = session.state("label").reshape(8, 10)
        assert np.all(labels == labels[0])  # single mode: every agent shows agent 0's image
        with pytest.raises(UserError, match="ended"):
            session.step(5, timeout=20)


def test_a_client_that_raises_stops_the_session_naming_it(tmp_path):
    path = write_setup(tmp_path, "crasher: {type: crasher, state: true}\n",
                       {"crasher": CRASHER})
    with statestream.open(path, out=str(tmp_path)) as session:
        with pytest.raises(UserError, match="item crasher failed") as info:
            session.step(3, timeout=20)
    assert "ZeroDivisionError" in str(info.value) and "Traceback" in str(info.value)


def test_headless_run_reports_the_failing_client(tmp_path):
    path = write_setup(tmp_path, "crasher: {type: crasher, state: true}\n",
                       {"crasher": CRASHER})
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    result = subprocess.run([sys.executable, "-m", "statestream", "run", path, "--headless",
                             "--frames", "20"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 1
    assert "item crasher failed" in result.stderr
    assert "core_clients/crasher.py" in result.stderr and "ZeroDivisionError" in result.stderr
