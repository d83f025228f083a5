"""What every plasticity shares: trained parameters, settings, variables, step()."""
from __future__ import annotations

import numpy as np

from statestream.errors import Problem, UserError
from statestream.neuronal import resolve_param
from statestream.graph.layout import param_map

from .optimizers import build_optimizer, var_suffix

F32 = np.float32


def trained_params(graph, plast) -> tuple:
    """(owner, pname) of every listed parameter, sharing resolved, duplicates removed."""
    keys = [resolve_param(graph, ref.item, ref.name) for ref in plast.parameter]
    return tuple(dict.fromkeys(keys))


def param_shape(graph, key) -> tuple:
    owner, pname = key
    return tuple(param_map(graph, graph.item(owner))[pname].shape)


def user_error(plast, message: str) -> UserError:
    return UserError(str(Problem(plast.pos, plast.name, message)))


def is_active(frame: int, startframe: int, depth: int) -> bool:
    """After ``startframe`` and once frames ``frame-1-depth .. frame-1`` exist."""
    return frame > startframe and frame - 1 - depth >= 0


class Plasticity:
    """Base class: subclasses set ``depth``, ``reads``... and implement ``gradients``."""

    depth = 0
    reads = frozenset()
    if_reads = frozenset()
    param_keys = ()

    def __init__(self, plast, graph, B, seed: int):
        self.item, self.graph, self.B, self.seed = plast, graph, B, int(seed)
        self.name = plast.name
        self.startframe = int(plast.startframe)
        self.trained = trained_params(graph, plast)
        self.shapes = {key: param_shape(graph, key) for key in self.trained}
        self.optimizer = build_optimizer(plast)
        self.hyper = dict(self.optimizer.hyper)
        self.variables = {f"grad.{var_suffix(k)}": s for k, s in self.shapes.items()}
        self.variables.update(self.optimizer.variables(self.shapes))

    def active(self, frame: int) -> bool:
        return is_active(frame, self.startframe, self.depth)

    def step(self, frame, recorded, if_input, params, hyper, variables, split) -> dict:
        """Deltas {(owner, pname): float32 array}; ``variables`` are updated in place."""
        grads = self.gradients(frame, recorded, if_input, params, hyper, variables, split)
        return self.finish(grads, hyper, variables)

    def finish(self, grads: dict, hyper: dict, variables: dict) -> dict:
        """Store the gradients in the variables and turn them into deltas (optimizer)."""
        for key, g in grads.items():
            variables[f"grad.{var_suffix(key)}"][...] = g
        return self.optimizer.deltas(grads, hyper, variables)

    def gradients(self, frame, recorded, if_input, params, hyper, variables, split) -> dict:
        """{(owner, pname): float32 gradient} for every trained parameter, in order."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


__all__ = ["Plasticity", "is_active", "param_shape", "trained_params", "user_error"]
