"""The single-process reference simulator: the same frames as the streaming runtime.

Every frame, all NPs compute from the previous frame's states (and the interface outputs
written in the previous frame), then every interface computes its outputs from the
previous frame's states. Nothing runs in parallel, so this is the ground truth the
multi-process runtime is compared against, and the baseline its speed is measured by.
"""
from __future__ import annotations

from statestream.backends import get_backend
from statestream.interfaces import create as create_interface
from statestream.neuronal import build_np
from statestream.neuronal.init import initial_params
from statestream.runtime import snapshot
from statestream.runtime.frame import RUN, interface_feeds, interface_sum, is_due, np_write
from statestream.spec.model import Graph


class Simulator:
    """Computes frames of ``graph`` one after another; states and parameters are exposed.

    ``states``: NP name -> backend array (the last written frame); ``params``: (item,
    parameter) -> backend array (owners only; shared parameters live at their owner);
    ``if_vars``: interface -> variable -> numpy array; ``frame``: the next frame index.
    """

    def __init__(self, graph: Graph, backend: str = "torch", device: str = "cpu", seed: int = 0,
                 synthetic_inputs: bool = False, threads: int | None = None):
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
        out_vars = dict(prev_vars)
        for name, iface in self.interfaces.items():
            item = graph.interfaces[name]
            if self.mode[name] != RUN or not is_due(k, item.period, item.period_offset):
                continue
            inputs = {t: B.to_numpy(prev[item.np_of(t)]) for t in iface.in_topics}
            out_vars[name] = iface.step(k, inputs, self.if_params[name], self.split)
        self.states, self.if_vars = new, out_vars
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
        return snapshot.collect(self.host_states(), self.host_params(), self.if_vars, if_states,
                                self.frame, self.seed, self.graph.agents)

    def save_states(self, path: str) -> None:
        snapshot.save(path, self.snapshot())

    def expected_shapes(self) -> dict:
        shapes = {f"np/{n}": self.graph.np_state_shape(n) for n in self.graph.neuron_pools}
        shapes.update({f"{i}/{p}": tuple(self.B.shape(v)) for (i, p), v in self.params.items()})
        for name, iface in self.interfaces.items():
            shapes.update({f"if/{name}/{v}": s for v, s in iface.variables.items()})
        return shapes

    def load_states(self, path: str) -> None:
        """Load all or some keys of a snapshot; ``meta/frame`` sets the next frame."""
        arrays = snapshot.load(path)
        snapshot.check_keys(path, arrays, self.expected_shapes())
        B = self.B
        for key, value in arrays.items():
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
            else:
                self.params[(head, rest)] = B.asarray(value.astype("float32"))


def _zeros(variables: dict) -> dict:
    import numpy as np

    return {name: np.zeros(shape, dtype=np.float32) for name, shape in variables.items()}
