"""saliency_grad: d(objective of the target state) / d(source state ``depth`` frames
earlier), by replaying the recorded frames with torch autograd.

Frame k's target depends on the source at frame k - depth through the NPs in between.
The replay starts from the recorded states of frame base = k - depth (the source's is the
leaf), recomputes every NP on a path at base + 1 .. k with the network's own update
functions and the current parameters, and takes recorded states for everything else.
Only the first ``agents`` agents are replayed.
"""
from __future__ import annotations

import contextlib
import dataclasses
from collections import deque

import numpy as np

from statestream.metavariables.spec import shortest_path


def np_reads(graph, name: str) -> tuple:
    """NPs whose previous state the update of ``name`` reads."""
    item = graph.neuron_pools[name]
    sources = [s for sp in graph.incoming(name) for s in sp.source_nps]
    return tuple(dict.fromkeys(sources + ([name] if item.zoneout is not None else [])))


def replay_plan(graph, source: str, target: str) -> tuple:
    """(depth, computed: step -> sorted NP names, recorded NP names)."""
    depth = shortest_path(graph, source, target)
    needed = {depth: {target}}
    computed = {}
    for j in range(depth, 0, -1):
        computed[j] = {n for n in needed[j] if graph.incoming(n)}
        needed[j - 1] = set()
        for n in computed[j]:
            needed[j - 1].update(np_reads(graph, n))
    order = {name: i for i, name in enumerate(graph.neuron_pools)}
    recorded = set(needed[0])
    for j in range(1, depth + 1):
        recorded.update(n for n in needed[j] if n not in computed[j])
    return (depth, {j: sorted(c, key=order.__getitem__) for j, c in computed.items()},
            sorted(recorded, key=order.__getitem__))


def plan_problem(graph, source: str, target: str) -> str | None:
    """Why a saliency between ``source`` and ``target`` cannot be replayed, or None."""
    _, computed, _ = replay_plan(graph, source, target)
    fed = graph.interface_fed()
    for step in computed.values():
        for name in step:
            if name in fed:
                return (f"{name} lies on the path and is fed by an interface, which a replay "
                        "cannot recompute")
    return None


@contextlib.contextmanager
def _without_onednn():
    import torch.backends.mkldnn as onednn

    before = onednn.enabled
    onednn.enabled = False
    try:
        yield
    finally:
        onednn.enabled = before


class SaliencyGrad:
    """Gradient maps [agents, C, X, Y] of the source for the target."""

    every_frame = True  # keeps the states of the last depth + 1 frames
    deferrable = True  # gather copies states and parameters

    def __init__(self, spec, graph, seed: int = 0, threads: int = 1):
        from statestream.backends import get_backend
        from statestream.neuronal import build_np

        self.spec, self.graph, self.seed = spec, graph, int(seed)
        self.source, self.target = spec.sources[0], spec.target
        self.depth, self.computed, self.recorded = replay_plan(graph, self.source, self.target)
        # the session's thread count: more torch threads than free cores slow it 10-100x
        self.B = get_backend("torch", "cpu", threads=max(1, int(threads or 1)))
        small = dataclasses.replace(graph, agents=spec.agents)
        names = {n for step in self.computed.values() for n in step}
        self.updates = {n: build_np(n, small, self.B) for n in names}
        self.param_keys = tuple(dict.fromkeys(k for u in self.updates.values()
                                              for k in u.param_keys))
        self.kept = set(self.recorded) | {self.source}
        self.frames: deque = deque(maxlen=self.depth + 1)

    def gather(self, memory, frame: int, params: dict):
        """Copies of the recorded states of ``frame`` (kept for ``depth`` frames) and the
        parameters; None until ``depth`` + 1 consecutive frames are kept."""
        n = self.spec.agents
        if self.frames and self.frames[-1][0] != frame - 1:
            self.frames.clear()
        self.frames.append((frame, {name: np.array(memory.state(name, frame)[:n])
                                    for name in self.kept}))
        if len(self.frames) <= self.depth:
            return None
        params = {key: np.array(params[key]) for key in self.param_keys}
        return frame, [states for _, states in self.frames], params

    def compute(self, inputs):
        frame, states, params = inputs
        return self.replay(frame, states, params)[1]

    def objective(self, y):
        """The scalar whose gradient is shown: per agent the target's feature mean over
        positions (``feature``) or its maximum, summed over agents."""
        if self.spec.feature is not None:
            return y[:, self.spec.feature].mean(dim=(1, 2)).sum()
        return y.reshape(y.shape[0], -1).max(dim=1).values.sum()

    def replay(self, frame: int, states: list, params: dict) -> tuple:
        """(replayed target state, gradient) for ``frame``; ``states[j]`` are the recorded
        states of frame ``frame - depth + j``."""
        import torch

        B, base = self.B, frame - self.depth
        torch_params = {key: B.asarray(value) for key, value in params.items()}
        leaf = torch.tensor(states[0][self.source], requires_grad=True)
        previous = {self.source: leaf}
        # oneDNN's per-call set-up costs more than the few agents' convolutions (0.25 ms of
        # 0.6 on the demo): im2col and a matrix product are faster here
        with torch.enable_grad(), _without_onednn():
            for j in range(1, self.depth + 1):
                values = {}
                for name in self.computed[j]:
                    update = self.updates[name]
                    inputs = {r: previous[r] if r in previous else B.asarray(states[j - 1][r])
                              for r in update.reads}
                    values[name] = update(inputs, torch_params, base + j, self.seed)
                previous = values
            y = previous[self.target] if self.target in previous else \
                B.asarray(states[self.depth][self.target])
            total = self.objective(y)
            grad, = torch.autograd.grad(total, leaf, allow_unused=True)
        grad = np.zeros_like(states[0][self.source]) if grad is None else grad.numpy()
        return y.detach().numpy(), np.asarray(grad, dtype=np.float32)
