"""The parts of a dependency graph as records: an item, a requirement and its sources.

`DependencyGraph.item(id)` and `DependencyGraph.requirements(id)` answer with these; the
analyses keep the graph itself in arrays (`stackgraph.graph.analysis.model`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Item", "Requirement", "Source"]


@dataclass(frozen=True, slots=True)
class Item:
    """An item (AND node): a product, facility, organisation or material.

    ``lead_time_days`` is its quoted lead time (order to delivery, its inputs included);
    ``stage_time_days`` the time of its own step once its inputs are there; ``fact`` and
    ``stage_fact`` the records they come from.
    """

    id: str
    name: str | None
    layer: str | None
    category: str | None
    lead_time_days: int | None
    fact: str | None
    stage_time_days: int | None = None
    stage_fact: str | None = None

    @property
    def label(self) -> str | None:
        """Deprecated: use `name`."""
        return self.name


@dataclass(frozen=True, slots=True)
class Source:
    """A supplier of a requirement, with its share of supply."""

    supplier: str
    share: float | None
    lead_time_days: int | None
    fact: str | None


@dataclass(frozen=True, slots=True)
class Requirement:
    """A requirement (OR node) of ``item`` for ``input``, met by any of its ``sources``."""

    id: str
    item: str
    input: str
    quantity: float | None
    lead_time_days: int | None
    fact: str | None
    sources: tuple[Source, ...]
