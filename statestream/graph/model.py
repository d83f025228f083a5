"""Frozen, typed items of a fully expanded and validated graph.

Every item keeps its expanded mapping (``spec``, read-only) and where it was written
(``pos``, ``kpos``); the typed fields hold the normalised values the builders use.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, NamedTuple

from statestream.errors import Pos, Problem
from statestream.graph.expr import Expr
from statestream.graph.nodes import to_plain

SHAPE_MODES = ("full", "feature", "spatial", "scalar")
NORM_MODES_LAYER = ("full", "feature", "spatial")
WEIGHT_SHAPES = ("full", "feature", "spatial", "scalar", "src_feature", "tgt_feature",
                 "src_spatial", "tgt_spatial")
NOISE_TYPES = ("normal", "uniform", "Bernoulli")
PLASTICITY_TYPES = ("loss", "hebbian", "L_regularizer")
OPTIMIZERS = ("grad_desc", "adam", "rmsprop")
HEBBIAN_MODES = ("hebbian", "anti_hebbian", "dt hebbian", "dt anti_hebbian")
ROLLOUT_MODES = ("replay", "forecast")
BACKENDS = ("torch", "numpy", "tensorflow", "theano", "pytensor")
DEFAULT_BACKEND = "torch"


def freeze(value):
    """Read-only deep copy: mappings become MappingProxyType, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


class ParamRef(NamedTuple):
    kind: str  # np | sp
    item: str
    name: str


@dataclass(frozen=True)
class Item:
    name: str
    spec: Mapping = field(repr=False)
    pos: Pos = field(compare=False, repr=False)
    kpos: Mapping = field(compare=False, repr=False)
    tags: tuple = ()
    device: str = "cpu"
    period: int = 1
    period_offset: int = 0
    at_start: int = 0  # 0 run, 1 paused, 2 off
    bottleneck: float = -1.0
    cpus: tuple = ()  # CPU cores its process is pinned to (empty: any)

    kind = "item"

    def get(self, key, default=None):
        return self.spec.get(key, default)

    def pos_of(self, key) -> Pos:
        return self.kpos.get(key, self.pos)


@dataclass(frozen=True)
class NeuronPool(Item):
    shape: tuple = (1, 1, 1)  # (C, X, Y)
    act: Expr | None = None
    bias_shape: str | None = "feature"
    gain_shape: str | None = None
    batchnorm_mean: str | None = None
    batchnorm_std: str | None = None
    layernorm_mean: str | None = None
    layernorm_std: str | None = None
    noise: str | None = None
    dropout: float | None = None
    zoneout: float | None = None
    unshare: frozenset = frozenset()
    binary: bool = False

    kind = "np"

    @property
    def features(self) -> int:
        return self.shape[0]

    @property
    def spatial(self) -> tuple:
        return self.shape[1:]

    @property
    def is_spatial(self) -> bool:
        return self.shape[1:] != (1, 1)


@dataclass(frozen=True)
class SynapsePool(Item):
    source: tuple = ()  # ((np, np), (np,)): factor -> inputs
    target: str = ""
    rf: tuple = ()  # per input, 0 = dense
    dilation: tuple = ()
    ppp: tuple = ()
    weight_shapes: tuple = ()
    target_shapes: tuple = ()
    weight_fnc: tuple = ()  # Expr per input
    pact: tuple = ()  # Expr per input
    factor_shapes: tuple = ()
    bias_shapes: tuple | None = None  # per factor: mode or None
    act: tuple = ()  # Expr per factor
    ACT: Expr | None = None
    avgout: int = 1
    maxout: int = 1
    M: tuple | None = None  # (hidden, rf)
    noise: str | None = None
    func: Expr | None = None
    transformer: bool = False
    share_params: Mapping = field(default_factory=lambda: MappingProxyType({}))
    unshare: frozenset = frozenset()

    kind = "sp"

    @property
    def factors(self) -> int:
        return len(self.source)

    def inputs(self):
        """(factor, input, source NP name) for every input."""
        return [(f, i, name) for f, row in enumerate(self.source) for i, name in enumerate(row)]

    @property
    def source_nps(self) -> tuple:
        seen: list = []
        for row in self.source:
            for name in row:
                if name not in seen:
                    seen.append(name)
        return tuple(seen)


@dataclass(frozen=True)
class Plasticity(Item):
    type: str = "loss"
    parameter: tuple = ()  # ParamRef
    optimizer: str = "grad_desc"
    source: str | None = None
    target: str | None = None
    mask: str | None = None
    source_t: int = 0
    target_t: int = 0
    loss_function: str | None = None
    modus: str | None = None
    ignore_split: bool = False
    startframe: int = 2
    rollout: str = "replay"

    kind = "plast"


@dataclass(frozen=True)
class Interface(Item):
    type: str = ""
    inputs: tuple = ()  # topic names
    outputs: tuple = ()
    remap: Mapping = field(default_factory=lambda: MappingProxyType({}))

    kind = "if"

    def np_of(self, topic: str) -> str:
        return self.remap.get(topic, topic)


@dataclass(frozen=True)
class CoreClient(Item):
    type: str = ""

    kind = "client"


ITEM_SECTION_NAMES = ("neuron_pools", "synapse_pools", "plasticities", "interfaces",
                      "core_clients")


@dataclass(frozen=True, eq=False)
class Graph:
    """A validated graph. Equality compares content, not positions."""

    name: str
    agents: int
    backend: str
    file: str
    neuron_pools: Mapping
    synapse_pools: Mapping
    plasticities: Mapping
    interfaces: Mapping
    core_clients: Mapping
    extras: Mapping  # other top-level keys, e.g. first_response_streaming
    sources: tuple = ()
    warnings: tuple = ()  # Problem
    backend_given: bool = False
    kpos: Mapping = field(default_factory=dict, compare=False, repr=False)  # top-level keys

    def pos_of(self, key) -> Pos:
        return self.kpos.get(key, Pos(self.file, 1))

    def __eq__(self, other) -> bool:
        return isinstance(other, Graph) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.name, self.agents))

    def to_dict(self) -> dict:
        """The expanded graph as plain data (what ``check --explicit`` prints)."""
        out: dict = {"name": self.name, "agents": self.agents}
        if self.backend_given:
            out["backend"] = self.backend
        for key, value in self.extras.items():
            out[key] = to_plain(value)
        for section in ITEM_SECTION_NAMES:
            items = getattr(self, section)
            if section == "core_clients" and not items:
                continue
            out[section] = {name: to_plain(item.spec) for name, item in items.items()}
        return out

    def items(self):
        for section in ITEM_SECTION_NAMES:
            yield from getattr(self, section).values()

    def item(self, name: str):
        for section in ITEM_SECTION_NAMES:
            found = getattr(self, section).get(name)
            if found is not None:
                return found
        return None

    def np_state_shape(self, name: str) -> tuple:
        return (self.agents,) + tuple(self.neuron_pools[name].shape)

    def incoming(self, np_name: str) -> list:
        """SPs targeting ``np_name``, in definition order."""
        return [sp for sp in self.synapse_pools.values() if sp.target == np_name]

    def interface_fed(self) -> set:
        """NPs that receive some interface output."""
        fed = set()
        for iface in self.interfaces.values():
            for topic in iface.outputs:
                fed.add(iface.np_of(topic))
        return fed

    def with_agents(self, agents: int) -> "Graph":
        from dataclasses import replace

        return replace(self, agents=int(agents))


__all__ = ["Graph", "NeuronPool", "SynapsePool", "Plasticity", "Interface", "CoreClient",
           "ParamRef", "Problem", "freeze"]
