"""Core hooks: what runs between frames and what runs while the items work."""
from __future__ import annotations

import pytest

import statestream
from statestream.graph import parse_graph
from statestream.runtime import control as C
from tests.api.test_defects import GRAPH  # a plasticity: the read phase runs


class Recorder:
    name = "recorder"

    def __init__(self, session, fail_at=None):
        self.ctl, self.calls, self.fail_at = session.memory.ctl, [], fail_at

    def _note(self, what, k):
        self.calls.append((what, k, int(self.ctl[C.PHASE])))

    def before_frame(self, k):
        self._note("before", k)

    def during_read(self, k):
        self._note("read", k)

    def during_write(self, k):
        self._note("write", k)
        if k == self.fail_at:
            raise RuntimeError("hook broke")

    def after_frame(self, k):
        self._note("after", k)


def test_hooks_run_in_order_and_in_their_phase():
    with statestream.open(parse_graph(GRAPH), seed=0) as session:
        hook = Recorder(session)
        session.core.add_hook(hook)
        first = session.step(3) - 2
        calls = hook.calls
    assert [c[:2] for c in calls] == [(what, k) for k in range(first, first + 3)
                                      for what in ("before", "read", "write", "after")]
    phases = {what: {c[2] for c in calls if c[0] == what} for what, _, _ in calls}
    assert phases["read"] == {C.PHASE_READ} and phases["write"] == {C.PHASE_WRITE}
    assert phases["before"] == phases["after"] == {C.PHASE_IDLE}


def test_a_hook_that_fails_while_the_items_write_stops_the_session_naming_it():
    with statestream.open(parse_graph(GRAPH), seed=0) as session:
        hook = Recorder(session, fail_at=2)
        session.core.add_hook(hook)
        with pytest.raises(Exception, match="recorder") as failed:
            session.step(5)
        assert "hook broke" in str(failed.value)
        assert ("after", 2, C.PHASE_IDLE) not in hook.calls


class SeqRecorder:
    """Records whether consistent readers would wait (WRITE_SEQ odd) while it runs."""
    name = "seq"

    def __init__(self, session, changes_inputs):
        self.ctl, self.odd = session.memory.ctl, []
        self.changes_inputs = changes_inputs

    def before_frame(self, k):
        self.odd.append(("before", int(self.ctl[C.WRITE_SEQ]) % 2))

    def after_frame(self, k):
        self.odd.append(("after", int(self.ctl[C.WRITE_SEQ]) % 2))


@pytest.mark.parametrize("changes", [True, False])
def test_readers_wait_while_a_hook_may_change_parameters(changes):
    with statestream.open(parse_graph(GRAPH), seed=0) as session:
        hook = SeqRecorder(session, changes)
        session.core.add_hook(hook)
        session.step(2)
        assert {odd for _, odd in hook.odd} == {int(changes)}
        assert int(session.memory.ctl[C.WRITE_SEQ]) % 2 == 0


def test_neuron_pools_mark_the_frame_of_their_last_parameter_update():
    with statestream.open(parse_graph(GRAPH), seed=0) as session:
        frame = session.step(3)
        marks = session.memory.proc("param_seq")
        trained = {row["name"] for row in session.core.table if row["kind"] == "np"
                   and marks[session.memory.index[row["name"]]]}
        assert trained  # the plasticity trains some neuron-pool's parameters
        assert all(marks[session.memory.index[n]] == 2 * frame + 2 for n in trained)
