"""Read ``.st_graph`` YAML (1.2, like the original's ruamel loader) into located nodes."""
from __future__ import annotations

import datetime
import io
import os
import re

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from statestream.errors import Pos, Problems
from statestream.graph.nodes import LMap, LSeq

MAX_NODES = 200_000  # guards against alias bombs ("billion laughs")
MAX_BYTES = 10_000_000
MAX_NESTING = 100  # flow brackets [ { inside each other
MAX_INDENT = 400  # columns of block indentation
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f"
                            "\ud800-\udfff\ufffe\uffff]")


class _TooBig(Exception):
    pass


def read_text(path: str, problems: Problems, item: str = "graph", pos: Pos | None = None):
    """File contents, or None after reporting why it cannot be read."""
    where = pos or Pos(path, 0)
    try:
        if os.path.getsize(path) > MAX_BYTES:
            problems.error(where, item, f"file {path} is larger than {MAX_BYTES} bytes")
            return None
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        problems.error(where, item, f"file not found: {path}")
    except IsADirectoryError:
        problems.error(where, item, f"{path} is a directory, not a graph file")
    except UnicodeDecodeError:
        problems.error(where, item, f"{path} is not UTF-8 text")
    except OSError as exc:
        problems.error(where, item, f"cannot read {path}: {exc.strerror or exc}")
    return None


def _text_problem(text: str):
    """(line, message) for what the YAML parser would fail on without a position."""
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        return line, (f"invalid YAML: control character U+{ord(bad.group()):04X} is not "
                      "allowed (only tab, newline and printable characters)")
    depth = 0
    quote = None
    line = 1
    for index, char in enumerate(text):
        if char == "\n":
            line += 1
        if quote:
            if char == quote and (quote == "'" or text[index - 1] != "\\"):
                quote = None
            continue
        if char in "'\"" and depth:
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line, f"invalid YAML: nested deeper than {MAX_NESTING} levels"
        elif char in "]}":
            depth = max(depth - 1, 0)
    for number, row in enumerate(text.splitlines(), 1):
        stripped = row.lstrip(" -?:")
        if len(row) - len(stripped) > MAX_INDENT:
            return number, f"invalid YAML: nested deeper than {MAX_INDENT} columns"
    return None


def _deepest_line(text: str) -> int:
    rows = text.splitlines() or [""]
    widths = [len(r) - len(r.lstrip(" -?:[{")) for r in rows]
    return widths.index(max(widths)) + 1


def parse_text(text: str, file: str, problems: Problems):
    """Located tree of the YAML text (None for an empty document or after an error)."""
    found = _text_problem(text)
    if found is not None:
        problems.error(Pos(file, found[0]), "yaml", found[1])
        return None
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = (exc.problem or exc.context or "invalid YAML").strip()
        if exc.context and exc.context_mark is not None and exc.problem:
            what += f" ({exc.context.strip()} started on line {exc.context_mark.line + 1})"
        problems.error(Pos(file, line), "yaml", f"invalid YAML: {what}")
        return None
    except RecursionError:
        problems.error(Pos(file, _deepest_line(text)), "yaml", "invalid YAML: nested too deeply")
        return None
    except (YAMLError, ValueError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
        problems.error(Pos(file, line), "yaml", f"invalid YAML: {first[:200]}")
        return None
    try:
        return _convert(data, file, Pos(file, 1), [0])
    except _TooBig:
        problems.error(Pos(file, 1), "yaml", f"graph has more than {MAX_NODES} YAML nodes")
        return None
    except RecursionError:
        problems.error(Pos(file, _deepest_line(text)), "yaml", "YAML nesting is too deep")
        return None


def _line(obj, fallback: Pos, file: str) -> Pos:
    lc = getattr(obj, "lc", None)
    if lc is not None and getattr(lc, "line", None) is not None:
        return Pos(file, lc.line + 1)
    return fallback


def _key(key):
    if key is None or isinstance(key, (str, bool, int, float)):
        return _scalar(key)
    return str(key)


def _scalar(value):
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if value is None:
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    inner = getattr(value, "value", None)  # tagged scalars
    if isinstance(inner, (str, int, float, bool)):
        return _scalar(inner)
    return str(value)


def _convert(obj, file: str, fallback: Pos, count: list):
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _TooBig
    pos = _line(obj, fallback, file)
    if isinstance(obj, dict):
        out = LMap(pos=pos)
        lc = getattr(obj, "lc", None)
        for key, value in obj.items():
            kpos = pos
            if lc is not None:
                try:
                    kpos = Pos(file, lc.key(key)[0] + 1)
                except (KeyError, TypeError, AttributeError):
                    kpos = pos
            out.set(_key(key), _convert(value, file, kpos, count), kpos)
        return out
    if isinstance(obj, (list, tuple, set, frozenset)):
        out = LSeq(pos=pos)
        lc = getattr(obj, "lc", None)
        for index, value in enumerate(obj):
            ipos = pos
            if lc is not None:
                try:
                    ipos = Pos(file, lc.item(index)[0] + 1)
                except (KeyError, TypeError, AttributeError, IndexError):
                    ipos = pos
            out.append_at(_convert(value, file, ipos, count), ipos)
        return out
    return _scalar(obj)


def dump_text(data) -> str:
    """YAML text of plain data (dicts, lists, scalars)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = None
    yaml.sort_base_mapping_type_on_output = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()
