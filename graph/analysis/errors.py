"""Exceptions raised by the dependency-graph analyses."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

__all__ = ["AnalysisError", "CycleError", "UnknownNodeError"]

_MAX_CANDIDATES = 200_000


class AnalysisError(Exception):
    """Base class of every error raised by :mod:`stackgraph.graph.analysis`."""


class UnknownNodeError(AnalysisError, KeyError):
    """An item id that the dependency graph does not contain.

    Attributes:
        node: The id that was asked for.
        suggestions: The closest known ids (possibly empty).
    """

    def __init__(self, node: str, suggestions: Sequence[str] = ()) -> None:
        self.node = node
        self.suggestions = tuple(suggestions)
        hint = (
            "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
            if self.suggestions
            else "; no similar id is known"
        )
        super().__init__(f"unknown item {node!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])

    @classmethod
    def for_id(cls, node: str, known: Iterable[str], n: int = 3) -> UnknownNodeError:
        """Build the error for ``node``, suggesting the ``n`` closest ``known`` ids."""
        width = max(3, len(node) // 3)
        candidates: list[str] = []
        for k in known:
            if abs(len(k) - len(node)) <= width:
                candidates.append(k)
                if len(candidates) >= _MAX_CANDIDATES:
                    break
        return cls(node, difflib.get_close_matches(node, candidates, n=n, cutoff=0.6))


class CycleError(AnalysisError):
    """An analysis that needs an acyclic closure met a dependency cycle.

    Attributes:
        cycles: The members of each cycle found, as sorted tuples of item ids.
    """

    def __init__(self, analysis: str, cycles: Sequence[Sequence[str]]) -> None:
        self.cycles = tuple(tuple(sorted(c)) for c in cycles)
        shown = "; ".join(
            ", ".join(c[:8]) + (" ..." if len(c) > 8 else "") for c in self.cycles[:3]
        )
        more = f" (and {len(self.cycles) - 3} more)" if len(self.cycles) > 3 else ""
        super().__init__(
            f"{analysis} needs an acyclic dependency closure, but it contains "
            f"{len(self.cycles)} cycle(s): {shown}{more}"
        )
