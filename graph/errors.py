"""Exceptions of the graph package: one base class, a few precise subclasses."""

from __future__ import annotations

__all__ = [
    "AmbiguousEntityError",
    "StackgraphError",
    "StoreBusyError",
    "StoreDamagedError",
    "StoreError",
    "StoreSpecError",
    "StoreUnavailableError",
    "UnknownEntityError",
]


class StackgraphError(Exception):
    """Base class of every error this project raises on purpose."""


class StoreError(StackgraphError):
    """A store could not do what was asked."""


class StoreSpecError(StoreError, ValueError):
    """A store spec is not one of `memory:`, `oxigraph:PATH` or `sparql:URL`."""


class StoreBusyError(StoreError):
    """Another process holds the store or its ingest lock; retry later."""


class StoreDamagedError(StoreError):
    """The store's files are damaged (a failed disk, a writer killed mid-flush, files removed):
    retrying will not help; restore a backup or ingest into a new store."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached or opened now; retry later."""


class UnknownEntityError(StackgraphError, KeyError):
    """An id, IRI or name matches no entity; carries the closest matches."""

    def __init__(self, value: str, suggestions: list[str]) -> None:
        self.value = value
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown entity {value!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


class AmbiguousEntityError(UnknownEntityError):
    """A word names no entity whole but is a word of several names; carries them (ids)."""

    def __init__(self, value: str, candidates: list[str], total: int | None = None) -> None:
        self.value = value
        self.suggestions = candidates
        more = (
            ""
            if total is None or total <= len(candidates)
            else f" and {total - len(candidates)} more"
        )
        KeyError.__init__(
            self,
            f"{value!r} is a word of several names: {', '.join(candidates)}{more};"
            " give an id or a whole name",
        )
