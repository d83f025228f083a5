"""Graph mutants for fuzzing: structure-aware and text-level, derandomized by a seed.

``mutant(seed)`` returns (label, files) where files maps a file name to its bytes, the
first being the graph to check. ``run_case`` checks it, and when it is accepted and
small, computes one frame on numpy and torch. Used by tests/graph/test_fuzz_wide.py
and bench/fuzz.py.
"""
from __future__ import annotations

import glob
import os
import random
import signal
import traceback
from contextlib import contextmanager

from ruamel.yaml import YAML

from statestream.errors import SpecError, UserError
from statestream.graph.yamlio import dump_text
from tests.conftest import EXAMPLES, UPSTREAM

FILES = sorted(glob.glob(os.path.join(UPSTREAM, "*", "*.st_graph"))) + \
    sorted(glob.glob(os.path.join(EXAMPLES, "*.st_graph")))
EXPR_KEYS = ("act", "func", "pact", "ACT", "weight_fnc")
SIMULATE_BYTES = 32 * 2**20  # mutants needing more are checked but not simulated
VALUES = [None, True, 0, -1, 1.5, -0.5, 10**30, 2**63, 1e308, float("nan"), float("inf"),
          "", "x", "ünï©ødé", "$", "relu", "full", "False", [1, 2], [[1]], [], {}, {"a": 1},
          "g * (10**18)**256", "((10**18)**256)**256", "normal_0_-1", "uniform_1_0",
          200001, 9223372036854775807, "B.sigmoid(-2) * $", "-($ > 0)", [0, 0, 0],
          [1, 1, 1], [2, 1, 1], "nowhere", "_var", "1e999"]
TOKENS = ["$", "$00", "$10", "B.", "relu", "exp", "sigmoid", "mean", "reshape", "repeat",
          "tensordot", "argmax", "linround", "(", ")", "[", "]", ",", "*", "**", "+", "-",
          "/", "//", "0", "1", "-2", "0.5", "1e9", "10**18", "axis", "=", "shape", "reps",
          "s", "keepdims", "True", "None", ">", "==", "(-1,)", "__class__", "lambda", "x"]
CONTROL = ["\x00", "\x01", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\ufeff", "\t", "\r"]


def _plain(text: str):
    yaml = YAML(typ="safe", pure=True)
    return yaml.load(text)


TEXTS = {path: open(path, encoding="utf-8").read() for path in FILES}
TREES = {}
for _path, _text in TEXTS.items():
    try:
        TREES[_path] = _plain(_text)
    except Exception:  # noqa: BLE001 - a base that is not plain YAML is used as text only
        pass


# -- structure -------------------------------------------------------------------------

def _slots(node, out, depth=0):
    if depth > 12:
        return out
    if isinstance(node, dict):
        for key in list(node):
            out.append((node, key))
            _slots(node[key], out, depth + 1)
    elif isinstance(node, list):
        for index in range(len(node)):
            out.append((node, index))
            _slots(node[index], out, depth + 1)
    return out


def _items(tree, section):
    value = tree.get(section) if isinstance(tree, dict) else None
    return value if isinstance(value, dict) else {}


def _mutate_tree(tree, rng: random.Random) -> str:
    slots = _slots(tree, [])
    op = rng.choice(["delete", "value", "value", "rename", "duplicate", "source", "expr",
                     "expr", "globals", "modules", "tag_specs", "import", "number"])
    if op in ("delete", "value", "rename", "duplicate") and slots:
        container, key = rng.choice(slots)
        if op == "delete":
            del container[key]
        elif op == "value":
            container[key] = rng.choice(VALUES)
        elif op == "rename" and isinstance(container, dict):
            container[str(rng.choice(VALUES))] = container.pop(key)
        elif op == "duplicate" and isinstance(container, dict):
            container[f"{key}_copy"] = container[key]
        return op
    nps = list(_items(tree, "neuron_pools"))
    if op == "source":
        sps = _items(tree, "synapse_pools")
        if sps:
            sp = sps[rng.choice(list(sps))]
            if isinstance(sp, dict):
                pick = rng.choice(["missing", "self", "target"])
                name = {"missing": "missing_np", "self": sp.get("target", "x"),
                        "target": rng.choice(nps or ["x"])}[pick]
                sp["source" if pick != "target" else "target"] = [[name]] if pick != "target" \
                    else name
        return op
    if op == "expr":
        exprs = [(c, k) for c, k in slots if k in EXPR_KEYS]
        text = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 10)))
        if exprs:
            container, key = rng.choice(exprs)
            container[key] = text
        elif nps and isinstance(tree["neuron_pools"][nps[0]], dict):
            tree["neuron_pools"][nps[0]]["act"] = text
        return op
    if op == "number":
        numbers = [(c, k) for c, k in slots if isinstance(c[k], (int, float))
                   and not isinstance(c[k], bool)]
        if numbers:
            container, key = rng.choice(numbers)
            container[key] = rng.choice([0, -1, -container[key], container[key] * 1000,
                                         10**9, 10**19, 0.5, float("nan"), float("inf")])
        return op
    if not isinstance(tree, dict):
        return "none"
    if op == "globals":
        tree["globals"] = rng.choice([{"g": 2}, {"g": "g * 2"}, {"g": "(10**18)**256"},
                                      {"g": [1, 2]}, None, [1], {"__x": 1}, {"g": "h"}])
        if nps and isinstance(tree["neuron_pools"][nps[0]], dict):
            tree["neuron_pools"][nps[0]][rng.choice(["shape", "act", "dropout"])] = \
                rng.choice(["g", ["g", 1, 1], "g * $", "g / 10"])
    elif op == "modules":
        tree["modules"] = rng.choice([
            {"neuron_pools": {"neuron_pools": {"n": {"shape": [1, 1, 1]}}}},
            {"m": {"neuron_pools": {"n": {"shape": ["_s", 1, 1]}}}},
            {"m": [1]}, {"m": {"bogus": {}}}, None])
        tree[rng.choice(["m", "neuron_pools", "x"])] = rng.choice([
            {"i": {"s": 2}}, {"i": None}, {"i": {"s": "huge"}}, [1]])
    elif op == "tag_specs":
        tree["tag_specs"] = rng.choice([{"t": {"act": "relu"}}, {"t": [1]}, [1],
                                        {"t": {"shape": -1}}])
        for item in _items(tree, "neuron_pools").values():
            if isinstance(item, dict):
                item["tags"] = rng.choice([["t"], "t", [1], None])
    elif op == "import":
        tree["import"] = rng.choice([[["fuzz", "neuron_pools"]], [["other", "t"]],
                                     [["missing", "x"]], [[1, 2]], "x", [["fuzz"]]])
    return op


def _mutate_text(text: str, rng: random.Random) -> tuple[str, bytes]:
    op = rng.choice(["truncate", "flip", "tab", "control", "dupline", "dedent", "insert"])
    lines = text.splitlines(keepends=True) or [""]
    at = rng.randrange(len(text) + 1)
    if op == "truncate":
        return op, text[:at].encode("utf-8", "surrogatepass")
    if op == "flip":
        data = bytearray(text.encode("utf-8"))
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return op, bytes(data)
    if op == "tab":
        text = text[:at] + "\t" + text[at:]
    elif op == "control":
        text = text[:at] + rng.choice(CONTROL) + text[at:]
    elif op == "dupline":
        index = rng.randrange(len(lines))
        lines.insert(index, lines[index])
        text = "".join(lines)
    elif op == "dedent":
        index = rng.randrange(len(lines))
        lines[index] = lines[index].lstrip(" ")
        text = "".join(lines)
    else:
        text = text[:at] + rng.choice(["[" * 200, ": :", "- ", "&a *a", "{", "'", "\n  x: 1\n",
                                       "1" * 5000]) + text[at:]
    return op, text.encode("utf-8", "surrogatepass")


OTHER = b"name: other\nagents: 1\nimport: [[fuzz, neuron_pools]]\nneuron_pools:\n" \
        b"  o: {shape: [1, 1, 1], tags: [t]}\n"


def mutant(seed: int) -> tuple[str, dict]:
    """(label, {file name: bytes}) of mutant ``seed``; the graph is ``fuzz.st_graph``."""
    rng = random.Random(seed)
    path = rng.choice(FILES)
    base = os.path.basename(path)
    if path in TREES and rng.random() < 0.7:
        tree = _plain(TEXTS[path])
        ops = [_mutate_tree(tree, rng) for _ in range(rng.randint(1, 3))]
        try:
            data = dump_text(tree).encode("utf-8", "surrogatepass")
        except Exception:  # noqa: BLE001 - a value YAML cannot write: use the text instead
            data = TEXTS[path].encode("utf-8")
        label = f"{base}:tree:{'+'.join(ops)}"
    else:
        op, data = _mutate_text(TEXTS[path], rng)
        label = f"{base}:text:{op}"
    return label, {"fuzz.st_graph": data, "other.st_graph": OTHER}


class Hang(Exception):
    """A case ran past its time limit."""


@contextmanager
def time_limit(seconds: float):
    def alarm(signum, frame):
        raise Hang()

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_case(seed: int, folder: str, simulate: bool = True, seconds: float = 10.0) -> dict:
    """Outcome of mutant ``seed``: check is rejected | accepted | crash | hang; simulate is
    None (not run) | ok | user_error | internal_error. ``detail`` explains a failure."""
    from statestream.graph import load_graph

    label, files = mutant(seed)
    for name, data in files.items():
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)
    out = {"seed": seed, "label": label, "check": None, "simulate": None, "detail": ""}
    graph = None
    try:
        with time_limit(seconds):
            graph = load_graph(os.path.join(folder, "fuzz.st_graph"))
            from statestream.graph.summary import shm_bytes, summary
            summary(graph)
        out["check"] = "accepted"
    except SpecError as exc:
        out["check"] = "rejected"
        bad = [str(p) for p in exc.problems if not str(p).startswith(folder)]
        if bad:
            out["check"], out["detail"] = "crash", "problem without a file: " + bad[0][:200]
    except Hang:
        out["check"] = "hang"
    except Exception:  # noqa: BLE001 - this is what the fuzz looks for
        out["check"], out["detail"] = "crash", traceback.format_exc(limit=-4)
    if not simulate or graph is None or shm_bytes(graph) > SIMULATE_BYTES:
        return out
    out["simulate"] = _simulate(graph, seconds, out)
    return out


def load_backends() -> None:
    """Import both backends now: an import cut short by a time limit would break torch."""
    from statestream.backends import get_backend

    for backend in ("numpy", "torch"):
        get_backend(backend)


def _simulate(graph, seconds: float, out: dict) -> str:
    from statestream.runtime.simulator import Simulator

    load_backends()
    result = "ok"
    for backend in ("numpy", "torch"):
        try:
            with time_limit(seconds):
                Simulator(graph, backend=backend, synthetic_inputs=True, threads=1).step()
        except UserError:
            result = "user_error" if result == "ok" else result
        except Hang:
            return "hang"
        except Exception:  # noqa: BLE001 - an internal error of an accepted graph
            out["detail"] = f"{backend}: " + traceback.format_exc(limit=-4)
            return "internal_error"
    return result
