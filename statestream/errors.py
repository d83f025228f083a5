"""User-facing problems: one line each, ``FILE:LINE: ITEM: message``, exit code 2."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

EXIT_USER_ERROR = 2


class Pos(NamedTuple):
    """Where something was written: file and 1-based line (0 = unknown)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    pos: Pos
    item: str
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.pos}: {self.item}: {prefix}{self.message}"


class UserError(Exception):
    """A mistake of the user that is reported as one line (exit code 2)."""


class SpecError(UserError):
    """A graph file has one or more errors; ``problems`` holds them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects every problem of a graph, so that all are reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(self, pos: Pos, item: str, message: str) -> None:
        self._add(Problem(pos, item, message, "error"))

    def warning(self, pos: Pos, item: str, message: str) -> None:
        self._add(Problem(pos, item, message, "warning"))

    def _add(self, problem: Problem) -> None:
        if problem not in self.items:
            self.items.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise SpecError(self.errors)
