"""Interfaces: data in and out of a running network.

``create(item, graph, seed)`` builds the interface of a graph item; ``interface_class``
finds a type: built in, ``package.module:ClassName``, or an entry point in the group
``statestream.interfaces``. Implementations are imported lazily (graph validation reads
only the catalogue).
"""
from __future__ import annotations

import importlib

from statestream.errors import Problem, UserError
from statestream.interfaces.catalogue import INTERFACE_TYPES, NOT_IMPLEMENTED

ENTRY_POINT_GROUP = "statestream.interfaces"
SYNTHETIC_HINT = "pass --synthetic-inputs to replace it with random data"

BUILT_IN = {
    "roman_numerals": "statestream.interfaces.roman_numerals:RomanNumerals",
    "random": "statestream.interfaces.random_values:RandomValues",
    "oscillator": "statestream.interfaces.oscillator:Oscillator",
    "moving_edges": "statestream.interfaces.moving_edges:MovingEdges",
    "mnist": "statestream.interfaces.classification:Mnist",
    "cifar10": "statestream.interfaces.classification:Cifar10",
    "digits": "statestream.interfaces.digits:Digits",
    "mnist_segmentation": "statestream.interfaces.segmentation:MnistSegmentation",
    "lettersequence": "statestream.interfaces.lettersequence:LetterSequence",
    "transform_cifar10": "statestream.interfaces.transform_cifar10:TransformCifar10",
    "cityscapes": "statestream.interfaces.cityscapes:Cityscapes",
    "cityscapes_sequence": "statestream.interfaces.cityscapes:CityscapesSequence",
    "sim": "statestream.interfaces.sim:Sim",
}


class UnknownInterface(UserError):
    """No class can be found for an interface type."""


class InterfaceNotImplemented(UserError):
    """A built-in type whose implementation does not exist yet."""


def interface_class(type_name: str) -> type:
    """The class implementing ``type_name`` (raises UnknownInterface / InterfaceNotImplemented
    with a message that has no position)."""
    if type_name in BUILT_IN:
        return _import(BUILT_IN[type_name], type_name)
    if type_name in NOT_IMPLEMENTED:
        raise InterfaceNotImplemented(f"interface type {type_name!r} is not implemented yet; "
                                      f"{SYNTHETIC_HINT}")
    if ":" in type_name:
        return _import(type_name, type_name)
    found = _entry_point(type_name)
    if found is not None:
        return found
    known = ", ".join(sorted(INTERFACE_TYPES))
    raise UnknownInterface(
        f"interface type {type_name!r} not found (built in: {known}; a plugin is named "
        f"package.module:ClassName or registered in the entry-point group {ENTRY_POINT_GROUP})")


def create(item, graph, seed: int, synthetic: bool = False):
    """The interface of ``item``; with ``synthetic`` a type that needs a dataset (or is not
    implemented yet) becomes a SyntheticSource with the same topics and variables."""
    if synthetic and _replace_by_synthetic(item.type):
        from statestream.interfaces.synthetic import SyntheticSource

        return SyntheticSource(item, graph, seed)
    try:
        cls = interface_class(item.type)
    except (UnknownInterface, InterfaceNotImplemented) as exc:
        raise type(exc)(str(Problem(item.pos_of("type"), item.name, str(exc)))) from None
    if synthetic and getattr(cls, "needs_data", False):
        from statestream.interfaces.synthetic import SyntheticSource

        return SyntheticSource(item, graph, seed)
    return cls(item, graph, seed)


def _replace_by_synthetic(type_name: str) -> bool:
    info = INTERFACE_TYPES.get(type_name)
    return info is not None and (info.needs_data or type_name in NOT_IMPLEMENTED)


def _import(target: str, type_name: str) -> type:
    module_name, _, attribute = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise UnknownInterface(f"interface type {type_name!r} not found: "
                               f"{' '.join(str(exc).split())}") from None
    return _checked(cls, type_name)


def _entry_point(type_name: str):
    from importlib.metadata import entry_points

    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name == type_name:
            try:
                cls = point.load()
            except Exception as exc:  # a broken plugin is the user's problem to see
                raise UnknownInterface(f"interface type {type_name!r}: loading entry point "
                                       f"{point.value} failed: {exc}") from None
            return _checked(cls, type_name)
    return None


def _checked(cls, type_name: str) -> type:
    from statestream.interfaces.base import Interface

    if not (isinstance(cls, type) and issubclass(cls, Interface)):
        raise UnknownInterface(f"interface type {type_name!r} is not a subclass of "
                               "statestream.interfaces.base.Interface")
    return cls


_LAZY = {"DatasetMissing": "statestream.interfaces.datasets",
         "SyntheticSource": "statestream.interfaces.synthetic",
         "Interface": "statestream.interfaces.base"}


def __getattr__(name):  # heavier modules load on first use
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["create", "interface_class", "UnknownInterface", "InterfaceNotImplemented",
           "DatasetMissing", "SyntheticSource", "Interface", "ENTRY_POINT_GROUP"]
