"""`impact`: what a scenario of shortages blocks or constrains, and why (DESIGN.md §3)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import overload

import numpy as np
import numpy.typing as npt
import strawberry

from stackgraph.api.context import Context, Info
from stackgraph.api.entity import Entity, entity_of
from stackgraph.api.errors import BadInputError
from stackgraph.api.graph_view import SupplyIndex
from stackgraph.api.pagination import PageInfo, cursor_of, offset_of, paginate
from stackgraph.api.provenance import Provenance, provenance_list, provenance_of
from stackgraph.api.supply import Requirement, supply_index
from stackgraph.graph import analysis
from stackgraph.graph.analysis import AffectedColumns, ImpactResult, Status

__all__ = [
    "AffectedItem",
    "Impact",
    "ImpactOrder",
    "ImpactOrderField",
    "ImpactStatus",
    "OrderDirection",
    "ShortageInput",
    "resolve_impact",
]

MAX_SHORTAGES = 100


@strawberry.enum(
    description="How an item fares under the scenario, from its availability bounds: BLOCKED "
    "(high 0), CONSTRAINED (high below 1), POSSIBLY_CONSTRAINED (only low below 1: it depends "
    "on shares no source gives), OK."
)
class ImpactStatus(Enum):
    BLOCKED = "BLOCKED"
    CONSTRAINED = "CONSTRAINED"
    POSSIBLY_CONSTRAINED = "POSSIBLY_CONSTRAINED"
    OK = "OK"


@strawberry.enum
class ImpactOrderField(Enum):
    STATUS = "status"
    AVAILABILITY = "availability"
    ID = "id"
    LAYER = "layer"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="An item and how much of it is still available (0 = out, 1 = all).")
class ShortageInput:
    id: strawberry.ID = strawberry.field(description="Slug, name, alias or IRI.")
    availability: float


@strawberry.input(description="Sort order of affected items; ties are broken by id.")
class ImpactOrder:
    field: ImpactOrderField = ImpactOrderField.STATUS
    direction: OrderDirection = OrderDirection.ASC


@dataclass(frozen=True, slots=True)
class _Ranked:
    """An affected item as ranked and paged: what ordering needs, without its explanation."""

    id: str
    status: Status
    low: float  # as clients see them: rounded to 6 places
    high: float
    layer: str | None
    binding_requirement: str | None


class _Ordered(Sequence[_Ranked]):
    """The affected items in one order, kept as arrays; a row is made when a page reads it (a
    scenario that reaches 200k items would otherwise hold 200k objects per cached order)."""

    def __init__(self, rows: _Rows, field: ImpactOrderField, descending: bool) -> None:
        key = _sort_key(field, rows)
        self._rows = rows
        self._order = np.array(sorted(range(len(rows.cols)), key=key, reverse=descending))

    def __len__(self) -> int:
        return int(self._order.size)

    @property
    def nbytes(self) -> int:
        """Bytes of its order (the rows are counted with the impact they come from)."""
        return int(self._order.nbytes)

    @overload
    def __getitem__(self, k: int) -> _Ranked: ...
    @overload
    def __getitem__(self, k: slice) -> list[_Ranked]: ...
    def __getitem__(self, k: int | slice) -> _Ranked | list[_Ranked]:
        if isinstance(k, slice):
            return [self._row(p) for p in self._order[k].tolist()]
        return self._row(int(self._order[k]))

    def _row(self, p: int) -> _Ranked:
        cols = self._rows.cols
        return _Ranked(
            id=cols.id(p),
            status=cols.status(p),
            low=float(self._rows.low[p]),
            high=float(self._rows.high[p]),
            layer=cols.layer(p),
            binding_requirement=cols.binding(p),
        )


@dataclass(frozen=True)
class _Rows:
    """An impact's affected items (`AffectedColumns`) with their bounds as clients see them,
    rounded to 6 places: made once per impact, shared by its orders, which sort on them."""

    cols: AffectedColumns
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]

    @classmethod
    def of(cls, cols: AffectedColumns) -> _Rows:
        def rounded(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            return np.array([round(x, 6) for x in values.tolist()])  # as Python rounds

        return cls(cols, rounded(cols.low), rounded(cols.high))

    @property
    def nbytes(self) -> int:
        return int(self.cols.nbytes + self.low.nbytes + self.high.nbytes)


def _sort_key(field: ImpactOrderField, rows: _Rows) -> Callable[[int], tuple[object, ...]]:
    """The key of position `p` for `field`; ties are broken by id."""
    cols, low, high = rows.cols, rows.low.tolist(), rows.high.tolist()
    ids = cols.ids()
    if field is ImpactOrderField.STATUS:
        rank = cols.rank.tolist()
        return lambda p: (rank[p], low[p], high[p], ids[p])
    if field is ImpactOrderField.AVAILABILITY:
        return lambda p: (low[p], high[p], ids[p])
    if field is ImpactOrderField.LAYER:
        codes, names = cols.layer_code.tolist(), cols.layer_names
        return lambda p: (names[codes[p]] or "", ids[p])
    return lambda p: (ids[p],)


_LOW = "The lower bound of the availability: the worst case the shares allow."
_HIGH = "The upper bound: the best case (equal to the lower when every share is sourced)."


@strawberry.type(description="A source of a step's requirement, with the share the analysis used.")
class ShareUsed:
    supplier: Entity
    share: float | None = strawberry.field(
        description="The sourced share; null when no source gives it (the unsourced sources "
        "carry what the sourced shares leave, in any proportion: hence a range)."
    )
    availability_low: float = strawberry.field(description=_LOW)
    availability_high: float = strawberry.field(description=_HIGH)
    provenance: Provenance | None = strawberry.field(description="Where the supply comes from.")


@strawberry.type(description="One link of the chain from an affected item back to a shortage.")
class ExplanationStep:
    entity: Entity
    availability: float = strawberry.field(
        description="The lower bound.",
        deprecation_reason="Use availabilityLow and availabilityHigh.",
    )
    availability_low: float = strawberry.field(description=_LOW)
    availability_high: float = strawberry.field(description=_HIGH)
    requirement: strawberry.ID | None = strawberry.field(description="The binding requirement.")
    via: str | None = strawberry.field(description="`input` or `source`: how the cause binds.")
    cause: strawberry.ID | None = strawberry.field(description="The next item in the chain.")
    facts: list[Provenance] = strawberry.field(description="The requirement and supply facts.")
    shares: list[ShareUsed] = strawberry.field(
        description="Every source of the binding requirement with the share used and its source."
    )

    @classmethod
    def from_step(cls, step: analysis.ExplanationStep, context: Context) -> ExplanationStep:
        """One step of an analysis explanation."""
        snap = context.snapshot
        return cls(
            entity=entity_of(context, step.item),
            availability=round(step.low, 6),
            availability_low=round(step.low, 6),
            availability_high=round(step.high, 6),
            requirement=None if step.requirement is None else strawberry.ID(step.requirement),
            via=step.via,
            cause=None if step.cause is None else strawberry.ID(step.cause),
            facts=provenance_list(snap, (step.requirement_fact, step.source_fact)),
            shares=[
                ShareUsed(
                    supplier=entity_of(context, s.supplier),
                    share=s.share,
                    availability_low=round(s.low, 6),
                    availability_high=round(s.high, 6),
                    provenance=provenance_of(snap, s.fact),
                )
                for s in step.shares
            ],
        )


@strawberry.type(description="An item whose availability may fall below 1 (its lower bound does).")
class AffectedItem:
    entity: Entity
    status: ImpactStatus
    availability: float = strawberry.field(
        description="The lower bound.",
        deprecation_reason="Use availabilityLow and availabilityHigh.",
    )
    availability_low: float = strawberry.field(description=_LOW)
    availability_high: float = strawberry.field(description=_HIGH)
    layer: str | None
    binding_requirement: Requirement | None = strawberry.field(
        description="The requirement that limits it; null when its own shortage binds."
    )
    root_cause: Entity | None = strawberry.field(description="The shortage at the chain's end.")
    chain: list[strawberry.ID] = strawberry.field(
        description="Ids from this item to the shortage (the explanation, in brief)."
    )
    explanation: list[ExplanationStep]

    @classmethod
    def from_result(
        cls, result: ImpactResult, item: _Ranked, context: Context, index: SupplyIndex
    ) -> AffectedItem:
        """An affected item of `result`, with its binding requirement and explanation."""
        entity: Callable[[str], Entity] = partial(entity_of, context)
        binding = None
        if item.binding_requirement is not None:
            fact = context.view.requirement(item.binding_requirement)
            if fact is not None:
                binding = Requirement.from_fact(fact, index, context.snapshot, entity)
        steps = result.explain(item.id)
        last = steps[-1] if steps else None
        return cls(
            entity=entity(item.id),
            status=ImpactStatus(item.status.value),
            availability=item.low,
            availability_low=item.low,
            availability_high=item.high,
            layer=item.layer,
            binding_requirement=binding,
            root_cause=None if last is None or last.cause is not None else entity(last.item),
            chain=[strawberry.ID(step.item) for step in steps],
            explanation=[ExplanationStep.from_step(step, context) for step in steps],
        )


@strawberry.type
class AffectedItemEdge:
    cursor: str
    node: AffectedItem


@strawberry.type
class LayerCounts:
    layer: str | None
    blocked: int
    constrained: int
    possibly_constrained: int
    ok: int


@strawberry.type(description="Counts per status over all items, and per layer.")
class ImpactSummary:
    blocked: int
    constrained: int
    possibly_constrained: int
    ok: int
    by_layer: list[LayerCounts]

    @classmethod
    def from_result(cls, result: ImpactResult) -> ImpactSummary:
        """The counts of `result`; items without a layer first, then by layer."""
        by_layer = sorted(
            result.counts_by_layer.items(), key=lambda kv: (kv[0] is not None, kv[0] or "")
        )
        return cls(
            **_counts(result.counts),
            by_layer=[LayerCounts(layer=layer, **_counts(c)) for layer, c in by_layer],
        )


def _counts(counts: Mapping[str, int]) -> dict[str, int]:
    return {
        "blocked": counts.get(Status.BLOCKED, 0),
        "constrained": counts.get(Status.CONSTRAINED, 0),
        "possibly_constrained": counts.get(Status.POSSIBLY_CONSTRAINED, 0),
        "ok": counts.get(Status.OK, 0),
    }


@strawberry.type
class Shortage:
    entity: Entity
    availability: float


@strawberry.type(description="The result of a scenario: a connection of affected items.")
class Impact:
    version: str = strawberry.field(description="The graph version the answer comes from.")
    substitution: bool
    shortages: list[Shortage]
    summary: ImpactSummary
    cycles: list[list[strawberry.ID]] = strawberry.field(description="Cycles the shortage reaches.")
    edges: list[AffectedItemEdge]
    page_info: PageInfo
    total_count: int


def _checked(shortages: list[ShortageInput]) -> None:
    if not 1 <= len(shortages) <= MAX_SHORTAGES:
        raise BadInputError(
            f"give between 1 and {MAX_SHORTAGES} shortages, got {len(shortages)}",
            argument="shortages",
        )
    for i, s in enumerate(shortages):
        v = s.availability
        if math.isnan(v) or not 0.0 <= v <= 1.0:
            raise BadInputError(
                f"availability of {s.id!r} must be in [0, 1] (0 = out, 1 = normal), got {v}",
                argument=f"shortages[{i}].availability",
            )


async def resolve_impact(
    info: Info,
    shortages: list[ShortageInput],
    substitution: bool,
    first: int | None,
    after: str | None,
    order_by: ImpactOrder | None,
) -> Impact:
    """Run (or reuse) the impact analysis and return one page of it."""
    ctx = info.context
    size = ctx.page_size(first)
    _checked(shortages)
    offset_of(after, ctx.version)  # a bad or stale cursor fails before any work
    wanted: dict[str, float] = {}
    for i, s in enumerate(shortages):
        slug = ctx.resolve(str(s.id), field=f"shortages[{i}].id")
        wanted[slug] = min(wanted.get(slug, 1.0), s.availability)
    key = tuple(sorted(wanted.items()))
    snap = ctx.snapshot

    def run() -> tuple[ImpactResult, _Rows]:
        result = analysis.impact(snap.graph, wanted, substitution=substitution)
        return result, _Rows.of(result.columns())

    result, rows = await ctx.cached(("impact", key, substitution), run)
    order = order_by or ImpactOrder()
    ordered = await ctx.cached(
        ("impact-order", key, substitution, order.field, order.direction),
        lambda: _Ordered(rows, order.field, order.direction is OrderDirection.DESC),
    )
    page = paginate(ordered, size, after, ctx.version)
    index = await supply_index(info)

    def build_edges() -> list[AffectedItemEdge]:
        return [
            AffectedItemEdge(
                cursor=cursor_of(offset, ctx.version),
                node=AffectedItem.from_result(result, item, ctx, index),
            )
            for offset, item in page.items
        ]

    # The page's objects are plain data of this version: the next request for it reuses them.
    edges = await ctx.cached(
        ("impact-page", key, substitution, order.field, order.direction, size, after), build_edges
    )
    return Impact(
        version=snap.version,
        substitution=substitution,
        shortages=[Shortage(entity=entity_of(ctx, k), availability=v) for k, v in wanted.items()],
        summary=ImpactSummary.from_result(result),
        cycles=[[strawberry.ID(m) for m in c] for c in result.cycles],
        edges=edges,
        page_info=page.info,
        total_count=page.total,
    )
