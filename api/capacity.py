"""Capacities: how much of an item is made (or can be) per period, by whom, in which year."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.provenance import Provenance, provenance_of
from graph.snapshot import CapacityInfo, Snapshot

if TYPE_CHECKING:
    from api.entity import Entity

__all__ = ["Capacity"]

# Entity refers to Capacity: this side names Entity lazily and is handed the entities built.
EntityRef = Annotated["Entity", strawberry.lazy("api.entity")]


@strawberry.type(
    description="A sourced capacity figure: `amount` (to `amountMax` for a range) `unit` per "
    "`period` of an item, held by `holder` (null: the whole market), for `year`. Sources that "
    "disagree are separate records."
)
class Capacity:
    of: EntityRef = strawberry.field(
        description="What the capacity is of (a technology, product or facility)."
    )
    holder: EntityRef | None = strawberry.field(
        description="Who holds it; null when the figure is for the whole market."
    )
    amount: float
    amount_max: float | None = strawberry.field(
        description="Upper end when the source gives a range."
    )
    unit: str = strawberry.field(description="Unit of the amount (wafers, GPUs, racks, GW, ...).")
    period: str = strawberry.field(description="day, month, quarter, year, or total (installed).")
    year: int | None = strawberry.field(description="The year the figure is for.")
    note: str | None
    provenance: Provenance | None

    @classmethod
    def from_record(
        cls, record: CapacityInfo, snap: Snapshot, entity: Callable[[str], Entity]
    ) -> Capacity:
        """The capacity of a record of `snap`; `entity` builds the entity of a slug."""
        return cls(
            of=entity(record.of),
            holder=None if record.holder is None else entity(record.holder),
            amount=record.amount,
            amount_max=record.amount_max,
            unit=record.unit,
            period=record.period,
            year=record.year,
            note=record.note,
            provenance=provenance_of(snap, record.iri),
        )
