"""Plasticities compute the next frame right after the reduce phase (items.PlastRunner):
whatever changes between frames reaches the next frame, as in the simulator."""
from __future__ import annotations

import numpy as np
import pytest

from statestream.runtime import control as C
from statestream.runtime.core import Core
from statestream.runtime.learning import round_hyper
from statestream.runtime.program import PAUSED, RUN
from statestream.runtime.simulator import Simulator
from tests.runtime.test_equivalence import _assert_identical
from tests.runtime.test_split import demo


class _Pair:
    """The runtime and the simulator on one graph, stepped together."""

    def __init__(self, graph, seed=5):
        self.sim = Simulator(graph, backend="torch", seed=seed, threads=1)
        self.core = Core(graph, backend="torch", seed=seed, threads=1)

    def frames(self, n: int) -> None:
        self.sim.run(n)
        for _ in range(n):
            self.core.frame()

    def command(self, text: str) -> None:
        assert self.core.commands.execute(text) == "ok", text


@pytest.mark.parametrize("workers", [1, 2])
def test_commands_between_frames_reach_the_very_next_frame(workers):
    pair = _Pair(demo(workers=workers, agents=4))
    sim, core = pair.sim, pair.core
    try:
        core.start()
        pair.frames(8)
        assert core.ahead  # nothing changed: frame 8 was computed right after frame 7
        pair.command("set classification lr 0.02")
        sim.hyper["classification"]["lr"] = round_hyper(0.02)
        pair.frames(1)
        _assert_identical(core.snapshot(), sim.snapshot())
        pair.command("split 2")
        sim.split = 2
        pair.frames(2)
        pair.command("pause classification")
        sim.mode["classification"] = PAUSED
        pair.frames(1)
        pair.command("resume classification")
        sim.mode["classification"] = RUN
        pair.frames(3)
        assert core.ahead
        _assert_identical(core.snapshot(), sim.snapshot())
        assert float(core.snapshot()["classification/loss1"]) > 0.0
    finally:
        core.shutdown()


class _ResetOptimizer:
    """A hook that resets the optimizer's state (the plasticity's variables) once."""

    name = "reset_optimizer"

    def __init__(self, core):
        self.core, self.calls = core, 0

    def before_frame(self, frame: int) -> None:
        self.calls += 1
        if self.calls == 1:
            for name in self.core.session.layout["arrays"]:
                if name.startswith("plast/classification/") and name.split("/")[-1][:2] in (
                        "t", "m.", "v."):
                    self.core.session.array(name).fill(0.0)


@pytest.mark.parametrize("workers", [1, 2])
def test_variables_changed_between_frames_reach_the_very_next_frame(workers):
    """A whole plasticity runs its optimizer ahead on its own copy of the variables: a
    change to the shared ones between frames must replace that copy."""
    pair = _Pair(demo(workers=workers, agents=4), seed=3)
    sim, core = pair.sim, pair.core
    try:
        core.start()
        pair.frames(9)
        assert core.ahead  # frame 9's optimizer step already ran on the old variables
        reset = _ResetOptimizer(core)
        core.add_hook(reset)
        core.session.ctl[C.STREAMING] = 1
        for name, value in sim.variables["classification"].items():
            if name == "t" or name[:2] in ("m.", "v."):
                value.fill(0.0)
        sim.run(1)
        core.stream(1, adapt=False)  # runs the hook before frame 9
        core.hooks.remove(reset)
        pair.frames(2)
        assert reset.calls == 1
        _assert_identical(core.snapshot(), sim.snapshot())
        assert float(core.snapshot()["classification/t"]) == 3.0  # counted from the reset
    finally:
        core.shutdown()


class _EveryFrame:
    """A hook that changes a setting in shared memory before every frame."""

    name = "every_frame"

    def __init__(self, core):
        self.core, self.calls = core, 0
        self.slot = core.session.layout["plast_hyper"]["classification"].index("lr")

    @staticmethod
    def lr(frame: int) -> float:
        return 0.001 * (1 + frame % 3)

    def before_frame(self, frame: int) -> None:
        self.calls += 1
        self.core.session.array("hyp/classification")[self.slot] = self.lr(frame)


def test_a_hook_changing_something_every_frame_turns_computing_ahead_off():
    pair = _Pair(demo(workers=2, agents=4), seed=2)
    sim, core = pair.sim, pair.core
    try:
        core.start()
        pair.frames(6)
        assert core.ahead
        hook = _EveryFrame(core)
        core.add_hook(hook)
        core.session.ctl[C.STREAMING] = 1
        for _ in range(5):  # stream() runs the hook before each frame
            sim.hyper["classification"]["lr"] = round_hyper(hook.lr(core.next_frame))
            sim.run(1)
            core.stream(1, adapt=False)
            assert not core.ahead
        assert hook.calls == 5
        _assert_identical(core.snapshot(), sim.snapshot())
        core.hooks.remove(hook)
        pair.frames(2)
        assert core.ahead  # back once a frame passes without changes
        _assert_identical(core.snapshot(), sim.snapshot())
    finally:
        core.shutdown()


class _Reader:
    """A hook that only reads between frames, and says so."""

    name = "reader"
    changes_inputs = False

    def __init__(self):
        self.frames = []

    def after_frame(self, frame: int) -> None:
        self.frames.append(frame)


def test_a_hook_that_only_reads_keeps_computing_ahead():
    pair = _Pair(demo(workers=2, agents=4), seed=3)
    sim, core = pair.sim, pair.core
    try:
        core.start()
        reader = _Reader()
        core.add_hook(reader)
        core.session.ctl[C.STREAMING] = 1
        sim.run(6)
        core.stream(6, adapt=False)
        assert core.ahead and reader.frames == list(range(6))
        _assert_identical(core.snapshot(), sim.snapshot())
    finally:
        core.shutdown()


def test_computing_ahead_or_not_gives_the_same_frames():
    graph = demo(workers=2, agents=4)
    snapshots = []
    for ahead in (True, False):
        core = Core(graph, backend="torch", seed=7, threads=1)
        core.compute_ahead = ahead
        try:
            core.start()
            for _ in range(12):
                core.frame()
            assert core.ahead is ahead
            snapshots.append(core.snapshot())
            rows = {row["item"]: row for row in core.profile()}
            assert rows["classification"]["write_ms"] > 0  # the ahead work is counted
        finally:
            core.shutdown()
    _assert_identical(*snapshots)
    assert np.any(snapshots[0]["classification/loss1"] > 0)


def test_an_error_computing_ahead_is_raised_in_the_write_phase_of_its_frame():
    from statestream.runtime.worker import build_runner

    core = Core(demo(workers=1, agents=2), backend="torch", seed=1, threads=1)
    try:
        core.start()
        for _ in range(8):
            core.frame()
        runner = build_runner(core.session, "classification", None)

        def boom(*args, **kwargs):
            raise ValueError("boom")

        runner.plast.gradients = boom
        frame = core.next_frame
        runner.take_inputs(frame)
        runner.ahead(frame)  # kept, not raised: the core is between frames
        with pytest.raises(ValueError, match="boom"):
            runner.write(frame)
        with pytest.raises(RuntimeError, match="inputs of frame .* were never taken"):
            runner.write(frame + 1)
    finally:
        core.shutdown()
