"""The ``mv`` command of the command language: list, add, remove, show, data, info.

``mv add NAME TYPE key=value ...``: values are numbers, names, ``none`` or comma lists
(``source=hidden1,hidden2 stats=mean,std axes=0``). ``mv data`` and ``mv info`` answer
JSON for programs (the Python API decodes them).
"""
from __future__ import annotations

import base64
import json
import re

import numpy as np

from statestream.errors import UserError
from statestream.metavariables.host import host_of
from statestream.runtime import control as C

ACTIONS = ("list", "add", "remove", "show", "data", "info")
USAGE = ("mv list | mv add NAME TYPE key=value ... | mv remove NAME | mv show NAME | "
         "mv data NAME [FRAMES] | mv info")
MAX_REPLY = 60_000  # the command channel carries 64 KiB per message
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
SHOWN_VALUES = 24


def mv_command(core, words: list) -> str:
    if not words or words[0] not in ACTIONS:
        raise UserError(f"usage: {USAGE}")
    action, args = words[0], words[1:]
    wanted = {"list": (0, 0), "add": (2, None), "remove": (1, 1), "show": (1, 1),
              "data": (1, 2), "info": (0, 0)}[action]
    if len(args) < wanted[0] or (wanted[1] is not None and len(args) > wanted[1]):
        raise UserError(f"usage: {USAGE}")
    host = host_of(core)
    ctl = core.session.ctl
    if action in ("add", "remove") or (not ctl[C.STREAMING] and ctl[C.STEPS] <= 0):
        host.settle()  # every value of the frames computed so far
    else:
        host.collect()  # frames go on: the values in so far (a GUI polls often)
    if action == "list":
        return _list(host)
    if action == "add":
        options = dict(parse_options(args[2:]), type=args[1])
        mv = host.add(args[0], options)
        return f"added {mv.name} ({mv.spec.type}, value shape {list(mv.shape)})"
    if action == "remove":
        host.remove(args[0])
        return f"removed {args[0]}"
    if action == "show":
        return _show(host.get(args[0]))
    if action == "info":
        return json.dumps([mv.info() for mv in host.mvs.values()])
    return _data(host.get(args[0]), args[1] if len(args) > 1 else "1")


def parse_options(words) -> dict:
    options = {}
    for word in words:
        key, eq, text = word.partition("=")
        if not eq or not key:
            raise UserError(f"expected key=value, got {word[:40]!r}")
        if key in options:
            raise UserError(f"{key} is given twice")
        values = [_value(v) for v in text.split(",")] if "," in text else _value(text)
        options[key] = values
    return options


def option_words(options: dict) -> list:
    """``key=value`` words of ``options`` (what ``parse_options`` reads back)."""
    words = []
    for key, value in options.items():
        text = _word(value)
        if not text or any(ch.isspace() or ch in ",=" for ch in str(key) + "".join(
                _word(v) for v in (value if isinstance(value, (list, tuple)) else [value]))):
            raise UserError(f"{key}: cannot pass {value!r} as an option")
        words.append(f"{key}={text}")
    return words


def _value(text: str):
    if text.lower() in ("none", "null"):
        return None
    if _NUMBER.match(text):
        number = float(text)
        return int(number) if number.is_integer() and "." not in text and "e" not in \
            text.lower() else number
    return text


def _list(host) -> str:
    if not host.mvs:
        return "no meta-variables (mv add NAME TYPE key=value ...; help mv)"
    rows = []
    for mv in host.mvs.values():
        info = mv.info()
        what = ", ".join(mv.spec.sources) + (f" -> {mv.spec.target}" if mv.spec.target else "")
        state = mv.error or (f"{info['computed']} values, last frame {info['last_frame']}"
                             if info["computed"] else "no value yet")
        rows.append(f"{mv.name}  {mv.spec.type}  {what}  every {mv.spec.period} frame(s)  "
                    f"{state}")
    return "\n".join(rows)


def _show(mv) -> str:
    spec = mv.spec
    options = " ".join(f"{k}={_word(v)}" for k, v in spec.to_dict().items() if k != "type")
    lines = [f"{mv.name}: {spec.type} {options}",
             f"value shape {list(mv.shape)}, {mv.count} computed, history {spec.history}"]
    if mv.error:
        lines.append(mv.error)
    frames, values = mv.history(1)
    if len(frames):
        value = values[0]
        if value.size <= SHOWN_VALUES:
            text = np.array2string(value, precision=4, separator=", ",
                                   max_line_width=10_000).replace("\n", "")
        else:
            text = (f"mean {value.mean():.4g}, std {value.std():.4g}, min {value.min():.4g}, "
                    f"max {value.max():.4g}")
        lines.append(f"frame {int(frames[0])}: {text}")
    return "\n".join(lines)


def _word(value) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return "none" if value is None else str(value)


def _data(mv, count_word: str) -> str:
    if not count_word.isdigit() or not 1 <= int(count_word) <= mv.spec.history:
        raise UserError(f"FRAMES must be a whole number in [1, {mv.spec.history}], got "
                        f"{count_word[:40]!r}")
    frames, values = mv.history(int(count_word))
    reply = json.dumps({"name": mv.name, "frames": frames.tolist(), "shape": list(mv.shape),
                        "values": base64.b64encode(values.astype("<f4").tobytes()).decode(),
                        "error": mv.error})
    if len(reply) > MAX_REPLY:
        fits = max(1, int(len(frames) * MAX_REPLY / len(reply)) - 1)
        raise UserError(f"{len(frames)} frames of {mv.name} do not fit in one reply: ask for "
                        f"at most {fits}")
    return reply


def decode_data(reply: str) -> tuple:
    """(frames, values) of an ``mv data`` reply."""
    data = json.loads(reply)
    values = np.frombuffer(base64.b64decode(data["values"]), dtype="<f4")
    frames = np.asarray(data["frames"], dtype=np.int64)
    return frames, values.reshape((len(frames),) + tuple(data["shape"])).astype(np.float32)
