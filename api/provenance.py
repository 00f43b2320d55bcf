"""Provenance of a fact: where it comes from, how sure, and which named graph holds it."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry

from stackgraph.graph.snapshot import Provenance as ProvenanceRecord
from stackgraph.graph.snapshot import Snapshot

__all__ = ["Provenance", "provenance_list", "provenance_of"]


@strawberry.type(description="Where a fact comes from.")
class Provenance:
    iri: str | None = strawberry.field(description="The fact (entity, requirement, supply, claim).")
    source_url: str | None = strawberry.field(description="The document the fact was taken from.")
    tier: str = strawberry.field(
        description="The source's tier: primary (the party itself, regulators, government,"
        " standards bodies), press (trade press, news, named analysts), secondary (aggregators,"
        " wikis, forums, blogs, copies) or unknown (a source the tier list does not name yet)."
    )
    as_of: str | None = strawberry.field(description="The date the fact holds for (as published).")
    confidence: str | None = strawberry.field(description="high, medium or low.")
    estimated: bool = strawberry.field(description="Estimated rather than observed.")
    graph: str | None = strawberry.field(description="The named graph (one per ingested source).")
    weak: bool = strawberry.field(
        description="Too weak to rest a conclusion on alone: low confidence, or a secondary or"
        " unknown source. Answers that rest on such a fact are flagged."
    )

    @classmethod
    def from_record(cls, iri: str, record: ProvenanceRecord) -> Provenance:
        """The provenance of the fact `iri`, from the graph's record of it."""
        return cls(
            iri=iri,
            source_url=record.source,
            tier=record.tier,
            as_of=record.as_of,
            confidence=record.confidence,
            estimated=record.estimated,
            graph=record.graph,
            weak=record.weak,
        )


def provenance_of(snap: Snapshot, iri: str | None) -> Provenance | None:
    """The provenance of the fact `iri` in `snap` (None for no fact or an unsourced one)."""
    if iri is None:
        return None
    record = snap.provenance.get(iri)
    return None if record is None else Provenance.from_record(iri, record)


def provenance_list(snap: Snapshot, iris: Iterable[str | None]) -> list[Provenance]:
    """The provenance of several facts, skipping missing and unsourced ones."""
    return [p for p in (provenance_of(snap, i) for i in iris) if p is not None]
