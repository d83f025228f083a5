"""A loss plasticity's work split by agents over several parts (processes in the runtime).

Part i of K takes a contiguous block of agents and runs the rollout of a plan built for
that many agents; its loss is normalised by the counts of *all* agents, so the parts'
gradients add up to the gradient of the whole batch. The parts are summed in part order
(the same in the simulator and the runtime: deterministic, equal to one part up to
floating-point summation order). Only rollouts that treat agents independently can be
split: no random draws (noise, dropout, zoneout), no normalisation over agents, no
parameter with a value per agent, no ``func`` or transformer synapse-pools.
"""
from __future__ import annotations

import os

import numpy as np

from statestream.errors import Problem, UserError

from .base import param_shape

F32 = np.float32
AUTO_MAX = 8  # parts chosen automatically: at most this many per plasticity


def agent_blocks(agents: int, parts: int) -> list:
    """[(first, end), ...]: ``parts`` contiguous blocks, sizes differing by at most one."""
    edges = [agents * i // parts for i in range(parts + 1)]
    return list(zip(edges[:-1], edges[1:]))


def split_problem(graph, plast, plan) -> str | None:
    """Why the rollout of loss plasticity ``plast`` cannot be split by agents (None: it can)."""
    for step in plan.steps:
        for compute in step:
            np_ = graph.neuron_pools[compute.name]
            if np_.noise or np_.dropout is not None or np_.zoneout is not None:
                return f"{compute.name} draws random numbers in the rollout"
            if np_.batchnorm_mean or np_.batchnorm_std:
                return f"{compute.name} normalises over agents (batchnorm)"
            for sp in graph.incoming(compute.name):
                if sp.name in compute.exclude:
                    continue
                if sp.noise:
                    return f"{sp.name} draws random numbers in the rollout"
                if sp.func is not None or sp.transformer:
                    return f"{sp.name} is a func/transformer synapse-pool"
    more = graph.with_agents(graph.agents + 1)
    for key in plan.param_keys:
        if param_shape(graph, key) != param_shape(more, key):
            return f"{key[0]} {key[1]} has a value per agent"
    return None


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def plasticity_parts(graph, described: dict, cpus: int | None = None) -> dict:
    """Plasticity -> number of parts: its ``workers`` key, else chosen from the cores (half
    of them, the other half left to the network, shared evenly by the splittable loss
    plasticities; at most AUTO_MAX, at most one agent a part). ``described``: plasticity
    -> its Description (``split_problem``).
    Raises UserError (FILE:LINE) for ``workers: K > 1`` on a rollout that cannot split."""
    cpus = available_cpus() if cpus is None else int(cpus)
    out, auto = {}, []
    for name, description in described.items():
        item = graph.plasticities[name]
        wanted = item.get("workers")
        problem = description.split_problem
        if wanted is not None:
            if int(wanted) > 1 and problem:
                raise UserError(str(Problem(item.pos_of("workers"), name,
                                            f"workers: {wanted} needs a rollout that can be "
                                            f"split by agents, but {problem}")))
            out[name] = int(wanted)
        elif problem is None:
            auto.append(name)
        else:
            out[name] = 1
    for name in auto:
        out[name] = max(1, min(cpus // 2 // len(auto), AUTO_MAX, graph.agents))
    return out


class LossPart:
    """Agents ``first .. end - 1`` of a loss plasticity: gradients and loss sums."""

    def __init__(self, loss, first: int, end: int):
        from .rollout import Plan

        self.loss, self.first, self.end = loss, first, end
        graph = loss.graph.with_agents(end - first)
        self.plan = Plan(graph, loss.item, loss.B, loss.trained)
        self.value_and_grad = loss.B.value_and_grad(self._objective)

    def _objective(self, trained, frame, recorded, if_input, params, settings, weights, out):
        from .loss import per_agent_loss

        B, loss, first, end = self.loss.B, self.loss, self.first, self.end
        params = dict(params)
        params.update(trained)

        def part_recorded(at, name):
            return recorded(at, name)[first:end]

        def part_if_input(at, name):
            value = if_input(at, name)
            return None if value is None else value[first:end]

        x, y, mask = self.plan.run(frame, part_recorded, part_if_input, params, loss.seed)
        y = None if y is None else B.detach(y)
        mask = None if mask is None else B.detach(mask)
        losses = per_agent_loss(B, loss.function, x, y, mask, loss.has_target,
                                settings["label_smoothing"], settings["confidence_penalty"])
        mine = weights[first:end]
        train, held = B.asarray(mine), B.asarray(F32(1) - mine)
        out["loss0"] = B.detach(B.sum(losses * held)) / max(float(np.sum(F32(1) - weights)), 1.0)
        return B.sum(losses * train) / max(float(np.sum(weights)), 1.0)

    def gradients(self, frame, recorded, if_input, params, settings, weights) -> tuple:
        """({key: float32 gradient}, loss1 part, loss0 part) of this part's agents."""
        loss = self.loss
        trained = {key: params[key] for key in loss.trained}
        out: dict = {}
        loss1, grads = self.value_and_grad(trained, frame, recorded, if_input, params,
                                           settings, weights, out)
        host = loss.B.to_numpy
        return ({key: np.asarray(host(grads[key]), dtype=F32).reshape(loss.shapes[key])
                 for key in loss.trained}, F32(host(loss1)), F32(host(out["loss0"])))


def combine(results: list) -> tuple:
    """Sum the parts' (grads, loss1, loss0) in part order: (grads, loss1, loss0)."""
    grads = {key: g.copy() for key, g in results[0][0].items()}
    loss1, loss0 = F32(results[0][1]), F32(results[0][2])
    for part_grads, part1, part0 in results[1:]:
        for key, g in part_grads.items():
            np.add(grads[key], g, out=grads[key])
        loss1, loss0 = F32(loss1 + part1), F32(loss0 + part0)
    return grads, loss1, loss0


__all__ = ["LossPart", "agent_blocks", "combine", "plasticity_parts", "split_problem"]
