"""Fuzz: mutated real graphs never raise anything but the project's own validation error."""
from __future__ import annotations

import glob
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statestream.errors import Problems, SpecError
from statestream.graph import _finish, parse_graph
from statestream.graph.expand import load_raw
from statestream.graph.explicit import explicit_yaml
from statestream.graph.nodes import LMap, LSeq, copy_node
from statestream.graph.summary import summary
from tests.conftest import EXAMPLES, UPSTREAM

FILES = sorted(glob.glob(os.path.join(UPSTREAM, "*", "*.st_graph"))) + \
    sorted(glob.glob(os.path.join(EXAMPLES, "*.st_graph")))
TREES = [t for t in (load_raw(f, Problems()) for f in FILES) if t is not None]
TEXTS = [open(f, encoding="utf-8").read() for f in FILES]
EXPR_KEYS = ("act", "func", "pact", "ACT", "weight_fnc")

FUZZ = settings(max_examples=int(os.environ.get("STATESTREAM_FUZZ_EXAMPLES", "2000")),
                deadline=None, derandomize=not os.environ.get("STATESTREAM_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.sampled_from([0, -1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["relu", "full", "feature", "None", "False", "gpu:0", "xavier", "id",
                     "image", "W_0_0", "b", "loss", "sp", "np", "adam", "$", "_var"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)
expr_text = st.lists(st.sampled_from(
    ["$", "$00", "$10", "B.", "relu", "exp", "(", ")", "[", "]", ",", "*", "**", "+", "-", "/",
     "//", "0", "1e9", "9", "__class__", "__import__", "'os'", ".", "lambda", ":", "x", "=",
     "axis", "keepdims", "True", "None", "[0]", "{", "}", "f'", "if", "else", "for", "in"]),
    max_size=12).map("".join)
mutation = st.tuples(st.sampled_from(["delete", "replace", "dangle", "expr", "rename"]),
                     st.integers(0, 10**6), values, expr_text)


def _slots(node, out):
    """(container, key) of every entry in the tree."""
    if isinstance(node, dict):
        for key in list(node):
            out.append((node, key))
            _slots(node[key], out)
    elif isinstance(node, list):
        for index in range(len(node)):
            out.append((node, index))
            _slots(node[index], out)
    return out


def _mutate(tree, op, where, value, text):
    slots = _slots(tree, [])
    if not slots:
        return
    container, key = slots[where % len(slots)]
    if op == "delete":
        del container[key]
    elif op == "replace":
        container[key] = value
    elif op == "dangle":
        container[key] = "nowhere_" + str(where % 7)
    elif op == "expr":
        exprs = [(c, k) for c, k in slots if k in EXPR_KEYS]
        if exprs:
            c, k = exprs[where % len(exprs)]
            c[k] = text
        else:
            container[key] = text
    elif op == "rename" and isinstance(container, dict):
        item = container.pop(key)
        container[str(value) if not isinstance(value, (dict, list)) else "x-y"] = item


def _exercise(graph):
    info = summary(graph)
    assert info["total_parameters"] >= 0
    again = parse_graph(explicit_yaml(graph), file="explicit.st_graph")
    assert again == graph


@FUZZ
@given(base=st.integers(0, max(len(TREES) - 1, 0)), mutations=st.lists(mutation, min_size=1,
                                                                          max_size=4))
def test_mutated_graphs_fail_only_with_spec_errors(base, mutations):
    tree = copy_node(TREES[base])
    for op, where, value, text in mutations:
        _mutate(tree, op, where, value, text)
    problems = Problems()
    if not isinstance(tree, LMap):
        return
    try:
        graph = _finish(tree, "fuzz.st_graph", problems)
        problems.raise_if_errors()
    except SpecError as exc:
        assert exc.problems and all(p.severity == "error" for p in exc.problems)
        return
    _exercise(graph)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(base=st.integers(0, max(len(TEXTS) - 1, 0)), cut=st.integers(0, 10**6),
       insert=st.text(max_size=20))
def test_mutated_yaml_text_fails_only_with_spec_errors(base, cut, insert):
    text = TEXTS[base]
    at = cut % (len(text) + 1)
    try:
        graph = parse_graph(text[:at] + insert + text[at:], file="fuzz.st_graph")
    except SpecError:
        return
    _exercise(graph)


def test_trees_loaded():
    assert TREES and all(isinstance(t, (LMap, LSeq)) for t in TREES)
