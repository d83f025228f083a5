"""The single-process reference simulator: the same frames as the streaming runtime.

Every frame, all NPs compute from the previous frame's states (and the interface outputs
written in the previous frame), then every interface computes its outputs from the
previous frame's states. Nothing runs in parallel, so this is the ground truth the
multi-process runtime is compared against, and the baseline its speed is measured by.
"""
from __future__ import annotations

import numpy as np

from statestream.backends import get_backend
from statestream.interfaces import create as create_interface
from statestream.neuronal import build_np
from statestream.neuronal.init import initial_params
from statestream.runtime import snapshot
from statestream.runtime.frame import interface_feeds, interface_sum, np_write
from statestream.runtime.program import (COMPUTE, ZERO, delta_order, frame_program, is_due,
                                         is_recorded, item_action, plasticity_runs)
from statestream.runtime.learning import apply_deltas, history_needs, param_bounds, round_hyper
from statestream.runtime.store import load_snapshot, take_snapshot
from statestream.graph.model import Graph


class Simulator:
    """Computes frames of ``graph`` one after another; states and parameters are exposed.

    ``states``: NP name -> backend array (the last written frame); ``params``: (item,
    parameter) -> backend array (owners only; shared parameters live at their owner);
    ``if_vars``: interface -> variable -> numpy array; ``frame``: the next frame index.
    """

    def __init__(self, graph: Graph, backend: str = "torch", device: str = "cpu", seed: int = 0,
                 synthetic_inputs: bool = False, threads: int | None = None,
                 learning: bool = True, plast_parts: dict | None = None):
        self.graph = graph
        self.seed = int(seed)
        self.B = get_backend(backend, device=device, threads=threads)
        B = self.B
        self.updates = {name: build_np(name, graph, B) for name in graph.neuron_pools}
        self.params = {key: B.asarray(value) for key, value in initial_params(graph, seed).items()}
        self.states = {name: B.zeros(graph.np_state_shape(name)) for name in graph.neuron_pools}
        self.interfaces = {name: create_interface(item, graph, self.seed, synthetic_inputs)
                           for name, item in graph.interfaces.items()}
        self.if_params = {name: dict(iface.params) for name, iface in self.interfaces.items()}
        self.if_vars = {name: _zeros(iface.variables) for name, iface in self.interfaces.items()}
        self.feeds = interface_feeds(graph)
        self.mode = {item.name: item.at_start for item in graph.items()}
        self.split = 0
        self.frame = 0
        self._init_learning(learning, plast_parts)

    # -- learning -------------------------------------------------------------------------
    def _init_learning(self, learning: bool, parts: dict | None) -> None:
        """``parts``: plasticity -> parts its work is split into, computed one after
        another (None: as the runtime chooses them, so that both compute the same)."""
        from statestream.plasticities import build_plasticity, describe_plasticity, \
            plasticity_parts

        graph, B = self.graph, self.B
        if learning and parts is None:
            parts = plasticity_parts(graph, {n: describe_plasticity(item, graph)
                                             for n, item in graph.plasticities.items()})
        self.parts = dict(parts or {}) if learning else {}
        self.plasticities = {name: build_plasticity(item, graph, B, self.seed,
                                                    self.parts.get(name, 1))
                             for name, item in graph.plasticities.items()} if learning else {}
        self.hyper = {name: {h: round_hyper(spec[0]) for h, spec in p.hyper.items()}
                      for name, p in self.plasticities.items()}
        self.variables = {name: {v: np.zeros(shape, np.float32) for v, shape in p.variables.items()}
                          for name, p in self.plasticities.items()}
        self.pending = {name: {} for name in self.plasticities}  # deltas of the last frame
        self.bounds = param_bounds(graph)
        self.needs = history_needs(self.plasticities, graph)
        trained = {name: list(p.trained) for name, p in self.plasticities.items()}
        self.program = frame_program(graph, trained)
        self.delta_order = delta_order(trained)
        self.history: dict = {}  # frame -> (states, if_vars) of recent frames
        self.valid_from = 0  # the earliest frame whose record is real (after a partial load)

    def _record(self, frame: int, states: dict, if_vars: dict) -> None:
        self.history[frame] = (states, if_vars)
        for old in [f for f in self.history if f < frame - self.needs[0]]:
            del self.history[old]

    def _recorded(self, frame: int, np_name: str):
        return self.history[frame][0][np_name]

    def _if_input(self, frame: int, np_name: str):
        return interface_sum(self.feeds[np_name], self.history[frame][1])

    def _due(self, name: str, k: int) -> bool:
        item = self.graph.item(name)
        return is_due(k, item.period, item.period_offset)

    # -- the frame program's operations, run in order --------------------------------------
    def _op_np(self, op, k: int, frame: dict) -> None:
        B, name = self.B, op.name
        with B.no_grad():
            frame["states"][name] = np_write(
                B, self.updates[name], self.states, self.params,
                interface_sum(self.feeds[name], self.if_vars), k, self.seed, self.mode[name],
                self._due(name, k), self.graph)

    def _op_plast(self, op, k: int, frame: dict) -> None:
        name, plast = op.name, self.plasticities[op.name]
        recorded = is_recorded(k, plast.depth, self.valid_from)
        if plasticity_runs(self.mode[name], self._due(name, k), plast.active(k), recorded):
            frame["deltas"][name] = plast.step(k, self._recorded, self._if_input, self.params,
                                               self.hyper[name], self.variables[name],
                                               self.split)

    def _op_if(self, op, k: int, frame: dict) -> None:
        name, iface = op.name, self.interfaces[op.name]
        action = item_action(self.mode[name], self._due(name, k))
        if action == ZERO:
            frame["if_vars"][name] = _zeros(iface.variables)
        elif action == COMPUTE:
            item = self.graph.interfaces[name]
            inputs = {t: self.B.to_numpy(self.states[item.np_of(t)]) for t in iface.in_topics}
            frame["if_vars"][name] = iface.step(k, inputs, self.if_params[name], self.split)

    def _op_apply(self, op, k: int, frame: dict) -> None:
        """Deltas of frame k-1 land after the owner computed frame k (definition order)."""
        key = op.writes[0][1:]
        deltas = [self.pending[p][key] for p in self.delta_order[key] if key in self.pending[p]]
        if deltas:
            host = np.array(self.B.to_numpy(self.params[key]), dtype=np.float32)
            apply_deltas(host, deltas, self.bounds[key])
            self.params[key] = self.B.asarray(host)

    def step(self) -> None:
        """Compute one frame: the frame program's operations in order."""
        k = self.frame
        if self.plasticities:
            self._record(k - 1, self.states, self.if_vars)
        frame = {"states": {}, "if_vars": dict(self.if_vars), "deltas": {}}
        for op in self.program:
            getattr(self, f"_op_{op.kind}")(op, k, frame)
        self.states, self.if_vars = frame["states"], frame["if_vars"]
        if self.plasticities:
            self.pending = {name: frame["deltas"].get(name, {}) for name in self.plasticities}
        self.frame = k + 1

    def run(self, frames: int, callback=None) -> None:
        for _ in range(int(frames)):
            self.step()
            if callback is not None:
                callback(self)

    def host_states(self) -> dict:
        return {name: self.B.to_numpy(value) for name, value in self.states.items()}

    def host_params(self) -> dict:
        return {key: self.B.to_numpy(value) for key, value in self.params.items()}

    # -- snapshots ------------------------------------------------------------------------
    def snapshot(self) -> dict:
        return take_snapshot(SimulatorStore(self))

    def save_states(self, path: str) -> None:
        snapshot.save(path, self.snapshot())

    def load_states(self, path: str) -> None:
        """Load all or some keys of a snapshot; ``meta/frame`` sets the next frame."""
        load_snapshot(SimulatorStore(self), path)


class SimulatorStore:
    """The simulator's values as a snapshot store (see :mod:`statestream.runtime.store`)."""

    def __init__(self, sim: Simulator):
        self.sim = sim
        self.graph, self.seed = sim.graph, sim.seed
        self.interfaces, self.learning = sim.interfaces, sim.plasticities
        self.next_frame = sim.frame

    def _recorded(self, back: int):
        frame = self.sim.frame - 1 - back
        if frame < self.sim.valid_from:
            return None
        return self.sim.history.get(frame)

    def state(self, name: str, back: int):
        if back == 0:
            return self.sim.B.to_numpy(self.sim.states[name])
        found = self._recorded(back)
        return None if found is None else self.sim.B.to_numpy(found[0][name]).copy()

    def if_var(self, iface: str, var: str, back: int):
        if back == 0:
            return self.sim.if_vars[iface][var]
        found = self._recorded(back)
        return None if found is None else np.array(found[1][iface][var])

    def params(self) -> dict:
        return self.sim.host_params()

    def if_state(self, iface: str):
        return self.sim.interfaces[iface].state_dict()

    def hyper(self, plast: str) -> dict:
        return dict(self.sim.hyper[plast])

    def variable(self, plast: str, var: str):
        return self.sim.variables[plast][var]

    def delta(self, plast: str, owner: str, pname: str):
        return self.sim.pending[plast].get((owner, pname))

    # -- loading ------------------------------------------------------------------------------
    def begin_load(self, start: int, recorded: int) -> None:
        self.start, self.recorded, self.history = start, recorded, {}

    def put_state(self, name: str, back: int, value) -> None:
        if back == 0:
            self.sim.states[name] = self.sim.B.asarray(value.astype("float32"))
        else:
            self.history.setdefault(back, ({}, {}))[0][name] = value.astype("float32")

    def put_if_var(self, iface: str, var: str, back: int, value) -> None:
        if back == 0:
            self.sim.if_vars[iface] = dict(self.sim.if_vars[iface])
            self.sim.if_vars[iface][var] = value.astype("float32")
        else:
            self.history.setdefault(back, ({}, {}))[1].setdefault(iface, {})[var] = \
                value.astype("float32")

    def put_param(self, key: tuple, value) -> None:
        self.sim.params[key] = self.sim.B.asarray(value.astype("float32"))

    def put_if_state(self, iface: str, state) -> None:
        self.sim.interfaces[iface].load_state_dict(state)

    def put_hyper(self, plast: str, name: str, value) -> None:
        self.sim.hyper[plast][name] = round_hyper(value)

    def put_variable(self, plast: str, var: str, value) -> None:
        self.sim.variables[plast][var][...] = value

    def put_delta(self, plast: str, owner: str, pname: str, value) -> None:
        self.sim.pending[plast][(owner, pname)] = value.astype(np.float32)

    def end_load(self) -> None:
        """The recorded frames before the loaded one, as far as the file restores them."""
        sim = self.sim
        sim.frame = self.start
        if not sim.plasticities:
            return
        sim.valid_from = self.start - self.recorded
        sim.history = {}
        if self.recorded:
            sim.history[self.start - 1] = (dict(sim.states), dict(sim.if_vars))
        for back in range(1, self.recorded):
            states = dict(sim.states)
            if_vars = {i: dict(v) for i, v in sim.if_vars.items()}
            loaded_states, loaded_vars = self.history.get(back, ({}, {}))
            states.update({n: sim.B.asarray(v) for n, v in loaded_states.items()})
            for iface, values in loaded_vars.items():
                if_vars[iface].update(values)
            sim.history[self.start - 1 - back] = (states, if_vars)


def _zeros(variables: dict) -> dict:
    return {name: np.zeros(shape, dtype=np.float32) for name, shape in variables.items()}
