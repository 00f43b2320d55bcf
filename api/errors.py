"""Errors the API reports on purpose: each has a message, a hint and an `extensions.code`.

Every other exception is masked before it reaches a client (see `stackgraph.api.schema`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError

__all__ = [
    "ApiError",
    "BadInputError",
    "CycleFoundError",
    "DeadlineExceededError",
    "NotFoundError",
    "StaleCursorError",
    "is_reported",
]


class ApiError(Exception):
    """Base class of the errors clients see unmasked; `extensions` carries the code."""

    code = "API_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class NotFoundError(ApiError):
    """An id, name, alias or IRI matches no entity; `suggestions` lists the closest ids."""

    code = "NOT_FOUND"

    def __init__(self, ref: str, suggestions: Sequence[str], field: str | None = None) -> None:
        hint = (
            f"; did you mean {', '.join(repr(s) for s in suggestions)}?"
            if suggestions
            else "; try `search(text: ...)` to find its id"
        )
        extra: dict[str, Any] = {"id": ref, "suggestions": list(suggestions)}
        if field is not None:
            extra["field"] = field
        super().__init__(f"no entity matches {ref!r}{hint}", **extra)


class BadInputError(ApiError):
    """An argument is out of range or malformed; the message says what would be right."""

    code = "BAD_USER_INPUT"


class StaleCursorError(ApiError):
    """A cursor of an older graph version: the list may have changed since; start again."""

    code = "STALE_CURSOR"

    def __init__(self, made_on: str, version: str) -> None:
        super().__init__(
            f"the graph changed since this cursor was issued (version {made_on} is now"
            f" {version}); ask for the first page again, without `after`",
            argument="after",
            version=version,
        )


class CycleFoundError(ApiError):
    """An analysis that needs an acyclic closure met a dependency cycle."""

    code = "CYCLE"

    def __init__(self, message: str, cycles: Sequence[Sequence[str]]) -> None:
        super().__init__(message, cycles=[list(c) for c in cycles])


class DeadlineExceededError(ApiError):
    """The request ran past its time limit."""

    code = "TIMEOUT"

    def __init__(self, limit_s: float) -> None:
        super().__init__(
            f"the request took longer than its {limit_s:g} s limit; ask for less "
            "(smaller `first` or `depth`, fewer fields) or retry later",
            limitSeconds=limit_s,
        )


def is_reported(error: GraphQLError) -> bool:
    """Whether a client may see this error as it is (ours, or a parse/validation error)."""
    original = error.original_error
    return original is None or isinstance(original, ApiError | GraphQLError)
