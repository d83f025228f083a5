"""Plasticities: parameter updates computed from the recorded stream (docs/plasticities.md).

``build_plasticity(item, graph, B, seed)`` gives one object per plasticity item with
``depth, reads, if_reads, param_keys, trained, hyper, variables, active(frame)`` and
``step(frame, recorded, if_input, params, hyper, variables, split) -> deltas``.
``describe_plasticity(item, graph)`` gives the same attributes without a backend.
"""
from __future__ import annotations

from dataclasses import dataclass

from .base import Plasticity, is_active
from .hebbian import Hebbian
from .loss import Loss
from .optimizers import OPTIMIZERS
from .regularizer import Regularizer
from .split import plasticity_parts, split_problem

TYPES = {"loss": Loss, "hebbian": Hebbian, "L_regularizer": Regularizer}


def build_plasticity(plast, graph, B, seed: int, parts: int = 1) -> Plasticity:
    """The plasticity of item ``plast``; raises UserError when it cannot run on ``B``.
    ``parts`` > 1 splits a loss plasticity's work by agents (see split.py)."""
    if parts > 1:
        return Loss(plast, graph, B, seed, parts=parts)
    return TYPES[plast.type](plast, graph, B, seed)


@dataclass(frozen=True)
class Description:
    """What a plasticity reads, trains and stores, for callers that never step it."""

    name: str
    depth: int
    reads: frozenset
    if_reads: frozenset
    param_keys: tuple
    trained: tuple
    hyper: dict
    variables: dict
    startframe: int
    split_problem: str | None = "only loss plasticities split"  # None: can split by agents

    def active(self, frame: int) -> bool:
        return is_active(frame, self.startframe, self.depth)


def describe_plasticity(plast, graph) -> Description:
    """The attributes of ``build_plasticity`` (any backend); raises UserError for plans
    that cannot work, but not for a backend without gradients."""
    from statestream.backends import get_backend

    B = get_backend("numpy")  # builds the plan only; nothing is computed
    problem = Description.split_problem
    if plast.type == "loss":
        p = Loss(plast, graph, B, 0, autograd=False)
        problem = split_problem(graph, plast, p.plan)
    else:
        p = build_plasticity(plast, graph, B, 0)
    return Description(p.name, p.depth, p.reads, p.if_reads, p.param_keys, p.trained,
                       dict(p.hyper), dict(p.variables), p.startframe, problem)


__all__ = ["build_plasticity", "describe_plasticity", "Description", "Plasticity", "Loss",
           "Hebbian", "Regularizer", "OPTIMIZERS", "TYPES", "plasticity_parts"]
