"""savegraph / savenet files, the .st_net format and the shm browser's index parser."""
from __future__ import annotations

import os

import h5py
import numpy as np
import pytest

import statestream
from statestream import netfile
from statestream.errors import UserError
from statestream.graph import parse_graph
from statestream.terminal.commands import Terminal
from statestream.terminal.shm_browser import parse_index
from tests.terminal.helpers import SMALL_GRAPH


@pytest.fixture(scope="module")
def small():
    with statestream.open(parse_graph(SMALL_GRAPH), seed=0) as session:
        yield session, Terminal(session, owner=True)


def test_savegraph_rereads_to_an_equal_graph_with_current_values(small, tmp_path):
    session, terminal = small
    assert terminal.execute("set out noise_std 0.25").ok
    path = tmp_path / "now.st_graph"
    assert terminal.execute(f"savegraph {path}").ok
    text = path.read_text()
    assert "out.noise_std 1 -> 0.25" in text  # the manipulation log as comments
    expected = parse_graph(SMALL_GRAPH).to_dict()
    expected["neuron_pools"]["out"]["noise_std"] = 0.25
    assert parse_graph(text).to_dict() == expected
    assert terminal.execute("set out noise_std 1").ok


def test_savenet_is_hdf5_with_every_array_and_the_graph(small, tmp_path):
    session, terminal = small
    session.step(3)
    path = tmp_path / "n.st_net"
    assert terminal.execute(f"savenet {path}").ok
    with h5py.File(path, "r") as data:
        assert data.attrs["format_version"] == netfile.FORMAT_VERSION
        assert parse_graph(str(data.attrs["graph_yaml"])).name == "small"
        np.testing.assert_array_equal(data["np/src"][()], session.state("src"))
        assert int(data["meta/frame"][()]) == session.frame + 1
        assert "if/wave/__state__" in data
    assert [f for f in os.listdir(tmp_path) if f != "n.st_net"] == []  # no temporary left


def test_savenet_errors_are_one_line(small, tmp_path):
    _, terminal = small
    missing = terminal.execute(f"savenet {tmp_path}/no/such/folder/x")
    assert not missing.ok and "does not exist" in missing.text
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):
        pytest.skip("running as a user who may write anywhere")
    result = terminal.execute(f"savenet {locked}/x")
    assert not result.ok and "not writable" in result.text


def test_broken_net_files(tmp_path):
    with pytest.raises(UserError, match="file not found"):
        netfile.read(str(tmp_path / "none.st_net"))
    broken = tmp_path / "broken.st_net"
    broken.write_bytes(b"\x89HDF\r\n\x1a\n truncated")
    with pytest.raises(UserError, match="corrupted or not a statestream .st_net"):
        netfile.read(str(broken))
    other = tmp_path / "other.st_net"
    with h5py.File(other, "w") as data:
        data["x"] = np.zeros(2)
    with pytest.raises(UserError, match="no statestream format attribute"):
        netfile.read(str(other))


def test_shm_index_parser_takes_integers_and_slices_only():
    assert parse_index("0,:,1:5:2", 3) == (0, slice(None), slice(1, 5, 2))
    assert parse_index("[-1]", 2) == (-1,)
    for bad in ("0,__import__('os')", "1.5", "0,0,0,0,0", "a:b"):
        with pytest.raises(ValueError):
            parse_index(bad, 4)


def test_a_session_ended_elsewhere_ends_the_terminal():
    session = statestream.open(parse_graph(SMALL_GRAPH), seed=0)
    try:
        terminal = Terminal(session, owner=True)
        with statestream.attach(session.id) as tool:
            tool.exit()
        deadline = 50
        while deadline and not session._thread.join(0.1) and session._thread.is_alive():
            deadline -= 1
        result = terminal.execute("status")
        assert result.end == "gone" and "has ended" in result.text
    finally:
        session.close()
