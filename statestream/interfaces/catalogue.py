"""Built-in interface types and their topics (pure data, read by graph validation)."""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping, NamedTuple

_NONE = MappingProxyType({})


def _presentation(min_duration: int, max_duration: int, fading: int | None = 4) -> Mapping:
    params = {"mode": 0, "min_duration": min_duration, "max_duration": max_duration}
    if fading is not None:
        params["fading"] = fading
    return MappingProxyType(params)


class InterfaceType(NamedTuple):
    inputs: tuple  # topics the interface reads from the network
    outputs: tuple  # topics it writes into the network
    needs_data: bool  # reads a dataset from disk
    params: Mapping = _NONE  # editable scalars shared by the type and their defaults
    metrics: tuple = ()  # TCM suffixes for held-in/held-out agents ("" = one TCM, all agents)
    epochs: bool = False  # has modes 2 (epoch) / 3 (test) and `_epoch_trigger_`


INTERFACE_TYPES = {
    "roman_numerals": InterfaceType(("rn_pred",), ("rn_image", "rn_label"), False,
                                    _presentation(16, 24), ("",)),
    "random": InterfaceType((), ("random",), False, MappingProxyType({"mode": 0})),
    "oscillator": InterfaceType((), ("osci",), False, MappingProxyType({"mode": 0})),
    "moving_edges": InterfaceType((), ("medge_board", "medge_dxdy"), False,
                                  _presentation(8, 16, None)),
    "mnist": InterfaceType(("mnist_pred",), ("mnist_image", "mnist_label"), True,
                           _presentation(16, 24), ("train", "valid"), True),
    "mnist_segmentation": InterfaceType(
        ("seg_mnist_pred",), ("seg_mnist_image", "seg_mnist_label", "seg_mnist_mask"), True,
        _presentation(8, 16), ("train", "test"), True),
    "cifar10": InterfaceType(("cf10_pred",), ("cf10_image", "cf10_label"), True,
                             _presentation(12, 16), ("train", "valid"), True),
    "transform_cifar10": InterfaceType(
        (), ("tcf10_image", "tcf10_transform", "tcf10_crop", "tcf10_relposmap"), True,
        _presentation(12, 16), (), True),
    "cityscapes": InterfaceType(
        ("cs_pred",), ("cs_image", "cs_class", "cs_label", "cs_mask", "cs_pclass"), True,
        _presentation(4, 6, None), ("train", "test"), True),
    "cityscapes_sequence": InterfaceType(
        ("css_pred",), ("css_image", "css_class", "css_label", "css_mask", "css_pclass"), True,
        _presentation(4, 6, None), (), True),
    "lettersequence": InterfaceType(("ls_pred",), ("ls_seq_0", "ls_seq_1"), True,
                                    _presentation(16, 24, None), ("",), True),
    "digits": InterfaceType(("digits_pred",), ("digits_image", "digits_label"), True,
                            _presentation(8, 12, 0), ("train", "valid"), True),
    "sim": InterfaceType(
        ("Fx", "Fy", "Fa"),
        ("ret_fov", "ret_per", "dist_fov", "dist_per", "haptic", "lookat", "acc_x", "acc_y",
         "acc_a"), False, MappingProxyType({"mode": 0})),
}

# What an out topic carries, for synthetic replacements; unlisted topics are images.
TOPIC_KINDS = MappingProxyType({
    "rn_label": "label", "digits_label": "label", "mnist_label": "label", "seg_mnist_label": "label",
    "cf10_label": "label", "cs_label": "label", "css_label": "label",
    "ls_seq_0": "label", "ls_seq_1": "label",
    "seg_mnist_mask": "mask", "cs_mask": "mask", "css_mask": "mask",
})

# Built-in types whose real implementation does not exist yet (synthetic inputs only).
NOT_IMPLEMENTED: frozenset = frozenset()


def topic_kind(topic: str) -> str:
    """image | label | mask (by table, else by the topic's name)."""
    if topic in TOPIC_KINDS:
        return TOPIC_KINDS[topic]
    for kind in ("label", "mask"):
        if topic.endswith(kind):
            return kind
    return "image"
