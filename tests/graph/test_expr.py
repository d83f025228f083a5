"""The expression language: what it accepts, and that escapes are rejected unexecuted."""
from __future__ import annotations

import os

import pytest

from statestream.errors import SpecError
from statestream.graph import expr as ex
from statestream.graph import load_graph
from statestream.graph.functions import FUNCTIONS

ESCAPES = [
    "__import__('os').system('touch pwned')",
    "B.__class__",
    "$.__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "getattr($, '__class__')",
    "lambda: 0",
    "open('pwned', 'w')",
    "[x for x in ()]",
    "f'{$}'",
    "B.relu.__globals__",
    "eval('1')",
    "exec('import os')",
    "$[0]",
    "B.relu($) if $ else $",
    "globals()",
    "__builtins__",
    "B.relu(*$)",
    "B.relu(**{'x': 1})",
    "(lambda: __import__('os'))()",
    "B.relu($); import os",
    "9**9**9**9",
    "$ * 9**9**9",
    "$ + (-8) ** 0.5",
    "$ + 1 / 0",
]


@pytest.mark.parametrize("text", ESCAPES)
def test_escape_rejected_by_parser(text):
    with pytest.raises(ex.ExprError):
        ex.parse_activation(text)


@pytest.mark.parametrize("text", ESCAPES)
def test_escape_in_graph_is_a_validation_error_and_runs_nothing(text, write_graph, tmp_path,
                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    quoted = text.replace("'", "''")
    path = write_graph(f"""
        name: t
        agents: 2
        neuron_pools:
            a:
                shape: [2]
                act: '{quoted}'
        """)
    with pytest.raises(SpecError) as info:
        load_graph(path)
    (problem,) = info.value.problems
    assert problem.item == "a" and problem.pos.line == 6 and "act" in problem.message
    assert not os.path.exists(tmp_path / "pwned")


def test_globals_expression_cannot_escape(write_graph, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_graph("""
        name: t
        agents: 2
        globals:
            size: 4
        neuron_pools:
            a:
                shape: [__import__('os').system('touch pwned') + size]
        """)
    with pytest.raises(SpecError):
        load_graph(path)
    assert not os.path.exists(tmp_path / "pwned")


@pytest.mark.parametrize("text", [
    "relu", "Id", "B.relu", "$**2 + B.tanh($)", "B.exp($) * B.sigmoid($)",
    "B.relu($, thresh=0.5)", "relu($, 0.5) - 1e-3", "-$ / 2 + 3 % 2", "B.mean($, axis=(1, 2))",
    "($ > 0) * $", "B.clip($, 0, 1)", "B.concatenate([$, $], axis=1)",
])
def test_valid_activations(text):
    expr = ex.parse_activation(text)
    assert expr.placeholders == {""}


def test_func_placeholders():
    expr = ex.parse_function("B.mean(($00 - $10)**2, axis=(1,2,3), keepdims=True)",
                             {"00", "10"})
    assert expr.placeholders == {"00", "10"}
    with pytest.raises(ex.ExprError, match=r"\$11"):
        ex.parse_function("$00 + $11", {"00", "10"})
    with pytest.raises(ex.ExprError, match="bare"):
        ex.parse_function("$ + $00", {"00"})


def test_signature_checks():
    with pytest.raises(ex.ExprError, match="no argument 'x'"):
        ex.parse_activation("B.relu($, x=1)")
    with pytest.raises(ex.ExprError, match="twice"):
        ex.parse_activation("B.relu($, 0.1, thresh=0.2)")
    with pytest.raises(ex.ExprError, match="needs argument"):
        ex.parse_activation("B.clip($)")
    with pytest.raises(ex.ExprError, match="unknown function B.rleu"):
        ex.parse_activation("B.rleu($)")
    with pytest.raises(ex.ExprError, match="did you mean 'relu'"):
        ex.parse_activation("rleu")


def test_evaluation_with_plain_python_functions():
    expr = ex.parse_activation("B.relu($, thresh=0.5) * 2 + 1")
    funcs = {"relu": lambda x, thresh=0.0: max(x - thresh, 0.0)}
    assert ex.evaluate(expr, funcs, {"": 2.0}) == pytest.approx(4.0)
    assert ex.evaluate(expr, funcs, {"": 0.0}) == pytest.approx(1.0)


def test_number_expressions():
    names = {"res": 32, "f": 2}
    assert ex.evaluate_number(ex.parse_number("res // f", names), names) == 16
    assert ex.evaluate_number(ex.parse_number("int(res / 3)", names), names) == 10
    assert ex.evaluate_number(ex.parse_number("0.1 * 1e-3", {}), {}) == pytest.approx(1e-4)
    with pytest.raises(ex.ExprError):
        ex.evaluate_number(ex.parse_number("res / 0", names), names)
    with pytest.raises(ex.ExprError):
        ex.evaluate_number(ex.parse_number("10 ** 100000", {}), {})
    with pytest.raises(ex.ExprError):
        ex.parse_number("open('x')", {})


def test_substitution_is_by_whole_identifier():
    text, changed = ex.substitute_names("glob_rf * rf", {"rf": 3, "glob_rf": 5})
    assert changed and text == "5 * 3"
    text, changed = ex.substitute_names("B.rf('rf')", {"rf": 3})
    assert not changed and text == "B.rf('rf')"


def test_catalogue_lists_the_original_activations():
    for name in ("Id", "tanh", "relu", "leakyrelu", "elu", "selu", "sigmoid", "softplus", "exp",
                 "mexp", "square", "msquare", "gaussian", "log", "neglog", "sqrt", "abs", "sign",
                 "softmax", "spiky", "switchsign", "softround", "erf", "step", "rectangular",
                 "bilinear", "linround", "linroundint", "linroundpow2", "concatenate"):
        assert name in FUNCTIONS
