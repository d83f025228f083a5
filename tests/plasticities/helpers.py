"""Small graphs, a frame recorder around the reference simulator, fresh settings."""
from __future__ import annotations

import textwrap

import numpy as np

from statestream.backends import get_backend
from statestream.plasticities import build_plasticity
from statestream.runtime.simulator import Simulator
from statestream.graph import parse_graph

SEED = 5


def graph(body: str, agents: int = 3):
    """A graph from the YAML of its sections (name and agents are added)."""
    text = f"name: t\nagents: {agents}\n" + textwrap.dedent(body).strip("\n") + "\n"
    return parse_graph(text)


def plasticity(g, name=None, backend="torch", seed=SEED):
    item = g.plasticities[name or next(iter(g.plasticities))]
    return build_plasticity(item, g, get_backend(backend), seed)


def fresh(p):
    """(hyper, variables) at their defaults: {name: float}, {name: zeros}."""
    hyper = {k: spec[0] for k, spec in p.hyper.items()}
    variables = {k: np.zeros(shape, np.float32) for k, shape in p.variables.items()}
    return hyper, variables


class Recorder:
    """Runs the reference simulator and keeps every frame's states and interface outputs."""

    def __init__(self, g, seed=SEED, backend="torch"):
        self.graph = g
        self.sim = Simulator(g, backend=backend, seed=seed)
        self.states: list = []  # frame -> {np: backend array}
        self.if_vars: list = []  # frame -> {interface: {variable: numpy copy}}

    def run(self, frames: int) -> "Recorder":
        for _ in range(frames):
            self.sim.step()
            self.states.append(dict(self.sim.states))
            self.if_vars.append({name: {v: np.array(a) for v, a in variables.items()}
                                 for name, variables in self.sim.if_vars.items()})
        return self

    def recorded(self, frame: int, np_name: str):
        assert 0 <= frame < len(self.states), frame
        return self.states[frame][np_name]

    def if_input(self, frame: int, np_name: str):
        """Sum of the interface outputs written in ``frame`` that feed ``np_name``."""
        total = None
        for iface in self.graph.interfaces.values():
            for topic in iface.outputs:
                if iface.np_of(topic) == np_name:
                    value = self.if_vars[frame][iface.name][topic]
                    total = value.copy() if total is None else total + value
        return total


class Stream:
    """Given recorded states {frame: {np: numpy}} as a ``recorded`` callable."""

    def __init__(self, frames: dict, B):
        self.frames = {f: {n: B.asarray(v) for n, v in states.items()}
                       for f, states in frames.items()}
        self.asked: set = set()

    def recorded(self, frame: int, np_name: str):
        self.asked.add((frame, np_name))
        return self.frames[frame][np_name]

    @staticmethod
    def if_input(frame, np_name):
        return None
