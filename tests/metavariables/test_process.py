"""The meta-variable process: values of exactly one frame, its parameter ring, its end."""
from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import statestream
from statestream.errors import UserError
from statestream.runtime import shm

W = "hidden2_hidden3/W_0_0"


def _ring_files(sid: str) -> list:
    return [p for p in shm.session_files(sid) if ".mv" in os.path.basename(p)]


def test_parameter_values_belong_to_their_frame_while_learning():
    with statestream.open("demo", seed=1) as session:
        session.step(8)  # learning starts once the plasticity has its frames
        session.add_metavariable("w", "scalar_stats", source=W, stats=["mean", "max"])
        seen = {}
        for _ in range(6):
            frame = session.step(1)
            seen[frame] = session.param(*W.split("/"))
        session.step(3)  # the process may lag behind the network
        frames, values = session.metavariable("w", 9)
        assert len(frames) == 9 and frames[-1] == session.frame and list(frames) == sorted(frames)
        changed = [seen[f] for f in sorted(seen)]
        assert any(not np.array_equal(a, b) for a, b in zip(changed, changed[1:]))  # learns
        for frame, value in zip(frames, values):
            if int(frame) in seen:
                w = seen[int(frame)].astype(np.float64)
                np.testing.assert_allclose(value[0], [w.mean(), w.max()], rtol=1e-6)


def test_the_parameter_ring_is_a_session_file_removed_with_its_meta_variables():
    with statestream.open("demo", seed=0, learning=False) as session:
        sid = session.id
        session.add_metavariable("h", "scalar_stats", source="hidden3", stats="max")
        assert _ring_files(sid) == []  # only states: no parameter ring
        session.add_metavariable("w", "scalar_stats", source=W, stats="max")
        session.step(2)
        assert len(_ring_files(sid)) == 1
        session.remove_metavariable("w")
        assert _ring_files(sid) == []
        session.add_metavariable("w", "scalar_stats", source=W, stats="max")
        session.step(1)
        assert len(_ring_files(sid)) == 1
    assert shm.session_files(sid) == []


def test_a_killed_process_switches_meta_variables_off_and_the_session_goes_on():
    with statestream.open("demo", seed=0, learning=False) as session:
        sid = session.id
        session.add_metavariable("w", "scalar_stats", source=W, stats="max")
        session.add_metavariable("sal", "saliency_grad", source="image", target="prediction")
        session.step(6)
        assert session.metavariable("sal", 1)[0][0] == session.frame
        process = session.core.metavariables.proc
        os.kill(process.pid, signal.SIGKILL)
        process.join(10)
        session.step(8)  # no hang, no failure
        infos = {m["name"]: m for m in session.metavariables()}
        assert all("meta-variable process ended (killed by signal 9)" in infos[n]["error"]
                   for n in ("w", "sal")), infos
        reply = session.command("mv add x scalar_stats source=hidden1")
        assert reply.startswith("error: x: the meta-variable process ended") and "\n" not in reply
        with pytest.raises(UserError):
            session.add_metavariable("y", "scalar_stats", source="hidden1")
        assert session.state("hidden1").shape[0] == 128
    assert shm.session_files(sid) == []


def test_polling_while_streaming_answers_values_in_so_far_and_all_once_paused():
    import time

    with statestream.open("demo", seed=0, learning=False) as session:
        session.add_metavariable("h", "scalar_stats", source="hidden1", stats=["mean", "max"])
        session.add_metavariable("sal", "saliency_grad", source="image", target="prediction")
        session.stream()
        last = -1
        deadline = time.monotonic() + 60
        while last < 40 and time.monotonic() < deadline:
            frames, values = session.metavariable("h", 4)
            if len(frames):
                assert list(frames) == sorted(frames) and int(frames[-1]) >= last
                assert np.all(np.isfinite(values))
                last = int(frames[-1])
            time.sleep(0.01)
        assert last >= 40
        session.pause()
        time.sleep(0.2)
        frame = session.frame
        for name in ("h", "sal"):
            frames, _ = session.metavariable(name, 3)
            assert list(frames) == [frame - 2, frame - 1, frame], name


def _frames_sent(period: int, frames: int) -> list:
    """The frame lists the host sends for ``frames`` frames of one meta-variable, driving
    its hooks as the core does (during_read(k), then after_frame(k))."""
    from collections import deque
    from types import SimpleNamespace

    from statestream.metavariables.host import MetaHost

    sent = []
    host = MetaHost.__new__(MetaHost)
    host.__dict__.update(
        mvs={"a": SimpleNamespace(name="a", error=None, every_frame=False,
                                  spec=SimpleNamespace(period=period))},
        pending=deque(), late=deque(), outbox=[], unsent=None, gone=None, closed=False,
        params=None, conn=SimpleNamespace(send=sent.append))
    for k in range(frames):
        host.during_read(k)
        host.after_frame(k)
    return [[k for k, _ in message[1]] for message in sent]


def test_frames_go_two_a_message_but_a_lone_due_frame_does_not_wait():
    """Frame k is stored while the items read for k + 1 (its parameters hold still then)
    and sent with the next one; a due frame whose next frame is not due goes alone."""
    assert _frames_sent(1, 7) == [[0, 1], [2, 3], [4, 5]]
    assert _frames_sent(5, 13) == [[0], [5], [10]]  # sent at frames 2, 7, 12
    assert _frames_sent(2, 7) == [[0], [2], [4]]
