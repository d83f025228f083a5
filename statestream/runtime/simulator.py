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
from statestream.runtime.frame import RUN, interface_feeds, interface_sum, is_due, np_write
from statestream.runtime.learning import (apply_deltas, delta_key, history_if_key,
                                          history_needs, history_state_key, hyper_key,
                                          loaded_history_depth, param_bounds,
                                          parse_history_key, round_hyper, variable_key)
from statestream.graph.model import Graph


class Simulator:
    """Computes frames of ``graph`` one after another; states and parameters are exposed.

    ``states``: NP name -> backend array (the last written frame); ``params``: (item,
    parameter) -> backend array (owners only; shared parameters live at their owner);
    ``if_vars``: interface -> variable -> numpy array; ``frame``: the next frame index.
    """

    def __init__(self, graph: Graph, backend: str = "torch", device: str = "cpu", seed: int = 0,
                 synthetic_inputs: bool = False, threads: int | None = None,
                 learning: bool = True):
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
        self._init_learning(learning)

    # -- learning -------------------------------------------------------------------------
    def _init_learning(self, learning: bool) -> None:
        from statestream.plasticities import build_plasticity

        graph, B = self.graph, self.B
        self.plasticities = {name: build_plasticity(item, graph, B, self.seed)
                             for name, item in graph.plasticities.items()} if learning else {}
        self.hyper = {name: {h: round_hyper(spec[0]) for h, spec in p.hyper.items()}
                      for name, p in self.plasticities.items()}
        self.variables = {name: {v: np.zeros(shape, np.float32) for v, shape in p.variables.items()}
                          for name, p in self.plasticities.items()}
        self.pending = {name: {} for name in self.plasticities}  # deltas of the last frame
        self.bounds = param_bounds(graph)
        self.needs = history_needs(self.plasticities, graph)
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

    def _learn(self, k: int) -> dict:
        """Deltas of frame k (computed from recorded frames up to k-1)."""
        deltas = {}
        for name, plast in self.plasticities.items():
            item = self.graph.plasticities[name]
            if (self.mode[name] != RUN or not is_due(k, item.period, item.period_offset)
                    or not plast.active(k) or k - 1 - plast.depth < self.valid_from):
                continue
            deltas[name] = plast.step(k, self._recorded, self._if_input, self.params,
                                      self.hyper[name], self.variables[name], self.split)
        return deltas

    def _apply_pending(self) -> None:
        B = self.B
        per_param: dict = {}
        for name in self.plasticities:  # definition order
            for key, delta in self.pending[name].items():
                per_param.setdefault(key, []).append(delta)
        for key, deltas in per_param.items():
            host = np.array(B.to_numpy(self.params[key]), dtype=np.float32)
            apply_deltas(host, deltas, self.bounds[key])
            self.params[key] = B.asarray(host)

    def step(self) -> None:
        """Compute one frame."""
        B, graph, k = self.B, self.graph, self.frame
        prev, prev_vars = self.states, self.if_vars
        new = {}
        with B.no_grad():
            for name, update in self.updates.items():
                np_ = graph.neuron_pools[name]
                new[name] = np_write(B, update, prev, self.params,
                                     interface_sum(self.feeds[name], prev_vars), k, self.seed,
                                     self.mode[name], is_due(k, np_.period, np_.period_offset))
        if self.plasticities:
            self._record(k - 1, prev, prev_vars)
            deltas = self._learn(k)
        out_vars = dict(prev_vars)
        for name, iface in self.interfaces.items():
            item = graph.interfaces[name]
            if self.mode[name] != RUN or not is_due(k, item.period, item.period_offset):
                continue
            inputs = {t: B.to_numpy(prev[item.np_of(t)]) for t in iface.in_topics}
            out_vars[name] = iface.step(k, inputs, self.if_params[name], self.split)
        self.states, self.if_vars = new, out_vars
        if self.plasticities:
            self._apply_pending()
            self.pending = {name: deltas.get(name, {}) for name in self.plasticities}
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
        if_states = {name: iface.state_dict() for name, iface in self.interfaces.items()}
        arrays = snapshot.collect(self.host_states(), self.host_params(), self.if_vars,
                                  if_states, self.frame, self.seed, self.graph.agents)
        arrays.update(self._learning_arrays())
        return arrays

    def _learning_arrays(self) -> dict:
        out = {}
        for name, plast in self.plasticities.items():
            for h, value in self.hyper[name].items():
                out[hyper_key(name, h)] = np.asarray(value, dtype=np.float64)
            for v, value in self.variables[name].items():
                out[variable_key(name, v)] = np.array(value)
            for owner, pname in plast.trained:
                delta = self.pending[name].get((owner, pname))
                shape = tuple(self.B.shape(self.params[(owner, pname)]))
                out[delta_key(name, owner, pname)] = (np.zeros(shape, np.float32) if delta is None
                                                      else np.array(delta, np.float32))
        depth, nps, ifaces = self.needs
        for back in range(1, depth + 1):
            frame = self.frame - 1 - back
            if frame not in self.history or frame < self.valid_from:
                break
            states, if_vars = self.history[frame]
            for n in nps:
                out[history_state_key(back, n)] = self.B.to_numpy(states[n]).copy()
            for i in ifaces:
                for v, value in if_vars[i].items():
                    out[history_if_key(back, i, v)] = np.array(value)
        return out

    def save_states(self, path: str) -> None:
        snapshot.save(path, self.snapshot())

    def expected_shapes(self) -> dict:
        shapes = {f"np/{n}": self.graph.np_state_shape(n) for n in self.graph.neuron_pools}
        shapes.update({f"{i}/{p}": tuple(self.B.shape(v)) for (i, p), v in self.params.items()})
        for name, iface in self.interfaces.items():
            shapes.update({f"if/{name}/{v}": s for v, s in iface.variables.items()})
        shapes.update({k: v.shape for k, v in self._learning_arrays().items()
                       if not k.startswith("hist/")})
        depth, nps, ifaces = self.needs
        for back in range(1, depth + 1):
            shapes.update({history_state_key(back, n): self.graph.np_state_shape(n)
                           for n in nps})
            shapes.update({history_if_key(back, i, v): s for i in ifaces
                           for v, s in self.interfaces[i].variables.items()})
        return shapes

    def load_states(self, path: str) -> None:
        """Load all or some keys of a snapshot; ``meta/frame`` sets the next frame."""
        arrays = snapshot.load(path)
        snapshot.check_keys(path, arrays, self.expected_shapes())
        B = self.B
        hist: dict = {}
        for key, value in arrays.items():
            parsed = parse_history_key(key)
            if parsed is not None:
                hist.setdefault(parsed[0], []).append((parsed, value))
                continue
            head, _, rest = key.partition("/")
            if head == "np":
                self.states[rest] = B.asarray(value.astype("float32"))
            elif head == "if":
                iface, _, var = rest.partition("/")
                if var == "__state__":
                    self.interfaces[iface].load_state_dict(snapshot.decode_state(value))
                else:
                    self.if_vars[iface] = dict(self.if_vars[iface])
                    self.if_vars[iface][var] = value.astype("float32")
            elif head == "meta":
                if rest == "frame":
                    self.frame = int(value)
            elif head in self.plasticities:
                self._load_learning(head, rest, value)
            else:
                self.params[(head, rest)] = B.asarray(value.astype("float32"))
        self._load_history(arrays, hist)

    def _load_history(self, arrays: dict, hist: dict) -> None:
        """Recorded frames before the loaded frame, as far as the file restores them."""
        if not self.plasticities:
            return
        variables = {i: list(self.interfaces[i].variables) for i in self.needs[2]}
        complete = loaded_history_depth(arrays, self.needs, variables, self.frame)
        self.valid_from = self.frame - complete
        self.history = {}
        if complete:
            self.history[self.frame - 1] = (dict(self.states), dict(self.if_vars))
        for back in range(1, complete):
            states = dict(self.states)
            if_vars = {i: dict(v) for i, v in self.if_vars.items()}
            for parsed, value in hist.get(back, []):
                if parsed[1] == "np":
                    states[parsed[2]] = self.B.asarray(value.astype("float32"))
                else:
                    if_vars[parsed[2]][parsed[3]] = value.astype("float32")
            self.history[self.frame - 1 - back] = (states, if_vars)

    def _load_learning(self, name: str, rest: str, value) -> None:
        if rest in self.hyper[name]:
            self.hyper[name][rest] = round_hyper(value)
        elif rest in self.variables[name]:
            self.variables[name][rest][...] = value
        elif rest.startswith("delta."):
            owner, _, pname = rest[len("delta."):].rpartition(".")
            self.pending[name][(owner, pname)] = value.astype(np.float32)


def _zeros(variables: dict) -> dict:
    return {name: np.zeros(shape, dtype=np.float32) for name, shape in variables.items()}
