"""Convolution padding rules (pure Python, shared by every backend)."""
from __future__ import annotations

Pads = tuple[tuple[int, int], tuple[int, int]]


def pair(value) -> tuple[int, int]:
    """``3`` -> ``(3, 3)``; ``(2, 1)`` -> ``(2, 1)``."""
    if isinstance(value, (tuple, list)):
        first, second = value
        return int(first), int(second)
    return int(value), int(value)


def same_pads(size: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """TensorFlow's SAME rule with dilation: ceil(size / stride) outputs, extra pad at the end."""
    out = -(-size // stride)
    effective = (kernel - 1) * dilation + 1
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def conv_pads(size_hw, kernel_hw, stride=(1, 1), dilation=(1, 1), padding="same") -> Pads:
    """Resolve ``padding`` ("same", "valid", ``((t, b), (l, r))`` or ``(ph, pw)``) to pads."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return (0, 0), (0, 0)
        if mode == "same":
            (sh, sw), (dh, dw) = pair(stride), pair(dilation)
            return (same_pads(size_hw[0], kernel_hw[0], sh, dh),
                    same_pads(size_hw[1], kernel_hw[1], sw, dw))
        raise ValueError(f"unknown padding {padding!r}; use 'same', 'valid' or ((t, b), (l, r))")
    rows, cols = padding
    return pair(rows), pair(cols)


def conv_output_hw(size_hw, kernel_hw, stride, dilation, pads: Pads) -> tuple[int, int]:
    """Output height and width of a padded, strided, dilated convolution."""
    out = []
    for size, kernel, s, d, (before, after) in zip(size_hw, kernel_hw, pair(stride),
                                                    pair(dilation), pads):
        effective = (kernel - 1) * d + 1
        n = (size + before + after - effective) // s + 1
        if n <= 0 or min(before, after) < 0:
            raise ValueError(f"convolution of size {size} with dilated kernel {effective} "
                             f"and pads {(before, after)} gives no output")
        out.append(n)
    return out[0], out[1]
