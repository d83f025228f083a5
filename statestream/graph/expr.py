"""The safe expression language of activations, ``func`` SPs, weight functions and globals.

Text is parsed with :mod:`ast` and every node is checked against a whitelist; what passes
becomes a small tree of our own node types, evaluated by walking it. Nothing is ever
handed to ``eval``/``exec``. Allowed: numbers, short strings, ``True/False/None``, tuples
and lists, arithmetic, comparisons, the ``$`` / ``$fi`` placeholders, and calls of the
catalogued functions as ``B.<name>(...)`` or ``<name>(...)`` with keyword arguments.
"""
from __future__ import annotations

import ast
import math
import operator
import re
import warnings
from dataclasses import dataclass
from typing import Callable, Mapping

from statestream.graph.functions import ACTIVATIONS, FUNCTIONS

MAX_LENGTH = 1000
MAX_DEPTH = 40
MAX_STRING = 64

_PLACEHOLDER = re.compile(r"\$(\d\d)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ARG = "ST_ARG"


class ExprError(ValueError):
    """The text is not a valid expression of its context."""


# -- node types -------------------------------------------------------------------

@dataclass(frozen=True)
class Const:
    value: object


@dataclass(frozen=True)
class Placeholder:
    name: str  # "" for $, "fi" for $fi


@dataclass(frozen=True)
class Name:
    id: str


@dataclass(frozen=True)
class Seq:
    items: tuple
    is_list: bool


@dataclass(frozen=True)
class Unary:
    op: str
    operand: object


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Compare:
    ops: tuple
    operands: tuple


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple
    kwargs: tuple  # ((name, node), ...)


@dataclass(frozen=True)
class Expr:
    """A checked expression: ``root`` is evaluated by :func:`evaluate`."""

    text: str
    root: object
    placeholders: frozenset
    implicit: bool = False  # a bare function name applied to $

    @property
    def is_identity(self) -> bool:
        return (isinstance(self.root, Call) and self.root.func == "Id"
                and len(self.root.args) == 1 and isinstance(self.root.args[0], Placeholder))


_BINARY = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
    ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}

#: Calls allowed in number (globals) expressions.
NUMBER_FUNCTIONS: dict[str, Callable] = {
    "int": int, "float": float, "abs": abs, "min": min, "max": max, "round": round,
}


# -- parsing ------------------------------------------------------------------------

def parse_activation(text) -> Expr:
    """NP ``act``, SP ``act``/``ACT``/``pact``, ``weight_fnc``: ``relu`` or ``B.relu($) * 2``."""
    text = _check_text(text)
    stripped = text.strip()
    bare = stripped[2:] if stripped.startswith("B.") else stripped
    if "$" not in stripped and _IDENT.match(bare):
        if bare not in ACTIVATIONS:
            raise ExprError(f"unknown activation {bare!r}{_suggest(bare, ACTIVATIONS)}")
        return Expr(text, Call(bare, (Placeholder(""),), ()), frozenset({""}), implicit=True)
    if "$" not in stripped:
        raise ExprError("an expression must use $ for its input (or be a bare function name)")
    expr = _parse(text, placeholder_names={""}, names=frozenset(), functions="catalogue")
    return expr


def parse_function(text, inputs: set[str] | None = None) -> Expr:
    """``func`` of a functional SP: ``$fi`` placeholders (factor f, input i)."""
    text = _check_text(text)
    allowed = None if inputs is None else set(inputs) | {""}
    expr = _parse(text, placeholder_names=allowed, names=frozenset(), functions="catalogue")
    if "" in expr.placeholders:
        raise ExprError("use $fi (two digits: factor, input) in a func expression, not a bare $")
    if not expr.placeholders:
        raise ExprError("a func expression must use at least one input $fi")
    return expr


def parse_number(text, names: Mapping[str, object]) -> Expr:
    """A globals expression over numbers and the given names, e.g. ``glob_res // 2``."""
    text = _check_text(text)
    if "$" in text:
        raise ExprError("$ is not allowed here")
    return _parse(text, placeholder_names=set(), names=frozenset(names), functions="number")


def _check_text(text) -> str:
    if not isinstance(text, str):
        raise ExprError(f"expected an expression string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters")
    if "\x00" in text:
        raise ExprError("expression contains a NUL character")
    return text


def _parse(text: str, placeholder_names, names: frozenset, functions: str) -> Expr:
    source = _PLACEHOLDER.sub(lambda m: f"{_ARG}_{m.group(1)}" if m.group(1) else _ARG, text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"syntax error: {exc.msg}") from None
    except (ValueError, MemoryError, RecursionError):
        raise ExprError("expression cannot be parsed") from None
    builder = _Builder(placeholder_names, names, functions)
    root = builder.build(tree.body, 0)
    return Expr(text, root, frozenset(builder.used))


class _Builder:
    def __init__(self, placeholder_names, names, functions):
        self.placeholder_names = placeholder_names  # None = any $fi
        self.names = names
        self.functions = functions
        self.used: set[str] = set()

    def build(self, node, depth):
        if depth > MAX_DEPTH:
            raise ExprError("expression is nested too deeply")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return self._const(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, (ast.Tuple, ast.List)):
            items = tuple(self.build(e, d) for e in node.elts)
            return Seq(items, isinstance(node, ast.List))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _fold(Unary(_UNARY[type(node.op)], self.build(node.operand, d)))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _fold(Binary(_BINARY[type(node.op)], self.build(node.left, d),
                                self.build(node.right, d)))
        if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            operands = (self.build(node.left, d),) + tuple(self.build(c, d) for c in node.comparators)
            return Compare(tuple(_COMPARE[type(op)] for op in node.ops), operands)
        if isinstance(node, ast.Call):
            return self._call(node, d)
        if isinstance(node, ast.Attribute):
            raise ExprError(f"attribute access .{node.attr} is not allowed (only B.<function>(...) calls)")
        if isinstance(node, ast.Subscript):
            raise ExprError("subscripts are not allowed")
        if isinstance(node, ast.Lambda):
            raise ExprError("lambda is not allowed")
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            raise ExprError("comprehensions are not allowed")
        if isinstance(node, (ast.JoinedStr, ast.FormattedValue)):
            raise ExprError("f-strings are not allowed")
        return self._reject(node)

    @staticmethod
    def _reject(node):
        what = type(node).__name__
        raise ExprError(f"{what} is not allowed in an expression")

    @staticmethod
    def _const(value):
        if value is None or isinstance(value, (bool, int, float)):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
                raise ExprError("integer literal too large")
            return Const(value)
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise ExprError("string literal too long")
            return Const(value)
        raise ExprError(f"{type(value).__name__} literals are not allowed")

    def _name(self, ident: str):
        if ident == _ARG or ident.startswith(_ARG + "_"):
            name = "" if ident == _ARG else ident[len(_ARG) + 1:]
            allowed = self.placeholder_names
            if allowed is not None and name not in allowed:
                shown = "$" + name
                raise ExprError(f"placeholder {shown} is not allowed here")
            self.used.add(name)
            return Placeholder(name)
        if ident in self.names:
            return Name(ident)
        if ident.startswith("__"):
            raise ExprError(f"name {ident!r} is not allowed")
        raise ExprError(f"unknown name {ident!r}")

    def _call(self, node: ast.Call, depth):
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "B":
            name = func.attr
        elif isinstance(func, ast.Name):
            name = func.id
        else:
            raise ExprError("only B.<function>(...) or <function>(...) can be called")
        if self.functions == "number":
            if name not in NUMBER_FUNCTIONS:
                raise ExprError(f"function {name!r} is not allowed here (allowed: "
                                + ", ".join(sorted(NUMBER_FUNCTIONS)) + ")")
            if any(kw.arg is None for kw in node.keywords) or node.keywords:
                raise ExprError(f"{name}() takes no keyword arguments here")
            if any(isinstance(a, ast.Starred) for a in node.args):
                raise ExprError("*args is not allowed")
            args = tuple(self.build(a, depth) for a in node.args)
            return Call(name, args, ())
        sig = FUNCTIONS.get(name)
        if sig is None:
            raise ExprError(f"unknown function B.{name}{_suggest(name, FUNCTIONS)}")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise ExprError("*args is not allowed")
        if any(kw.arg is None for kw in node.keywords):
            raise ExprError("**kwargs is not allowed")
        args = tuple(self.build(a, depth) for a in node.args)
        kwargs = tuple((kw.arg, self.build(kw.value, depth)) for kw in node.keywords)
        _check_signature(name, sig, args, kwargs)
        return Call(name, args, kwargs)


def _is_number(node) -> bool:
    return isinstance(node, Const) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


def _fold(node):
    """Arithmetic on number literals is computed now, so bad constants fail at parse time."""
    parts = (node.operand,) if isinstance(node, Unary) else (node.left, node.right)
    if not all(_is_number(p) for p in parts):
        return node
    try:
        value = _eval(node, {}, {}, {})
    except ExprError:
        raise
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ExprError(f"cannot compute constant: {exc}") from None
    if isinstance(value, complex) or (isinstance(value, float) and not math.isfinite(value)):
        raise ExprError("constant is not a finite real number")
    return Const(value)


def _check_signature(name, sig, args, kwargs):
    n_tensors = sig.n_tensors
    if len(args) < n_tensors:
        raise ExprError(f"B.{name} needs {n_tensors} input(s)")
    if sig.variadic and not isinstance(args[0], Seq):
        raise ExprError(f"B.{name} takes a list of inputs, e.g. B.{name}([$00, $01], axis=1)")
    extra = args[n_tensors:]
    names = sig.param_names
    if len(extra) > len(names):
        raise ExprError(f"B.{name} takes at most {n_tensors + len(names)} positional arguments")
    given = set(names[: len(extra)])
    for key, _ in kwargs:
        if key not in names:
            allowed = ", ".join(names) or "none"
            raise ExprError(f"B.{name} has no argument {key!r} (allowed: {allowed})")
        if key in given:
            raise ExprError(f"B.{name} got argument {key!r} twice")
        given.add(key)
    missing = [r for r in sig.required if r not in given]
    if missing:
        raise ExprError(f"B.{name} needs argument(s) {', '.join(missing)}")


def _suggest(name: str, options) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- evaluation ---------------------------------------------------------------------

MAX_INT_BITS = 63  # integers in expressions stay within int64
MAX_FLOAT_EXPONENT = 1100  # about the float range, in bits


def _pow(a, b):
    """``a ** b`` of numbers, refused before computing when the result would be huge."""
    if _plain_number(a) and _plain_number(b):
        if isinstance(b, int) and abs(b) > 1 << MAX_INT_BITS:
            raise ExprError("power too large")
        size = abs(a)
        if size > 1 and b > 0:
            bits = math.log2(size) * b
            if bits > (MAX_INT_BITS if isinstance(a, int) and isinstance(b, int)
                       else MAX_FLOAT_EXPONENT):
                raise ExprError("power too large")
        if size != 0 and size < 1 and b < 0 and -b * math.log2(1 / size) > MAX_FLOAT_EXPONENT:
            raise ExprError("power too large")
        value = a ** b
        if isinstance(value, complex):
            raise ExprError("power of a negative number is not a real number")
        return value
    return a ** b


def _plain_number(value) -> bool:
    return isinstance(value, (int, float))


def _checked(value):
    """Integer results beyond int64 are refused (their text is never formatted)."""
    if isinstance(value, int) and not isinstance(value, bool) and \
            value.bit_length() > MAX_INT_BITS:
        raise ExprError(f"integer result too large (more than {MAX_INT_BITS} bits)")
    if isinstance(value, complex):
        raise ExprError("result is not a real number")
    return value


_BIN_FUNCS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": _pow,
}
_CMP_FUNCS = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


def evaluate(expr: Expr, functions: Mapping[str, Callable], values: Mapping[str, object],
             names: Mapping[str, object] | None = None, guard: Callable | None = None):
    """Value of ``expr``: placeholders from ``values``, calls from ``functions``.

    ``guard(op, operands)``, when given, is called before every operation and may raise.
    """
    return _eval(expr.root, functions, values, names or {}, guard)


def evaluate_number(expr: Expr, names: Mapping[str, object]):
    """Number-mode evaluation; any failure becomes :class:`ExprError`."""
    try:
        value = _checked(_eval(expr.root, NUMBER_FUNCTIONS, {}, names))
    except ExprError:
        raise
    except (ArithmeticError, TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise ExprError(f"cannot compute: {exc}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ExprError("result is not a finite number")
    return value


def _eval(node, functions, values, names, guard=None):
    def sub(child):
        return _eval(child, functions, values, names, guard)

    if isinstance(node, Const):
        return node.value
    if isinstance(node, Placeholder):
        return values[node.name]
    if isinstance(node, Name):
        return names[node.id]
    if isinstance(node, Seq):
        items = [sub(n) for n in node.items]
        return items if node.is_list else tuple(items)
    if isinstance(node, Unary):
        operand = sub(node.operand)
        _no_strings(operand)
        if guard is not None:
            guard(node.op, (operand,))
        return _checked(-operand if node.op == "-" else +operand)
    if isinstance(node, Binary):
        left, right = sub(node.left), sub(node.right)
        _no_strings(left, right)
        if guard is not None:
            guard(node.op, (left, right))
        return _checked(_BIN_FUNCS[node.op](left, right))
    if isinstance(node, Compare):
        operands = [sub(n) for n in node.operands]
        _no_strings(*operands)
        if guard is not None:
            guard("compare", operands)
        result = None
        for op, a, b in zip(node.ops, operands, operands[1:]):
            part = _CMP_FUNCS[op](a, b)
            result = part if result is None else result & part
        return result
    if isinstance(node, Call):
        args = [sub(n) for n in node.args]
        kwargs = {k: sub(n) for k, n in node.kwargs}
        if guard is not None:
            guard(node.func, (args, kwargs))
        return _checked(functions[node.func](*args, **kwargs))
    raise ExprError(f"cannot evaluate {type(node).__name__}")


def _no_strings(*values):
    for value in values:
        if isinstance(value, (str, list, tuple)) or value is None:
            raise ExprError("arithmetic is only defined on numbers and tensors")


def substitute_names(text: str, names: Mapping[str, object]) -> tuple[str, bool]:
    """Replace whole identifiers that are global names by their values (strings verbatim).

    Returns the new text and whether anything was replaced. Quoted parts are left alone.
    """
    out, changed = [], False
    for part, quoted in _split_quotes(text):
        if quoted:
            out.append(part)
            continue

        def repl(match):
            nonlocal changed
            word = match.group(0)
            if word in names:
                changed = True
                value = names[word]
                return value if isinstance(value, str) else repr(value)
            return word

        out.append(re.sub(r"(?<![\w.])[A-Za-z_]\w*", repl, part))
    return "".join(out), changed


def _split_quotes(text: str):
    parts, i, start = [], 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                break
            parts.append((text[start:i], False))
            parts.append((text[i:end + 1], True))
            i = start = end + 1
            continue
        i += 1
    parts.append((text[start:], False))
    return parts
