"""Plain dicts and lists that remember where they (and their entries) were written."""
from __future__ import annotations

from collections.abc import Mapping

from statestream.errors import Pos

UNKNOWN = Pos("<unknown>", 0)


class LMap(dict):
    """A mapping with the position of the mapping and of each key."""

    def __init__(self, *args, pos: Pos = UNKNOWN, **kwargs):
        super().__init__(*args, **kwargs)
        self.pos = pos
        self.kpos: dict = {}

    def pos_of(self, key) -> Pos:
        return self.kpos.get(key, self.pos)

    def set(self, key, value, pos: Pos | None = None) -> None:
        self[key] = value
        if pos is not None:
            self.kpos[key] = pos


class LSeq(list):
    """A list with the position of the list and of each entry."""

    def __init__(self, *args, pos: Pos = UNKNOWN):
        super().__init__(*args)
        self.pos = pos
        self.ipos: list[Pos] = [pos] * len(self)

    def pos_of(self, index: int) -> Pos:
        if 0 <= index < len(self.ipos):
            return self.ipos[index]
        return self.pos

    def append_at(self, value, pos: Pos) -> None:
        self.append(value)
        self.ipos.append(pos)


def pos_of(node, default: Pos = UNKNOWN) -> Pos:
    return getattr(node, "pos", default)


def copy_node(node):
    """Deep copy that keeps positions (plain ``copy.deepcopy`` also would, this is faster)."""
    if isinstance(node, LMap):
        out = LMap(pos=node.pos)
        for key, value in node.items():
            out[key] = copy_node(value)
        out.kpos = dict(node.kpos)
        return out
    if isinstance(node, LSeq):
        out = LSeq((copy_node(v) for v in node), pos=node.pos)
        out.ipos = list(node.ipos)
        return out
    if isinstance(node, dict):
        return {k: copy_node(v) for k, v in node.items()}
    if isinstance(node, list):
        return [copy_node(v) for v in node]
    return node


def to_plain(node):
    """Positions dropped: nested plain dicts/lists (tuples become lists)."""
    if isinstance(node, Mapping):
        return {k: to_plain(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [to_plain(v) for v in node]
    return node


def located(value, pos: Pos):
    """Wrap plain containers (recursively) into located ones at ``pos``."""
    if isinstance(value, (LMap, LSeq)):
        return value
    if isinstance(value, dict):
        out = LMap(pos=pos)
        for key, item in value.items():
            out.set(key, located(item, pos), pos)
        return out
    if isinstance(value, (list, tuple)):
        out = LSeq(pos=pos)
        for item in value:
            out.append_at(located(item, pos), pos)
        return out
    return value
