"""Capacities: how much of an item is made (or can be) per period, by whom, in which year."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import strawberry

from stackgraph.api.provenance import Provenance, provenance_of
from stackgraph.graph.snapshot import CapacityInfo, Snapshot
from stackgraph.graph.units import Canonical

if TYPE_CHECKING:
    from stackgraph.api.entity import Entity

__all__ = ["Capacity"]

# Entity refers to Capacity: this side names Entity lazily and is handed the entities built.
EntityRef = Annotated["Entity", strawberry.lazy("stackgraph.api.entity")]


@strawberry.type(
    description="A sourced figure of an item, held by `holder` (null: the whole market), for "
    "`year`: `amount` (to `amountMax` for a range) `unit` per `period` as the source gives it, "
    "and the same figure in the canonical unit and period (`canonicalAmount` ...). `kind` says "
    "what it measures; only `capacity` is what can be made or delivered. Sources that disagree "
    "are separate records."
)
class Capacity:
    of: EntityRef = strawberry.field(
        description="What the capacity is of (a technology, product or facility)."
    )
    holder: EntityRef | None = strawberry.field(
        description="Who holds it; null when the figure is for the whole market."
    )
    year: int | None = strawberry.field(description="The year the figure is for.")
    kind: str = strawberry.field(
        description="What the figure measures: capacity (what can be made or delivered per "
        "period), shipments, demand, allocation (a holder's reserved part), backlog or "
        "installed-base (stocks, with no period)."
    )
    amount: float = strawberry.field(description="The amount as the source gives it.")
    amount_max: float | None = strawberry.field(
        description="Upper end when the source gives a range."
    )
    unit: str = strawberry.field(
        description="Unit of the amount as written (wafers, GPUs, racks, MW, ...)."
    )
    period: str | None = strawberry.field(
        description="day, month, quarter or year; null for a stock or a power capacity."
    )
    canonical_amount: float | None = strawberry.field(
        description="The amount in `canonicalUnit` per `canonicalPeriod`; null when the unit is "
        "not in the project's vocabulary."
    )
    canonical_amount_max: float | None = strawberry.field(
        description="`amountMax` in the canonical unit and period."
    )
    canonical_unit: str | None = strawberry.field(
        description="The canonical unit: a count's own name (wafer, package, accelerator, ...), "
        "GW for power, GWh for energy, GB for data."
    )
    canonical_period: str | None = strawberry.field(
        description="month for a rate; null for a stock or a power capacity."
    )
    converted: bool = strawberry.field(
        description="true when the canonical amount differs from the amount (another period or "
        "scale)."
    )
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
            year=record.year,
            kind=record.kind,
            amount=record.amount,
            amount_max=record.amount_max,
            unit=record.unit,
            period=record.period,
            **Canonical.columns(record.canonical),
            note=record.note,
            provenance=provenance_of(snap, record.iri),
        )
