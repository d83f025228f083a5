"""Typed access to one item's keys: every wrong value is reported, never raised."""
from __future__ import annotations

import difflib
import re

from statestream.errors import Pos, Problems
from statestream.graph import expr as ex
from statestream.graph.nodes import LMap

MISSING = object()
_DEVICE = re.compile(r"(cpu|(gpu|cuda):(\d{1,3})|cpu:(\d{1,4}))\Z")
AT_START = {"run": 0, "pause": 1, "paused": 1, "off": 2}

MAX_INT = 2**31 - 1  # the largest integer any key accepts
MAX_MAGNITUDE = 1e12  # the largest magnitude any number key accepts
COMMON_KEYS = ("tags", "device", "period", "period offset", "at start", "bottleneck", "backend",
               "cpus")


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_none(value) -> bool:
    """False, null and the strings False/None switch an option off."""
    return value is None or value is False or value in ("False", "None", "false", "none")


def as_int(value):
    """An int for ints and integral floats, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return None


class Reader:
    def __init__(self, problems: Problems, name: str, raw: LMap, what: str = "item"):
        self.problems = problems
        self.name = str(name)
        self.raw = raw
        self.what = what

    # -- reporting --------------------------------------------------------------------
    def pos(self, key=None) -> Pos:
        if key is None:
            return self.raw.pos
        return self.raw.pos_of(key)

    def error(self, key, message: str) -> None:
        self.problems.error(self.pos(key), self.name, message)

    def warning(self, key, message: str) -> None:
        self.problems.warning(self.pos(key), self.name, message)

    def has(self, key) -> bool:
        return key in self.raw

    def get(self, key, default=None):
        return self.raw.get(key, default)

    # -- typed values -----------------------------------------------------------------
    def int(self, key, default=MISSING, minimum=None, maximum=None, required_msg=None):
        if key not in self.raw:
            if default is MISSING:
                self.error(None, required_msg or f"missing key {key!r}")
                return None
            return default
        value = as_int(self.raw[key])
        if value is None:
            self.error(key, f"{key} must be an integer, got {_show(self.raw[key])}")
            return None if default is MISSING else default
        if minimum is not None and value < minimum:
            self.error(key, f"{key} must be >= {minimum}, got {_show(value)}")
            return None if default is MISSING else default
        maximum = MAX_INT if maximum is None else min(maximum, MAX_INT)
        if value > maximum:
            self.error(key, f"{key} must be <= {maximum}, got {_show(value)}")
            return None if default is MISSING else default
        if value < -MAX_INT:
            self.error(key, f"{key} must be >= {-MAX_INT}, got {_show(value)}")
            return None if default is MISSING else default
        return value

    def number(self, key, default=MISSING, minimum=None, maximum=None, below=None):
        if key not in self.raw:
            if default is MISSING:
                self.error(None, f"missing key {key!r}")
                return None
            return default
        value = self.raw[key]
        if not is_number(value):
            self.error(key, f"{key} must be a number, got {_show(value)}")
            return None if default is MISSING else default
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            self.error(key, f"{key} must be a finite number")
            return None if default is MISSING else default
        if abs(value) > MAX_MAGNITUDE:
            self.error(key, f"{key} must lie in [-{MAX_MAGNITUDE:g}, {MAX_MAGNITUDE:g}], "
                       f"got {value:g}")
            return None if default is MISSING else default
        if minimum is not None and value < minimum:
            self.error(key, f"{key} must be >= {minimum}, got {value:g}")
            return None if default is MISSING else default
        if maximum is not None and value > maximum:
            self.error(key, f"{key} must be <= {maximum}, got {value:g}")
            return None if default is MISSING else default
        if below is not None and value >= below:
            self.error(key, f"{key} must be < {below}, got {value:g}")
            return None if default is MISSING else default
        return value

    def string(self, key, default=MISSING, required_msg=None):
        if key not in self.raw or self.raw[key] is None:
            if default is MISSING:
                self.error(None, required_msg or f"missing key {key!r}")
                return None
            return default
        value = self.raw[key]
        if not isinstance(value, str) or not value:
            self.error(key, f"{key} must be a non-empty string, got {_show(value)}")
            return None if default is MISSING else default
        return value

    def choice(self, key, options, default=None):
        """One of ``options``; False, null, "False" or "None" mean 'none' (returns None)."""
        if key not in self.raw:
            return default
        value = self.raw[key]
        if is_none(value):
            return None
        if isinstance(value, str) and value in options:
            return value
        allowed = ", ".join(str(o) for o in options)
        self.error(key, f"invalid {key} {_show(value)} (allowed: {allowed}, or False)")
        return default

    def boolean(self, key, default=False):
        if key not in self.raw:
            return default
        value = self.raw[key]
        if isinstance(value, bool):
            return value
        if value in ("True", "true", "False", "false"):
            return value in ("True", "true")
        self.error(key, f"{key} must be True or False, got {_show(value)}")
        return default

    def string_list(self, key, allow_scalar=True):
        if key not in self.raw or self.raw[key] is None:
            return ()
        value = self.raw[key]
        if isinstance(value, str) and allow_scalar:
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(key, f"{key} must be a list of names, got {_show(value)}")
            return ()
        return tuple(value)

    def activation(self, key, value, label=None):
        """Parsed activation expression (default Id when ``value`` is None)."""
        if value is None:
            return ex.parse_activation("Id")
        try:
            return ex.parse_activation(value)
        except ex.ExprError as exc:
            self.error(key, f"{label or key} {_show(value)}: {exc}")
            return ex.parse_activation("Id")

    # -- keys common to every item -------------------------------------------------------
    def common(self) -> dict:
        out = {}
        out["tags"] = self.string_list("tags")
        device = self.get("device", "cpu")
        if not isinstance(device, str) or not _DEVICE.match(device):
            self.error("device", f"invalid device {_show(device)} (use cpu, cpu:N, gpu:N or "
                       "cuda:N)")
            device = "cpu"
        out["cpus"] = self.cpus()
        if device.startswith("cpu:"):  # pinned to one core
            out["cpus"], device = out["cpus"] or (int(device[4:]),), "cpu"
        out["device"] = device
        period = self.int("period", 1, minimum=1)
        offset = self.int("period offset", 0, minimum=0)
        if period is not None and offset is not None and offset >= period:
            self.error("period offset", f"period offset must be < period ({period}), "
                       f"got {offset}")
            offset = 0
        out["period"] = period or 1
        out["period_offset"] = offset or 0
        at_start = self.get("at start", 0)
        if isinstance(at_start, str) and at_start in AT_START:
            at_start = AT_START[at_start]
        if as_int(at_start) not in (0, 1, 2):
            self.error("at start", f"at start must be 0 (run), 1 (pause) or 2 (off), got "
                       f"{_show(at_start)}")
            at_start = 0
        out["at_start"] = as_int(at_start)
        bottleneck = self.number("bottleneck", -1.0)
        out["bottleneck"] = -1.0 if bottleneck is None else bottleneck
        return out

    def cpus(self) -> tuple:
        """``cpus: N`` or ``cpus: [N, M, ...]``: the CPU cores an item's process may use."""
        if not self.has("cpus"):
            return ()
        raw = self.get("cpus")
        values = raw if isinstance(raw, list) else [raw]
        cores = tuple(as_int(v) for v in values)
        if not cores or any(c is None or c < 0 for c in cores):
            self.error("cpus", f"cpus must be a core number or a list of them, e.g. [0, 1], "
                       f"got {_show(raw)}")
            return ()
        return tuple(dict.fromkeys(cores))

    def unknown_keys(self, known, patterns=()) -> None:
        for key in self.raw:
            if key in known or any(re.fullmatch(p, str(key)) for p in patterns):
                continue
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.warning(key, f"unknown key {key!r} is ignored{hint}")


def _show(value) -> str:
    """Short text of a value; huge integers are described, never formatted in full."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"a {type(value).__name__} too large to show"
    return text if len(text) <= 60 else text[:57] + "..."


show = _show
