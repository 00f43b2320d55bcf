"""What went wrong with an input, said precisely: file, line, field, value and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stackgraph.graph.errors import StackgraphError

__all__ = ["IngestError", "InvalidInputError", "Problem", "UsageError"]


@dataclass(frozen=True)
class Problem:
    """One defect of one input file.

    Examples:
        >>> problem = Problem("data/a.yaml", 12, "is required but missing", field="layer")
        >>> print(problem)
        data/a.yaml:12: field 'layer': is required but missing
        >>> problem.to_dict()["line"]
        12
    """

    file: str
    line: int | None
    message: str
    field: str | None = None
    value: Any = None
    record: str | None = None
    follow_on: bool = False
    """Caused by another problem (a reference to an entity whose record is invalid or whose
    file could not be read): listed after the problems that cause it."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        record = f" {self.record}" if self.record else ""
        field = f" field {self.field!r}:" if self.field else ""
        return f"{where}:{record}{field} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        value = (
            self.value
            if isinstance(self.value, (str, int, float, bool, type(None)))
            else repr(self.value)
        )
        return {
            "file": self.file,
            "line": self.line,
            "record": self.record,
            "field": self.field,
            "value": value,
            "message": self.message,
            "follow_on": self.follow_on,
        }


class IngestError(StackgraphError):
    """Base class of ingest errors."""


class UsageError(IngestError):
    """The command was called wrongly (exit code 2)."""


class InvalidInputError(IngestError):
    """One or more inputs are invalid; nothing was written (exit code 1)."""

    def __init__(self, problems: list[Problem], report: Any = None) -> None:
        self.problems = problems
        self.report = report
        super().__init__(f"{len(problems)} problem(s) in the input")
