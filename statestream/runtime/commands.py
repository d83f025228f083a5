"""The command language of a session, shared by the terminal, the GUI, clients and scripts.

A command is one line of words. Every argument is parsed against its type and bounds
before anything changes; a mistake is a one-line ``error: ...`` reply and the session
goes on. The core executes commands between frames (see :class:`CommandRunner`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

MAX_LINE = 4096
MAX_STEPS = 10**9
MAX_PERIOD = 10**6
MAX_DELAY_MS = 60_000.0
FLOAT32_MAX = float(np.finfo(np.float32).max)


_INTEGER = re.compile(r"[+-]?[0-9]{1,24}")
READ_ONLY = frozenset({"status", "state", "get", "help", "nps", "sps", "items", "log"})
# commands whose replies are listings (several lines); every other reply is one line
LISTINGS = frozenset({"nps", "sps", "items", "log", "profile", "settings", "ccs", "ccmsg",
                      "cstat", "mv"})
# commands that only touch what the core itself reads between frames: answered at once too
CORE_CONTROLS = frozenset({"stream", "step", "delay", "exit"})


class CommandError(ValueError):
    """A wrong command: the reply is ``error: <message>``."""


@dataclass(frozen=True)
class Arg:
    """One argument: ``kind`` is int, float, item (a process: NP, interface, plasticity),
    any_item (also a synapse-pool), np, name, path, word or rest (all the remaining words,
    as a list; only last)."""

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    optional: bool = False


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple
    help: str

    @property
    def usage(self) -> str:
        words = [self.name] + [f"[{a.name}...]" if a.kind == "rest" else
                           f"[{a.name}]" if a.optional else a.name for a in self.args]
        return " ".join(words)


def _c(name, help_text, *args):
    return Command(name, tuple(args), help_text)


COMMANDS = {c.name: c for c in (
    _c("stream", "compute frames continuously"),
    _c("pause", "stop streaming and pending steps (or pause one item: pause ITEM)", Arg("ITEM", "item", optional=True)),
    _c("step", "compute N frames (default 1), then stay paused",
       Arg("N", "int", 1, MAX_STEPS, optional=True)),
    _c("resume", "let a paused or switched-off item compute again", Arg("ITEM", "item")),
    _c("off", "switch an item off (it writes zeros)", Arg("ITEM", "item")),
    _c("delay", "wait MS milliseconds after every frame", Arg("MS", "float", 0, MAX_DELAY_MS)),
    _c("split", "hold agents below N out of training", Arg("N", "int", 0, None)),
    _c("period", "compute ITEM every P frames", Arg("ITEM", "item"), Arg("P", "int", 1, MAX_PERIOD)),
    _c("offset", "compute ITEM at frames where frame % period == O", Arg("ITEM", "item"),
       Arg("O", "int", 0, MAX_PERIOD - 1)),
    _c("bottleneck", "let ITEM's period follow its cost (F > 0), or reset it (F <= 0)",
       Arg("ITEM", "item"), Arg("F", "float", -1e6, 1e6)),
    _c("set", "set a scalar setting or parameter of an item", Arg("ITEM", "any_item"),
       Arg("NAME", "name"), Arg("VALUE", "float")),
    _c("get", "print a setting or parameter of an item", Arg("ITEM", "any_item"),
       Arg("NAME", "name")),
    _c("state", "statistics of a neuron-pool's last state (no argument: the status)",
       Arg("NP", "np", optional=True)),
    _c("status", "frame, streaming or paused, split, delay, processes"),
    _c("save", "save the whole session as an .npz snapshot", Arg("PATH", "path")),
    _c("load", "swap a saved net (.st_net or .npz) into the session between frames",
       Arg("PATH", "path")),
    _c("nps", "list the neuron-pools and their shapes"),
    _c("sps", "list the synapse-pools, their sources and targets"),
    _c("items", "list every item with its kind, period and mode"),
    _c("profile", "per item: compute, read and write ms (mean of recent frames), executions"),
    _c("settings", "the scalar settings of an item with their values and bounds",
       Arg("ITEM", "any_item")),
    _c("log", "the manipulation log: every change made by set (frame, item, name, old, new)"),
    _c("ccs", "list the core clients and whether they are active"),
    _c("ccmsg", "the latest messages of the core clients (or of one)",
       Arg("CLIENT", "word", optional=True)),
    _c("ccstart", "activate a core client", Arg("CLIENT", "word")),
    _c("ccstop", "deactivate a core client", Arg("CLIENT", "word")),
    _c("cstat", "state of every core client: active, frames, time per frame, progress"),
    _c("mv", "meta-variables: mv list | mv add NAME TYPE key=value ... | mv remove NAME | "
       "mv show NAME | mv data NAME [FRAMES] | mv info (see docs/metavariables.md)",
       Arg("ACTION", "word"), Arg("ARGS", "rest", optional=True)),
    _c("help", "list the commands, or explain one", Arg("COMMAND", "word", optional=True)),
    _c("exit", "end the session"),
)}


def split_line(text: str) -> list:
    if not isinstance(text, str):
        raise CommandError("a command is a line of text")
    if len(text) > MAX_LINE:
        raise CommandError(f"command longer than {MAX_LINE} characters")
    if any(ord(ch) < 32 and ch not in "\t" for ch in text):
        raise CommandError("command contains control characters")
    return text.split()


def parse(text: str, names) -> tuple:
    """(command, [values]) with every argument checked; ``names`` knows the session."""
    words = split_line(text)
    if not words:
        raise CommandError("empty command (try help)")
    command = COMMANDS.get(words[0])
    if command is None:
        raise CommandError(f"unknown command {_show(words[0])} (try help)")
    args = words[1:]
    if command.args and command.args[-1].kind == "rest" and len(args) >= len(command.args):
        args = args[:len(command.args) - 1] + [args[len(command.args) - 1:]]
    required = sum(1 for a in command.args if not a.optional)
    if not required <= len(args) <= len(command.args):
        raise CommandError(f"usage: {command.usage}")
    values = [_value(arg, word, names, command) for arg, word in zip(command.args, args)]
    return command, values


def _value(arg: Arg, word: str, names, command: Command):
    if arg.kind == "int":
        return _int(word, arg, names, command)
    if arg.kind == "float":
        return _float(word, arg, command)
    if arg.kind == "any_item":  # processes and synapse-pools (they own parameters too)
        if word not in names.items and word not in names.sps:
            raise CommandError(f"no item {_show(word)} in this session (usage: {command.usage})")
        return word
    if arg.kind == "item":
        if word not in names.items:
            raise CommandError(f"no item {_show(word)} in this session (usage: {command.usage})")
        return word
    if arg.kind == "np":
        if word not in names.nps:
            raise CommandError(f"no neuron-pool {_show(word)} (usage: {command.usage})")
        return word
    if arg.kind == "rest":
        return word if isinstance(word, list) else [word]
    return word


def _int(word: str, arg: Arg, names, command: Command) -> int:
    if not _INTEGER.fullmatch(word):
        raise CommandError(f"{arg.name} must be a whole number, got {_show(word)} "
                           f"(usage: {command.usage})")
    value = int(word)
    high = names.agents if command.name == "split" else arg.high
    if (arg.low is not None and value < arg.low) or (high is not None and value > high):
        raise CommandError(f"{arg.name} must lie in [{arg.low:g}, {high:g}], got "
                           f"{_show(word)}")
    return value


def _float(word: str, arg: Arg, command: Command) -> float:
    try:
        value = float(word) if len(word) <= 64 else math.nan
    except ValueError:
        raise CommandError(f"{arg.name} must be a number, got {_show(word)} "
                           f"(usage: {command.usage})") from None
    if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
        raise CommandError(f"{arg.name} must be a finite number, got {_show(word)}")
    if (arg.low is not None and value < arg.low) or (arg.high is not None and value > arg.high):
        raise CommandError(f"{arg.name} must lie in [{arg.low:g}, {arg.high:g}], got "
                           f"{_show(word)}")
    return value


def check_bounds(what: str, value: float, bounds) -> None:
    lo, hi = bounds
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        low = "-inf" if lo is None else f"{lo:g}"
        high = "inf" if hi is None else f"{hi:g}"
        raise CommandError(f"{what} must lie in [{low}, {high}], got {value:g}")


def help_text(topic: str | None = None) -> str:
    if topic is None:
        return "commands: " + ", ".join(COMMANDS) + " (help COMMAND for one)"
    command = COMMANDS.get(topic)
    if command is None:
        raise CommandError(f"no command {_show(topic)} (commands: {', '.join(COMMANDS)})")
    return f"{command.usage}: {command.help}"


def _show(word: str) -> str:
    """A user's word for a message: quoted, cut, printable."""
    text = word if len(word) <= 40 else word[:37] + "..."
    return repr(text)
