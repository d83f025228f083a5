"""Loss plasticities: truncated back-propagation through a rollout (see rollout.py)."""
from __future__ import annotations

import numpy as np

from statestream.neuronal.common import feature_slice

from .base import Plasticity, user_error
from .optimizers import _number
from .rollout import Plan
from .split import LossPart, agent_blocks, combine

F32 = np.float32
NO_AUTOGRAD = "loss plasticities need a backend with gradients: run with --backend torch"


def agent_weights(agents: int, split: int, ignore_split: bool) -> np.ndarray:
    """1 for training agents (a >= split, or all with ignore_split), else 0."""
    weights = np.ones(agents, dtype=F32)
    if not ignore_split:
        weights[:max(0, min(int(split), agents))] = 0.0
    return weights


def per_agent_loss(B, fn, x, y, mask, has_target, smoothing, penalty):
    """l_a: mean over positions (mask-weighted) of the error summed over features, [A]."""
    if has_target and smoothing:
        y = (1.0 - smoothing) * y + smoothing / B.shape(x)[1]
    error = fn(x, y) if has_target else fn(x)
    error = B.sum(error, axis=1)  # [A, X, Y]
    if penalty:
        error = error + penalty * B.sum(x * B.log(x), axis=1)
    if mask is None:
        return B.mean(error, axis=(1, 2))
    weight = feature_slice(B, mask, 0)
    total = B.maximum(B.sum(weight, axis=(1, 2)), 1.0)
    return B.sum(error * weight, axis=(1, 2)) / total


class Loss(Plasticity):
    """``type: loss``; only ``loss1`` (training agents) is differentiated."""

    def __init__(self, plast, graph, B, seed, autograd: bool = True, parts: int = 1):
        super().__init__(plast, graph, B, seed)
        self.plan = Plan(graph, plast, B, self.trained)
        if self.plan.problems:
            raise user_error(plast, self.plan.problems[0])
        try:
            self._value_and_grad = B.value_and_grad(self._objective) if autograd else None
        except NotImplementedError:
            raise user_error(plast, NO_AUTOGRAD) from None
        self.depth = self.plan.depth if plast.rollout == "replay" else 0
        self.rollout_depth = self.plan.depth
        self.reads, self.if_reads = self.plan.reads, self.plan.if_reads
        self.param_keys = tuple(dict.fromkeys(self.plan.param_keys + self.trained))
        self.function = B.function(plast.loss_function)
        self.has_target = self.plan.has_target
        self.ignore_split = bool(plast.ignore_split)
        self.agents = graph.agents
        self.hyper["confidence_penalty"] = (_number(plast, "confidence_penalty", 0.0), 0.0, None)
        if self.has_target:
            self.hyper["label_smoothing"] = (_number(plast, "label_smoothing", 0.0), 0.0, 1.0)
        self.variables.update({"loss0": (), "loss1": ()})
        self.parts = int(parts)  # > 1: the work split by agents (split.py)
        self.blocks = agent_blocks(self.agents, self.parts)
        self._part_objects: dict = {}

    def rollout(self, frame, recorded, if_input, params) -> tuple:
        """(source, target, mask) computed for step(frame), without gradients."""
        with self.B.no_grad():
            return self.plan.run(frame, recorded, if_input, params, self.seed)

    def _objective(self, trained, frame, recorded, if_input, params, settings, weights, out):
        B = self.B
        params = dict(params)
        params.update(trained)
        x, y, mask = self.plan.run(frame, recorded, if_input, params, self.seed)
        y = None if y is None else B.detach(y)
        mask = None if mask is None else B.detach(mask)
        losses = per_agent_loss(B, self.function, x, y, mask, self.has_target,
                                settings["label_smoothing"], settings["confidence_penalty"])
        train = B.asarray(weights)
        held = B.asarray(F32(1) - weights)
        out["loss0"] = B.detach(B.sum(losses * held)) / max(float(np.sum(F32(1) - weights)), 1.0)
        return B.sum(losses * train) / max(float(np.sum(weights)), 1.0)

    def _settings(self, hyper: dict) -> dict:
        return {k: float(hyper.get(k, self.hyper.get(k, (0.0,))[0]))
                for k in ("label_smoothing", "confidence_penalty")}

    def part_gradients(self, part: int, frame, recorded, if_input, params, hyper, split):
        """(grads, loss1, loss0) of part ``part`` of ``self.parts`` (agents split)."""
        if part not in self._part_objects:
            self._part_objects[part] = LossPart(self, *self.blocks[part])
        weights = agent_weights(self.agents, split, self.ignore_split)
        return self._part_objects[part].gradients(frame, recorded, if_input, params,
                                                  self._settings(hyper), weights)

    def combine(self, results: list, variables: dict) -> dict:
        """The parts' results summed in part order; sets loss0/loss1, returns gradients."""
        grads, loss1, loss0 = combine(results)
        variables["loss1"][...] = loss1
        variables["loss0"][...] = loss0
        return grads

    def gradients(self, frame, recorded, if_input, params, hyper, variables, split):
        if self.parts > 1:  # one part after another, summed as the runtime's processes do
            return self.combine([self.part_gradients(i, frame, recorded, if_input, params,
                                                     hyper, split)
                                 for i in range(self.parts)], variables)
        settings = self._settings(hyper)
        weights = agent_weights(self.agents, split, self.ignore_split)
        trained = {key: params[key] for key in self.trained}
        out: dict = {}
        loss1, grads = self._value_and_grad(trained, frame, recorded, if_input, params,
                                            settings, weights, out)
        to_host = self.B.to_numpy
        variables["loss1"][...] = F32(to_host(loss1))
        variables["loss0"][...] = F32(to_host(out["loss0"]))
        return {key: np.asarray(to_host(grads[key]), dtype=F32).reshape(self.shapes[key])
                for key in self.trained}


__all__ = ["Loss", "agent_weights", "per_agent_loss", "NO_AUTOGRAD"]
