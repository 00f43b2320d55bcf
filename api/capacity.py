# mypy: disable-error-code="untyped-decorator"
"""Capacities: how much of an item is made (or can be) per period, by whom, in which year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Info
from api.provenance import Provenance, provenance_of
from graph.projection import CapacityInfo

if TYPE_CHECKING:
    from api.entity import Entity

__all__ = ["Capacity", "capacities_of"]

EntityRef = Annotated["Entity", strawberry.lazy("api.entity")]


def _entity(info: Info, slug: str) -> Entity:
    from api.entity import entity_of

    return entity_of(info.context, slug)


@strawberry.type(
    description="A sourced capacity figure: `amount` (to `amountMax` for a range) `unit` per "
    "`period` of an item, held by `holder` (null: the whole market), for `year`. Sources that "
    "disagree are separate records."
)
class Capacity:
    record: strawberry.Private[CapacityInfo]

    @strawberry.field(description="What the capacity is of (a technology, product or facility).")
    def of(self, info: Info) -> EntityRef:
        return _entity(info, self.record.of)

    @strawberry.field(description="Who holds it; null when the figure is for the whole market.")
    def holder(self, info: Info) -> EntityRef | None:
        return None if self.record.holder is None else _entity(info, self.record.holder)

    @strawberry.field
    def amount(self) -> float:
        return self.record.amount

    @strawberry.field(description="Upper end when the source gives a range.")
    def amount_max(self) -> float | None:
        return self.record.amount_max

    @strawberry.field(description="Unit of the amount (wafers, GPUs, racks, GW, ...).")
    def unit(self) -> str:
        return self.record.unit

    @strawberry.field(description="day, month, quarter, year, or total (installed).")
    def period(self) -> str:
        return self.record.period

    @strawberry.field(description="The year the figure is for.")
    def year(self) -> int | None:
        return self.record.year

    @strawberry.field
    def note(self) -> str | None:
        return self.record.note

    @strawberry.field
    def provenance(self, info: Info) -> Provenance | None:
        return provenance_of(info.context.view.provenance(self.record.iri))


def capacities_of(info: Info, slug: str, year: int | None) -> list[Capacity]:
    """The capacity records of `slug` (as what they are of, or as holder), by year then holder."""
    found = info.context.view.snapshot().capacities_of(slug, year)
    return [Capacity(record=c) for c in found]
