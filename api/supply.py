"""Requirements (an item needs an input) and supplies (a source provides an input)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import strawberry

from stackgraph.api.context import Info
from stackgraph.api.graph_view import SupplyIndex
from stackgraph.api.provenance import Provenance, provenance_of
from stackgraph.graph.analysis import Requirement as RequirementFact
from stackgraph.graph.snapshot import Snapshot, SupplyInfo

if TYPE_CHECKING:
    from stackgraph.api.entity import Entity

__all__ = ["Requirement", "RequirementSource", "Supply", "supply_index"]

# Entity refers to these types: this side names Entity lazily and is handed the entities built.
EntityRef = Annotated["Entity", strawberry.lazy("stackgraph.api.entity")]


def _share(value: float | None) -> float | None:
    # The dependency graph stores shares as float32; clients want the published figure.
    return None if value is None else round(value, 6)


async def supply_index(info: Info) -> SupplyIndex:
    """The supplies of the request's version, indexed (cached per version)."""
    view = info.context.view
    return await info.context.cached(("supply-index",), lambda: SupplyIndex.of(view.snapshot()))


@strawberry.type(description="A qualified source of a requirement (OR: any of them meets it).")
class RequirementSource:
    share: float | None = strawberry.field(description="Share of the input it supplies (0..1).")
    lead_time_days: int | None
    qualification: str = strawberry.field(description="qualified (only these count).")
    provenance: Provenance | None
    supplier: EntityRef = strawberry.field(
        description="The supplier (an organisation, facility or product)."
    )


@strawberry.type(description="An item needs an input (AND: every requirement must be met).")
class Requirement:
    id: strawberry.ID = strawberry.field(description="`item/input`.")
    quantity: float | None = strawberry.field(description="Units of input per unit of item.")
    lead_time_days: int | None
    sources: list[RequirementSource]
    provenance: Provenance | None
    item: EntityRef = strawberry.field(description="The item that needs the input.")
    input_: EntityRef = strawberry.field(name="input", description="What the item needs.")

    @classmethod
    def from_fact(
        cls,
        fact: RequirementFact,
        index: SupplyIndex,
        snap: Snapshot,
        entity: Callable[[str], Entity],
    ) -> Requirement:
        """The requirement of the dependency graph of `snap`, its sources qualified by `index`;
        `entity` builds the entity of a slug."""
        sources = []
        for s in fact.sources:
            record = index.by_iri.get(s.fact or "")
            sources.append(
                RequirementSource(
                    share=_share(s.share),
                    lead_time_days=s.lead_time_days,
                    qualification="qualified" if record is None else record.qualification,
                    provenance=provenance_of(snap, s.fact),
                    supplier=entity(s.supplier),
                )
            )
        return cls(
            id=strawberry.ID(fact.id),
            quantity=fact.quantity,
            lead_time_days=fact.lead_time_days,
            sources=sources,
            provenance=provenance_of(snap, fact.fact),
            item=entity(fact.item),
            input_=entity(fact.input),
        )


@strawberry.type(description="A Supply record: a supplier provides an input (to one consumer).")
class Supply:
    supplier: EntityRef
    input_: EntityRef = strawberry.field(name="input")
    consumer: EntityRef | None = strawberry.field(
        description="The one consumer this supply is for; null for the market."
    )
    share: float | None = strawberry.field(description="Share of the input it supplies (0..1).")
    qualification: str = strawberry.field(
        description="qualified, sampling, planned or disqualified."
    )
    lead_time_days: int | None
    provenance: Provenance | None

    @classmethod
    def from_record(
        cls, record: SupplyInfo, snap: Snapshot, entity: Callable[[str], Entity]
    ) -> Supply:
        """The supply of a record of `snap`; `entity` builds the entity of a slug."""
        return cls(
            supplier=entity(record.supplier),
            input_=entity(record.input),
            consumer=None if record.consumer is None else entity(record.consumer),
            share=_share(record.share),
            qualification=record.qualification,
            lead_time_days=record.lead_time_days,
            provenance=provenance_of(snap, record.iri),
        )
