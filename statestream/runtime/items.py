"""What a worker process does for its item in each phase of a frame.

Every runner reads only frame k-1 data (state rings are indexed by frame), writes only
what it owns, and follows the same rules as the reference simulator
(:mod:`statestream.runtime.frame`), so both compute bit-identical frames.
"""
from __future__ import annotations

import time

import numpy as np

from statestream.runtime import control as C
from statestream.runtime.frame import (CARRY, COMPUTE, ZERO, interface_feeds, interface_sum,
                                       is_due, item_action, np_write)
from statestream.runtime.learning import apply_deltas, param_bounds
from statestream.runtime.program import delta_order, is_recorded, plasticity_runs


class Runner:
    """Base: access to the item's row of the process tables."""

    needs_read = False  # True when read() has work: only then is it woken for the read phase
    ahead_s = 0.0  # seconds of the current frame's work done before its write phase

    def __init__(self, session, name: str):
        self.session = session
        self.name = name
        self.index = session.index[name]
        # memoryviews: indexing them gives plain ints, cheaper than numpy scalars
        self.period = memoryview(session.proc("period"))
        self.offset = memoryview(session.proc("offset"))
        self.pause = memoryview(session.proc("pause"))

    def due(self, frame: int) -> bool:
        return is_due(frame, self.period[self.index], self.offset[self.index])

    def mode(self) -> int:
        return self.pause[self.index]

    def read(self, frame: int) -> None:
        pass

    def write(self, frame: int) -> bool:
        """Returns whether the item computed (False when off-period or paused)."""
        return False

    def reduce(self, frame: int) -> None:
        """After the write phase (plasticities split into parts only)."""

    def save(self, path: str) -> None:
        pass

    def load(self, path: str) -> None:
        """After a live ``load``: take internal state from ``path`` if it exists."""


class NPRunner(Runner):
    """A neuron-pool: computes its incoming SPs and its next state."""

    def __init__(self, session, graph, name: str, B, seed: int, plasticities=()):
        from statestream.neuronal import build_np

        super().__init__(session, name)
        self.B, self.seed, self.graph = B, int(seed), graph
        self.update = build_np(name, graph, B)
        self.feeds = interface_feeds(graph)[name]
        self.reads = tuple(dict.fromkeys(self.update.reads + (name,)))
        self.zero_copy = B.zero_copy
        self.params = {}
        self.foreign = {}  # parameters owned by another process: copied in the read phase
        mine = {name} | {sp.name for sp in graph.incoming(name)}
        for key in self.update.param_keys:
            shm_view = session.param(*key)
            if key[0] in mine:
                self.params[key] = shm_view
            else:
                self.foreign[key] = (shm_view, np.empty_like(shm_view))
        self.mail = _mailboxes(session, self.params, plasticities)
        self.bounds = param_bounds(graph)
        self.needs_read = bool(self.foreign)
        self.ring = session.ring_depth
        ring = session.array(f"np/{name}")  # carries and zeros skip the backend
        self.own_slots = [(ring[s], _bytes(ring[s]), _bytes(ring[(s - 1) % self.ring]))
                          for s in range(self.ring)]
        self.mail_boxes = [(self.params[key], boxes, self.bounds[key])
                           for key, boxes in self.mail.items()]
        self.param_seq = memoryview(session.proc("param_seq"))
        if self.zero_copy:  # wrap every ring slot and parameter once: no per-frame wrapping
            slots = {n: [B.asarray(session.array(f"np/{n}")[s]) for s in range(self.ring)]
                     for n in self.reads}
            self.slot_states = [{n: slots[n][s] for n in self.reads} for s in range(self.ring)]
            self.param_arrays = {key: B.asarray(v) for key, v in self.params.items()}
            self.param_arrays.update({key: B.asarray(private)
                                      for key, (_, private) in self.foreign.items()})

    def read(self, frame: int) -> None:
        for shm_view, private in self.foreign.values():
            np.copyto(private, shm_view)

    def _inputs(self, frame: int):
        """Frame ``frame - 1`` states and the current parameters as backend arrays."""
        if self.zero_copy:
            return self.slot_states[(frame - 1) % self.ring], self.param_arrays
        asarray = self.B.asarray
        params = {key: asarray(v) for key, v in self.params.items()}
        params.update({key: asarray(private) for key, (_, private) in self.foreign.items()})
        return {n: asarray(self.session.state(n, frame - 1)) for n in self.reads}, params

    def write(self, frame: int) -> bool:
        due, mode = self.due(frame), self.mode()
        action = item_action(mode, due)
        out, out_bytes, last_bytes = self.own_slots[frame % self.ring]
        if action == CARRY:  # what np_write gives, without the backend
            out_bytes[:] = last_bytes
        elif action == ZERO:
            out.fill(0.0)
        else:
            B = self.B
            states, params = self._inputs(frame)
            if_input = (interface_sum(self.feeds, _IfFrame(self.session, frame - 1))
                        if self.feeds else None)
            with B.no_grad():
                new = np_write(B, self.update, states, params, if_input, frame, self.seed, mode,
                               due, self.graph)
            np.copyto(out, B.to_numpy(new))
        if self.mail_boxes:  # after computing: frame k used them
            seq = self.param_seq
            seq[self.index] = 2 * frame + 1  # consistent readers retry (runtime.reads)
            for param, deltas, bounds in self.mail_boxes:
                apply_deltas(param, deltas, bounds)
            seq[self.index] = 2 * frame + 2
        return action == COMPUTE


def _bytes(array: np.ndarray) -> memoryview:
    """A byte view of a C-contiguous array (slice assignment is a plain memcpy)."""
    return memoryview(array).cast("B")


def _mailboxes(session, owned: dict, plasticities) -> dict:
    """(owner, pname) -> [mailbox view] in the order deltas land. Plasticities fill them
    in the reduce phase; owners add them in the next write phase (nobody writes them
    then), so nothing is copied in a read phase."""
    out: dict = {}
    for key, plasts in delta_order(dict(plasticities)).items():
        if key in owned:
            for plast in plasts:
                out.setdefault(key, []).append(session.array(f"mail/{plast}/{key[0]}/{key[1]}"))
    return out


class PlastRunner(Runner):
    """A plasticity: reads recorded frames, writes parameter deltas into its mailboxes.

    Every plasticity process is woken for the reduce phase after the write phase: there
    the plasticity fills its mailboxes (part 0 of a split one runs the optimizer on the
    parts summed in order; a whole one ran it right after its gradients, on its own copy
    of the variables, and copies them back). Split into parts (``plast_parts``): each
    helper process ``<plast>.part<i>`` computes part i and leaves it in
    ``part/<plast>/<i>/*`` in the write phase. Helpers follow the plasticity's period,
    offset and pause.

    Ahead: right after the reduce phase of frame k-1 everything frame k's gradients
    depend on is final (recorded frames, parameters), unless something changes between
    the frames (a command, a hook); so the process copies its inputs then and computes
    frame k's gradients at once, while the core finishes the frame and starts the next.
    The core wakes it for the read phase of frame k only when something did change: the
    inputs are copied again and the gradients computed in the write phase. Nothing shared
    is written ahead: parts in the write phase, variables and mailboxes in the reduce
    phase."""

    needs_read = True

    def __init__(self, session, graph, name: str, B, seed: int, of: str | None = None,
                 part: int = 0):
        from statestream.plasticities import build_plasticity

        super().__init__(session, name)
        self.B, self.part = B, int(part)
        of = of or name
        self.index = session.index[of]  # gating follows the plasticity's row
        self.parts = int(session.layout.get("plast_parts", {}).get(of, 1))
        self.plast = build_plasticity(graph.plasticities[of], graph, B, seed, self.parts)
        self.part_out = [_part_views(session, of, i, self.plast.trained)
                         for i in range(1, self.parts)]
        self.result = None
        self.feeds = interface_feeds(graph)
        self.ring = session.ring_depth
        self.zero_copy = B.zero_copy
        self.rings = {n: session.array(f"np/{n}") for n in self.plast.reads}
        if self.zero_copy:  # wrap every ring slot once
            self.slots = {n: [B.asarray(ring[s]) for s in range(self.ring)]
                          for n, ring in self.rings.items()}
        self.shared = {key: session.param(*key) for key in self.plast.param_keys}
        self.private = {key: np.empty_like(v) for key, v in self.shared.items()}
        self.param_arrays = {key: B.asarray(v) for key, v in self.private.items()}
        self.hyper_names = list(self.plast.hyper)
        self.hyper_values = session.array(f"hyp/{of}")
        self.hyper = {}
        self.variables = {v: session.array(f"plast/{of}/{v}") for v in self.plast.variables}
        self.mail = {} if self.part else {key: session.array(f"mail/{of}/{key[0]}/{key[1]}")
                                          for key in self.plast.trained}
        self.mail_zero = False  # a loaded session may start with deltas in the mailboxes
        # a whole plasticity's copy of its variables for the optimizer it runs ahead; equal
        # to the shared ones once the reduce phase copied it back, renewed after a change
        self.own = {} if self.parts > 1 else {v: np.empty_like(a)
                                              for v, a in self.variables.items()}
        self.own_valid = False
        self.pending = None  # (frame, result) computed ahead
        self.history_from, self.runs_in, self.inputs_for = 0, 0, -1

    def read(self, frame: int) -> None:
        """Woken for the read phase: something changed since the gradients were computed
        ahead (or nothing was); take the inputs now, compute in the write phase."""
        self.pending = None
        self.own_valid = False  # a command may have changed them
        self.take_inputs(frame)

    def take_inputs(self, frame: int) -> None:
        """Copy what ``frame``'s gradients depend on (in a phase where nothing changes)."""
        for key, view in self.shared.items():  # owners update parameters in the write phase
            np.copyto(self.private[key], view)
        if not self.zero_copy:
            self.param_arrays = {key: self.B.asarray(v) for key, v in self.private.items()}
        if not self.own_valid:
            for name, own in self.own.items():
                np.copyto(own, self.variables[name])
            self.own_valid = True
        self.hyper = {h: float(v) for h, v in zip(self.hyper_names, self.hyper_values)}
        self.split = int(self.session.ctl[C.SPLIT])
        self.history_from = int(self.session.ctl[C.HISTORY_FROM])
        self.runs_in = self.mode()
        self.inputs_for = frame

    def ahead(self, frame: int) -> None:
        """After the reduce phase of ``frame - 1`` (inputs taken in it): ``frame``'s
        gradients. An error is kept for the write phase, where it is reported as always."""
        start = time.perf_counter()
        try:
            self.pending = (frame, self._compute(frame))
        except Exception as exc:  # noqa: BLE001 - raised in the write phase of ``frame``
            self.pending = (frame, exc)
            self.own_valid = False
        self.ahead_s = time.perf_counter() - start

    def _recorded(self, frame: int, np_name: str):
        if self.zero_copy:
            return self.slots[np_name][frame % self.ring]
        return self.B.asarray(self.rings[np_name][frame % self.ring])

    def _if_input(self, frame: int, np_name: str):
        feeds = self.feeds[np_name]
        return interface_sum(feeds, _IfFrame(self.session, frame)) if feeds else None

    def _compute(self, frame: int):
        """None when the plasticity does not run in ``frame``; else the part's (grads,
        loss1, loss0), or the deltas of a whole plasticity (its own variables updated)."""
        recorded = is_recorded(frame, self.plast.depth, self.history_from)
        if not plasticity_runs(self.runs_in, self.due(frame), self.plast.active(frame),
                               recorded):
            return None
        if self.parts > 1:
            return self.plast.part_gradients(self.part, frame, self._recorded,
                                             self._if_input, self.param_arrays,
                                             self.hyper, self.split)
        grads = self.plast.gradients(frame, self._recorded, self._if_input, self.param_arrays,
                                     self.hyper, self.own, self.split)
        return self.plast.finish(grads, self.hyper, self.own)  # posted in the reduce phase

    def write(self, frame: int) -> bool:
        """The gradients of ``frame`` (computed ahead, or now); a helper leaves its part.
        Part 0 and whole plasticities post in the reduce phase."""
        pending, self.pending = self.pending, None
        if pending is not None and pending[0] == frame:
            result = pending[1]
            if isinstance(result, Exception):
                raise result
        else:
            if self.inputs_for != frame:  # the core wakes us to read whenever this could be
                raise RuntimeError(f"{self.name}: inputs of frame {frame} were never taken")
            self.ahead_s = 0.0
            result = self._compute(frame)
        self.result = result
        if result is not None and self.part:  # a helper: leave the part for part 0
            grads, loss1, loss0 = result
            views, losses = self.part_out[self.part - 1]
            for key, view in views.items():
                np.copyto(view, grads[key])
            losses[0], losses[1] = loss1, loss0
        return result is not None

    def reduce(self, frame: int) -> None:
        """The optimizer step and the mailboxes (after the write phase, when every part is
        done and no owner reads the mailboxes); zeros once while the plasticity rests."""
        if self.part:
            return
        result, self.result = self.result, None
        if result is None:
            if not self.mail_zero:
                for box in self.mail.values():
                    box.fill(0.0)
                self.mail_zero = True
            return
        if self.parts > 1:  # the parts summed in order
            results = [result] + [(views, losses[0], losses[1])
                                  for views, losses in self.part_out]
            grads = self.plast.combine(results, self.variables)
            self._post(self.plast.finish(grads, self.hyper, self.variables))
            return
        for name, own in self.own.items():
            np.copyto(self.variables[name], own)
        self._post(result)

    def _post(self, deltas: dict) -> None:
        for key, box in self.mail.items():
            delta = deltas.get(key)
            if delta is None:
                box.fill(0.0)
            else:
                np.copyto(box, delta)
        self.mail_zero = False

    def load(self, path: str) -> None:
        self.mail_zero = False  # the loaded mailboxes may hold deltas
        self.pending = None
        self.own_valid = False


def _part_views(session, plast: str, part: int, trained) -> tuple:
    """({key: gradient view}, [loss1, loss0] view) of part ``part`` in shared memory."""
    views = {key: session.array(f"part/{plast}/{part}/{key[0]}/{key[1]}") for key in trained}
    return views, session.array(f"part/{plast}/{part}/loss")


class _IfFrame:
    """``if_vars``-like mapping over the interface rings of one frame."""

    def __init__(self, session, frame: int):
        self.session, self.frame = session, frame

    def __getitem__(self, iface):
        return _IfVars(self.session, iface, self.frame)


class _IfVars:
    def __init__(self, session, iface, frame):
        self.session, self.iface, self.frame = session, iface, frame

    def __getitem__(self, var):
        return self.session.if_var(self.iface, var, self.frame)


class IFRunner(Runner):
    """An interface: reads its ``in`` NPs, writes its variables (stimuli, metrics)."""

    def __init__(self, session, graph, name: str, iface):
        super().__init__(session, name)
        self.iface = iface
        self.item = graph.interfaces[name]
        self.param_names = list(iface.params)
        self.param_values = session.array(f"ifpar/{name}")
        self.variables = list(iface.variables)

    def write(self, frame: int) -> bool:
        session = self.session
        action = item_action(self.mode(), self.due(frame))
        if action in (ZERO, CARRY):
            for var in self.variables:
                out = session.if_var(self.name, var, frame)
                if action == ZERO:
                    out.fill(0.0)
                elif action == CARRY:
                    np.copyto(out, session.if_var(self.name, var, frame - 1))
            return False
        inputs = {t: np.array(session.state(self.item.np_of(t), frame - 1))
                  for t in self.iface.in_topics}
        params = {p: float(v) for p, v in zip(self.param_names, self.param_values)}
        split = int(session.ctl[C.SPLIT])
        out = self.iface.step(frame, inputs, params, split)
        for var in self.variables:
            np.copyto(session.if_var(self.name, var, frame), out[var])
        return True

    def save(self, path: str) -> None:
        from statestream.runtime import snapshot

        np.save(path, snapshot.encode_state(self.iface.state_dict()))

    def load(self, path: str) -> None:
        import os

        from statestream.runtime import snapshot

        if os.path.exists(path):
            self.iface.load_state_dict(snapshot.decode_state(np.load(path)))
