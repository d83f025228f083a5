"""Which sample an agent gets: data parts, sampling with replacement, epoch walks."""
from __future__ import annotations

import numpy as np

TRAIN, VALID, TEST = 0, 1, 2
PART_NAMES = ("train", "valid", "test")


def part_of(agent: int, mode: int, split: int, uses_split: bool = True) -> int:
    """Data part of an agent: test in mode 3, valid for agents < split, else train."""
    if mode == 3:
        return TEST
    if uses_split and agent < split:
        return VALID
    return TRAIN


class SampleSelector:
    """Draws sample indices per part; in walk (epoch/test) mode each part walks a random
    permutation without replacement and reshuffles as soon as it is used up, which
    increments that part's epoch counter."""

    def __init__(self, sizes: tuple, rng: np.random.Generator):
        self.sizes = tuple(int(s) for s in sizes)
        self.rng = rng
        self.restart()

    def restart(self) -> None:
        self.order = [None, None, None]
        self.cursor = [0, 0, 0]
        self.epoch = [0, 0, 0]

    def draw(self, part: int, walk: bool) -> tuple:
        """(index, epoch of that index); the epoch is 0 outside walk mode."""
        size = self.sizes[part]
        if not walk:
            return int(self.rng.integers(size)), 0
        if self.order[part] is None:
            self.order[part] = self.rng.permutation(size)
        index = int(self.order[part][self.cursor[part]])
        epoch = self.epoch[part]
        self.cursor[part] += 1
        if self.cursor[part] >= size:
            self.order[part] = self.rng.permutation(size)
            self.cursor[part] = 0
            self.epoch[part] += 1
        return index, epoch

    def state_dict(self) -> dict:
        return {"order": [None if o is None else o.copy() for o in self.order],
                "cursor": list(self.cursor), "epoch": list(self.epoch)}

    def load_state_dict(self, state: dict) -> None:
        self.order = [None if o is None else np.array(o) for o in state["order"]]
        self.cursor = list(state["cursor"])
        self.epoch = list(state["epoch"])
