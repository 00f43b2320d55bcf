"""Provenance of a fact: where it comes from, how sure, and which named graph holds it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import strawberry

__all__ = ["Provenance", "provenance_list", "provenance_of"]


@strawberry.type(description="Where a fact comes from.")
class Provenance:
    iri: str | None = strawberry.field(description="The fact (entity, requirement, supply, claim).")
    source_url: str | None = strawberry.field(description="The document the fact was taken from.")
    as_of: str | None = strawberry.field(description="The date the fact holds for (as published).")
    confidence: str | None = strawberry.field(description="high, medium or low.")
    estimated: bool = strawberry.field(description="Estimated rather than observed.")
    graph: str | None = strawberry.field(description="The named graph (one per ingested source).")


def provenance_of(row: Mapping[str, Any] | None) -> Provenance | None:
    """A `Provenance` from the dicts of the Python API (`KnowledgeGraph.provenance`)."""
    if row is None:
        return None
    return Provenance(
        iri=row.get("iri"),
        source_url=row.get("source"),
        as_of=None if row.get("as_of") is None else str(row["as_of"]),
        confidence=row.get("confidence"),
        estimated=bool(row.get("estimated")),
        graph=row.get("graph"),
    )


def provenance_list(rows: Iterable[Mapping[str, Any] | None]) -> list[Provenance]:
    """The provenance of several facts, skipping unknown ones."""
    return [p for p in (provenance_of(r) for r in rows) if p is not None]
