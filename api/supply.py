# mypy: disable-error-code="untyped-decorator"
"""Requirements (an item needs an input) and supplies (a source provides an input)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.graph_view import SupplyIndex
from api.provenance import Provenance, provenance_of
from graph.analysis import Requirement as RequirementFact
from graph.projection import SupplyInfo

if TYPE_CHECKING:
    from api.entity import Entity

__all__ = ["Requirement", "RequirementSource", "Supply", "requirement_of", "supply_index"]

EntityRef = Annotated["Entity", strawberry.lazy("api.entity")]


def _entity(info: Info, slug: str) -> Entity:
    from api.entity import entity_of

    return entity_of(info.context, slug)


def _share(value: float | None) -> float | None:
    # The dependency graph stores shares as float32; clients want the published figure.
    return None if value is None else round(value, 6)


async def supply_index(info: Info) -> SupplyIndex:
    """The supplies of the request's version, indexed (cached per version)."""
    view = info.context.view
    return await info.context.cached(("supply-index",), lambda: SupplyIndex.of(view.snapshot()))


@strawberry.type(description="A qualified source of a requirement (OR: any of them meets it).")
class RequirementSource:
    supplier_id: strawberry.Private[str]
    share: float | None = strawberry.field(description="Share of the input it supplies (0..1).")
    lead_time_days: int | None
    qualification: str = strawberry.field(description="qualified (only these count).")
    provenance: Provenance | None

    @strawberry.field(description="The supplier (an organisation, facility or product).")
    def supplier(self, info: Info) -> EntityRef:
        return _entity(info, self.supplier_id)


@strawberry.type(description="An item needs an input (AND: every requirement must be met).")
class Requirement:
    id: strawberry.ID = strawberry.field(description="`item/input`.")
    item_id: strawberry.Private[str]
    input_id: strawberry.Private[str]
    quantity: float | None = strawberry.field(description="Units of input per unit of item.")
    lead_time_days: int | None
    sources: list[RequirementSource]
    provenance: Provenance | None

    @strawberry.field(description="The item that needs the input.")
    def item(self, info: Info) -> EntityRef:
        return _entity(info, self.item_id)

    @strawberry.field(name="input", description="What the item needs.")
    def input_(self, info: Info) -> EntityRef:
        return _entity(info, self.input_id)


def requirement_of(info: Info, fact: RequirementFact, index: SupplyIndex) -> Requirement:
    """The GraphQL requirement of a dependency-graph requirement."""
    view = info.context.view
    sources = []
    for s in fact.sources:
        record = index.by_iri.get(s.fact or "")
        sources.append(
            RequirementSource(
                supplier_id=s.supplier,
                share=_share(s.share),
                lead_time_days=s.lead_time_days,
                qualification="qualified" if record is None else record.qualification,
                provenance=provenance_of(view.provenance(s.fact)),
            )
        )
    return Requirement(
        id=strawberry.ID(fact.id),
        item_id=fact.item,
        input_id=fact.input,
        quantity=fact.quantity,
        lead_time_days=fact.lead_time_days,
        sources=sources,
        provenance=provenance_of(view.provenance(fact.fact)),
    )


@strawberry.type(description="A Supply record: a supplier provides an input (to one consumer).")
class Supply:
    record: strawberry.Private[SupplyInfo]

    @strawberry.field
    def supplier(self, info: Info) -> EntityRef:
        return _entity(info, self.record.supplier)

    @strawberry.field(name="input")
    def input_(self, info: Info) -> EntityRef:
        return _entity(info, self.record.input)

    @strawberry.field(description="The one consumer this supply is for; null for the market.")
    def consumer(self, info: Info) -> EntityRef | None:
        return None if self.record.consumer is None else _entity(info, self.record.consumer)

    @strawberry.field(description="Share of the input it supplies (0..1).")
    def share(self) -> float | None:
        return _share(self.record.share)

    @strawberry.field(description="qualified, sampling, planned or disqualified.")
    def qualification(self) -> str:
        return self.record.qualification

    @strawberry.field
    def lead_time_days(self) -> int | None:
        return self.record.lead_time_days

    @strawberry.field
    def provenance(self, info: Info) -> Provenance | None:
        return provenance_of(info.context.view.provenance(self.record.iri))
