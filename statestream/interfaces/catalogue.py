"""Built-in interface types and their topics (pure data, read by graph validation)."""
from __future__ import annotations

from typing import NamedTuple


class InterfaceType(NamedTuple):
    inputs: tuple  # topics the interface reads from the network
    outputs: tuple  # topics it writes into the network
    needs_data: bool  # reads a dataset from disk


INTERFACE_TYPES = {
    "roman_numerals": InterfaceType(("rn_pred",), ("rn_image", "rn_label"), False),
    "random": InterfaceType((), ("random",), False),
    "oscillator": InterfaceType((), ("osci",), False),
    "moving_edges": InterfaceType((), ("medge_board", "medge_dxdy"), False),
    "mnist": InterfaceType(("mnist_pred",), ("mnist_image", "mnist_label"), True),
    "mnist_segmentation": InterfaceType(
        ("seg_mnist_pred",), ("seg_mnist_image", "seg_mnist_label", "seg_mnist_mask"), True),
    "cifar10": InterfaceType(("cf10_pred",), ("cf10_image", "cf10_label"), True),
    "transform_cifar10": InterfaceType(
        (), ("tcf10_image", "tcf10_transform", "tcf10_crop", "tcf10_relposmap"), True),
    "cityscapes": InterfaceType(
        ("cs_pred",), ("cs_image", "cs_class", "cs_label", "cs_mask", "cs_pclass"), True),
    "cityscapes_sequence": InterfaceType(
        ("css_pred",), ("css_image", "css_class", "css_label", "css_mask", "css_pclass"), True),
    "lettersequence": InterfaceType(("ls_pred",), ("ls_seq_0", "ls_seq_1"), True),
    "sim": InterfaceType(
        ("Fx", "Fy", "Fa"),
        ("ret_fov", "ret_per", "dist_fov", "dist_per", "haptic", "lookat", "acc_x", "acc_y",
         "acc_a"), False),
}
