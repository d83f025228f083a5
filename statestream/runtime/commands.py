"""Commands to a running session (from the terminal, the GUI or any attached tool).

A tool writes one command into the control block and waits for the core's reply; the
core executes commands between frames, when every worker is idle. Commands:

  stream | pause | step [N] | exit | delay MS | split N
  period ITEM P | offset ITEM O | bottleneck ITEM F
  pause ITEM | resume ITEM | off ITEM          (per item: 1 paused, 0 running, 2 off)
  set ITEM NAME VALUE                          (a scalar parameter, interface or plasticity
                                               setting such as lr)
  state                                        (a one-line summary)
"""
from __future__ import annotations

import fcntl
import math
import time

from statestream.errors import UserError
from statestream.runtime import control as C
from statestream.runtime.frame import OFF, PAUSED, RUN


def send(session, text: str, timeout: float = 5.0) -> str:
    """Send ``text`` to the session's core and return its reply (tool side)."""
    seq = session.array("cmd/seq")
    with open(session.segment.path, "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one tool at a time
        try:
            C.put_text(session.array("cmd/text"), text)
            request = int(seq[1]) + 1
            seq[0] = request
            deadline = time.time() + timeout
            while int(seq[1]) != request:
                if time.time() > deadline:
                    raise UserError(f"session {session.sid} did not answer {text!r} in "
                                    f"{timeout:g} s")
                time.sleep(0.001)
            return C.get_text(session.array("cmd/reply"))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class CommandServer:
    """Core side: executes pending commands between frames."""

    def __init__(self, core):
        self.core = core
        self.session = core.session
        self.seq = self.session.array("cmd/seq")

    def pending(self) -> bool:
        return int(self.seq[0]) != int(self.seq[1])

    def serve(self) -> None:
        if not self.pending():
            return
        text = C.get_text(self.session.array("cmd/text"))
        try:
            reply = self.execute(text.split())
        except (ValueError, IndexError, KeyError) as exc:
            reply = f"error: {exc}"
        C.put_text(self.session.array("cmd/reply"), reply)
        self.seq[1] = self.seq[0]

    def execute(self, words: list) -> str:
        if not words:
            raise ValueError("empty command")
        ctl, name, args = self.session.ctl, words[0], words[1:]
        if name == "stream" and not args:
            ctl[C.STREAMING] = 1
        elif name == "pause" and not args:
            ctl[C.STREAMING] = 0
        elif name == "step":
            ctl[C.STEPS] += _int(args[0], 1) if args else 1
        elif name == "exit":
            ctl[C.EXIT] = 1
        elif name == "delay":
            ctl[C.DELAY_US] = int(1000 * _number(_one(args, "delay MS"), 0))
        elif name == "split":
            ctl[C.SPLIT] = min(_int(_one(args, "split N"), 0), self.core.graph.agents)
        elif name in ("period", "offset", "bottleneck"):
            return self._schedule(name, args)
        elif name in ("pause", "resume", "off"):
            mode = {"pause": PAUSED, "resume": RUN, "off": OFF}[name]
            self.session.proc("pause")[self._index(_one(args, f"{name} ITEM"))] = mode
        elif name == "set":
            return self._set(args)
        elif name == "state":
            return self.state()
        else:
            raise ValueError(f"unknown command {name!r}")
        return "ok"

    def _index(self, item: str) -> int:
        if item not in self.session.index:
            raise ValueError(f"no item {item!r} runs in this session")
        return self.session.index[item]

    def _schedule(self, name: str, args: list) -> str:
        if len(args) != 2:
            raise ValueError(f"usage: {name} ITEM VALUE")
        i = self._index(args[0])
        period, offset = self.session.proc("period"), self.session.proc("offset")
        if name == "period":
            period[i] = _int(args[1], 1)
            offset[i] = offset[i] % period[i]
        elif name == "offset":
            offset[i] = _int(args[1], 0) % period[i]
        else:
            factor = _number(args[1])
            self.session.proc("bottleneck")[i] = factor if factor > 0 else -1.0
            if factor <= 0:
                period[i], offset[i] = 1, 0
        return "ok"

    def _set(self, args: list) -> str:
        if len(args) != 3:
            raise ValueError("usage: set ITEM NAME VALUE")
        item, pname, value = args[0], args[1], _number(args[2])
        if item in self.core.interfaces:
            names = self.session.layout["if_params"][item]
            if pname not in names:
                raise ValueError(f"{item} has no setting {pname!r} (it has {', '.join(names)})")
            self.session.array(f"ifpar/{item}")[names.index(pname)] = value
            return "ok"
        hyper = self.session.layout.get("plast_hyper", {}).get(item)
        if hyper is not None:
            if pname not in hyper:
                raise ValueError(f"{item} has no setting {pname!r} (it has {', '.join(hyper)})")
            self.session.array(f"hyp/{item}")[hyper.index(pname)] = value
            return "ok"
        key = f"par/{item}/{pname}"
        if not self.session.has(key):
            raise ValueError(f"no parameter {item}.{pname}")
        array = self.session.array(key)
        if array.size != 1:
            raise ValueError(f"{item}.{pname} is not a scalar")
        array.reshape(-1)[0] = value
        return "ok"

    def state(self) -> str:
        ctl = self.session.ctl
        mode = "streaming" if ctl[C.STREAMING] else "paused"
        return (f"session {self.session.sid}: frame {int(ctl[C.FRAME])}, {mode}, "
                f"split {int(ctl[C.SPLIT])}, delay {int(ctl[C.DELAY_US]) / 1000:g} ms, "
                f"{len(self.session.processes)} processes")


def _one(args: list, usage: str) -> str:
    if len(args) != 1:
        raise ValueError(f"usage: {usage}")
    return args[0]


def _number(text: str, minimum: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or (minimum is not None and value < minimum):
        raise ValueError(f"expected a number >= {minimum}, got {text!r}")
    return value


def _int(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"expected an integer, got {text!r}") from None
    if value < minimum:
        raise ValueError(f"expected an integer >= {minimum}, got {value}")
    return value


def adapt_periods(period, offset, factor, cost, busy) -> list:
    """Bottleneck adaptation (runtime.md 4.2, fixed so a period can fall again).

    Items with ``factor > 0`` are "not the bottleneck": their period becomes the smallest
    one at which an execution (``cost`` seconds) takes at most ``factor`` times the
    bottleneck's time per frame (the largest ``busy`` of items with ``factor <= 0``).
    Returns the indices whose period changed; offsets are kept below the period.
    """
    bottleneck = max((busy[i] for i in range(len(period)) if factor[i] <= 0), default=0.0)
    changed = []
    if bottleneck <= 0:
        return changed
    for i in range(len(period)):
        if factor[i] <= 0 or cost[i] <= 0:
            continue
        new = max(1, math.ceil(cost[i] / (factor[i] * bottleneck) - 1e-9))
        if new != period[i]:
            period[i] = new
            offset[i] = offset[i] % new
            changed.append(i)
    return changed
