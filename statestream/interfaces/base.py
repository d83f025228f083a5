"""The interface contract: construction, parameters, variables, step and saved state."""
from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING

import numpy as np

from statestream.backends.random import stream_key
from statestream.errors import Problem, UserError
from statestream.interfaces.catalogue import INTERFACE_TYPES

if TYPE_CHECKING:
    from statestream.graph.model import Graph, Interface as InterfaceItem

INF = math.inf
MODE_BOUNDS = (0.0, 1.0)  # batch, single
EPOCH_MODE_BOUNDS = (0.0, 3.0)  # batch, single, epoch, test
MAX_SETTING = 1e9  # the largest magnitude of any interface setting
PRESENTATION_BOUNDS = {"min_duration": (1.0, INF), "max_duration": (1.0, INF),
                       "fading": (0.0, INF)}


def interface_rng(seed: int, name: str, purpose: str = "stimulus") -> np.random.Generator:
    """A generator keyed by (seed, interface name, purpose), independent of all others."""
    return np.random.Generator(np.random.Philox(key=stream_key(seed, name, "interface/" + purpose)))


class Interface:
    """Base of every interface type.

    ``step(frame, inputs, params, split)`` runs in the write phase of ``frame``: ``inputs``
    hold the ``in`` NP states written in ``frame - 1``; the returned out topics are added
    by their NPs to their state in ``frame + 1``. Subclasses implement ``_step`` and list
    their saved attributes in ``STATE``.
    """

    TYPE = ""
    needs_data = False
    STATE: tuple = ()  # attribute names captured by state_dict

    def __init__(self, item: "InterfaceItem", graph: "Graph", seed: int):
        self.name = item.name
        self.item = item
        self.graph = graph
        self.seed = int(seed)
        self.agents = int(graph.agents)
        self.out_shapes = {t: tuple(graph.np_state_shape(item.np_of(t))) for t in item.outputs}
        self.in_shapes = {t: tuple(graph.np_state_shape(item.np_of(t))) for t in item.inputs}
        self.in_topics = tuple(item.inputs)
        self.param_bounds: dict = {"mode": self.mode_bounds()}
        self.params: dict = {}
        self.variables: dict = {t: shape for t, shape in self.out_shapes.items()}
        self.variables["_trigger_"] = (self.agents,)

    # -- construction helpers -------------------------------------------------------------
    @property
    def catalogue(self):
        return INTERFACE_TYPES.get(self.item.type)

    def mode_bounds(self) -> tuple:
        info = self.catalogue
        return EPOCH_MODE_BOUNDS if info is not None and info.epochs else MODE_BOUNDS

    def fail(self, key: str | None, message: str) -> UserError:
        """A one-line user error positioned at ``key`` (or the item)."""
        pos = self.item.pos_of(key) if key else self.item.pos
        error = UserError(str(Problem(pos, self.name, message)))
        error.problem = Problem(pos, self.name, message)
        return error

    def spec_number(self, key: str, default, bounds=(-INF, INF), integer=False):
        """Number under ``key`` of the item (else ``default``), checked against ``bounds``."""
        value = self.item.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"{key} must be a number, got {_shown(value)}")
        if not math.isfinite(value) or abs(value) > MAX_SETTING:
            raise self.fail(key, f"{key} must be a finite number within +-{MAX_SETTING:g}, "
                            f"got {_shown(value)}")
        if integer and value != int(value):
            raise self.fail(key, f"{key} must be a whole number, got {value!r}")
        lo, hi = bounds
        if not lo <= value <= hi:
            raise self.fail(key, f"{key} must lie in [{_show(lo)}, {_show(hi)}], got {value!r}")
        return int(value) if integer else float(value)

    def add_param(self, key: str, default: float, bounds=(-INF, INF), integer=False) -> None:
        """Declare an editable scalar; its initial value comes from the item's key."""
        self.param_bounds[key] = (max(float(bounds[0]), -MAX_SETTING),
                                  min(float(bounds[1]), MAX_SETTING))
        self.params[key] = float(self.spec_number(key, default, bounds, integer))

    def add_presentation_params(self, defaults=None) -> None:
        """mode, min_duration, max_duration (and fading) with the type's defaults."""
        for key, default in (defaults or self.catalogue.params).items():
            bounds = self.param_bounds["mode"] if key == "mode" else PRESENTATION_BOUNDS[key]
            self.add_param(key, default, bounds, integer=True)
        if self.params["max_duration"] < self.params["min_duration"]:
            raise self.fail("max_duration", "max_duration must not be smaller than "
                            f"min_duration ({_show(self.params['min_duration'])})")

    def check_features(self, topic: str, features: int, direction: str = "out") -> None:
        shapes = self.out_shapes if direction == "out" else self.in_shapes
        if topic in shapes and shapes[topic][1] != features:
            np_name = self.item.np_of(topic)
            raise self.fail("in" if direction == "in" else "out",
                            f"{topic} needs a neuron-pool with {features} features, "
                            f"{np_name!r} has {shapes[topic][1]}")

    # -- running --------------------------------------------------------------------------
    def current_params(self, params: dict | None) -> dict:
        """The editable scalars for this frame: given values clamped into their bounds."""
        merged = dict(self.params)
        for key, value in (params or {}).items():
            if key in merged:
                lo, hi = self.param_bounds.get(key, (-INF, INF))
                merged[key] = min(max(float(value), lo), hi)
        if "max_duration" in merged:
            merged["max_duration"] = max(merged["max_duration"], merged["min_duration"])
        return merged

    def step(self, frame: int, inputs: dict, params: dict, split: int) -> dict:
        """Every variable (float32, declared shape) for ``frame``."""
        current = self.current_params(params)
        split = min(max(int(split), 0), self.agents)
        out = self._step(int(frame), inputs or {}, current, split)
        if int(round(current.get("mode", 0))) == 1:  # single: agent 0's stimulus everywhere
            for topic, shape in self.out_shapes.items():
                out[topic] = np.broadcast_to(np.asarray(out[topic])[:1], shape)
        return {name: np.array(out[name], dtype=np.float32).reshape(shape)
                for name, shape in self.variables.items()}

    def _step(self, frame: int, inputs: dict, params: dict, split: int) -> dict:
        raise NotImplementedError

    def zeros(self, name: str) -> np.ndarray:
        return np.zeros(self.variables[name], dtype=np.float32)

    # -- saved state ----------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The whole internal state (numpy arrays and plain Python values)."""
        return {name: _export(getattr(self, name)) for name in self.STATE}

    def load_state_dict(self, state: dict) -> None:
        for name in self.STATE:
            current = getattr(self, name)
            value = state[name]
            if isinstance(current, np.random.Generator):
                current.bit_generator.state = copy.deepcopy(value)
            elif hasattr(current, "load_state_dict"):
                current.load_state_dict(value)
            elif isinstance(current, dict) and current and hasattr(
                    next(iter(current.values())), "load_state_dict"):
                for key, part in current.items():
                    part.load_state_dict(value[key])
            else:
                setattr(self, name, copy.deepcopy(value))


def _export(value):
    if isinstance(value, np.random.Generator):
        return copy.deepcopy(value.bit_generator.state)
    if hasattr(value, "state_dict"):
        return value.state_dict()
    if isinstance(value, dict) and value and hasattr(next(iter(value.values())), "state_dict"):
        return {key: part.state_dict() for key, part in value.items()}
    return copy.deepcopy(value)


def _show(number) -> str:
    if number in (INF, -INF):
        return "inf" if number > 0 else "-inf"
    return f"{number:g}"


def _shown(value) -> str:
    text = repr(value) if not (isinstance(value, int) and value.bit_length() > 200) else \
        "a huge integer"
    return text if len(text) <= 60 else text[:57] + "..."
