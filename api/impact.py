"""`impact`: what a scenario of shortages blocks or constrains, and why (DESIGN.md §3)."""

from __future__ import annotations

import math
from enum import Enum
from typing import Any

import strawberry

from api.context import Info
from api.entity import Entity, entity_of
from api.errors import BadInputError
from api.pagination import PageInfo, cursor_of, offset_of, paginate
from api.provenance import Provenance, provenance_list
from api.supply import Requirement, requirement_of, supply_index
from graph.results import Table

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
_RANK = {"BLOCKED": 0, "CONSTRAINED": 1, "OK": 2}


@strawberry.enum(description="How an item fares under the scenario.")
class ImpactStatus(Enum):
    BLOCKED = "BLOCKED"
    CONSTRAINED = "CONSTRAINED"
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


@strawberry.type(description="One link of the chain from an affected item back to a shortage.")
class ExplanationStep:
    entity: Entity
    availability: float
    requirement: strawberry.ID | None = strawberry.field(description="The binding requirement.")
    via: str | None = strawberry.field(description="`input` or `source`: how the cause binds.")
    cause: strawberry.ID | None = strawberry.field(description="The next item in the chain.")
    facts: list[Provenance] = strawberry.field(description="The requirement and supply facts.")


@strawberry.type(description="An item whose availability falls below 1.")
class AffectedItem:
    entity: Entity
    status: ImpactStatus
    availability: float
    layer: str | None
    binding_requirement: Requirement | None = strawberry.field(
        description="The requirement that limits it; null when its own shortage binds."
    )
    root_cause: Entity | None = strawberry.field(description="The shortage at the chain's end.")
    chain: list[strawberry.ID] = strawberry.field(
        description="Ids from this item to the shortage (the explanation, in brief)."
    )
    explanation: list[ExplanationStep]


@strawberry.type
class AffectedItemEdge:
    cursor: str
    node: AffectedItem


@strawberry.type
class LayerCounts:
    layer: str | None
    blocked: int
    constrained: int
    ok: int


@strawberry.type(description="Counts per status over all items, and per layer.")
class ImpactSummary:
    blocked: int
    constrained: int
    ok: int
    by_layer: list[LayerCounts]


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


def _sort_key(field: ImpactOrderField) -> Any:
    if field is ImpactOrderField.STATUS:
        return lambda r: (_RANK[r["status"]], r["availability"], r["id"])
    if field is ImpactOrderField.AVAILABILITY:
        return lambda r: (r["availability"], r["id"])
    if field is ImpactOrderField.LAYER:
        return lambda r: (r["layer"] or "", r["id"])
    return lambda r: r["id"]


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
    view = ctx.view
    table: Table = await ctx.cached(
        ("impact", key, substitution), lambda: view.impact(wanted, substitution=substitution)
    )
    order = order_by or ImpactOrder()
    rows = await ctx.cached(
        ("impact-order", key, substitution, order.field, order.direction),
        lambda: sorted(
            table.rows, key=_sort_key(order.field), reverse=order.direction is OrderDirection.DESC
        ),
    )
    page = paginate(rows, size, after, ctx.version)
    index = await supply_index(info)

    def build_edges() -> list[AffectedItemEdge]:
        edges = []
        for offset, r in page.items:
            binding = None
            if r["binding_requirement"] is not None:
                fact = view.requirement(r["binding_requirement"])
                binding = None if fact is None else requirement_of(info, fact, index)
            node = AffectedItem(
                entity=entity_of(ctx, r["id"]),
                status=ImpactStatus(r["status"]),
                availability=r["availability"],
                layer=r["layer"],
                binding_requirement=binding,
                root_cause=None if r["root_cause"] is None else entity_of(ctx, r["root_cause"]),
                chain=r["chain"],
                explanation=[
                    ExplanationStep(
                        entity=entity_of(ctx, step["item"]),
                        availability=step["availability"],
                        requirement=step["requirement"],
                        via=step["via"],
                        cause=step["cause"],
                        facts=provenance_list(step["facts"]),
                    )
                    for step in r["explanation"]
                ],
            )
            edges.append(AffectedItemEdge(cursor=cursor_of(offset, ctx.version), node=node))
        return edges

    # The page's objects are plain data of this version: the next request for it reuses them.
    edges = await ctx.cached(
        ("impact-page", key, substitution, order.field, order.direction, size, after), build_edges
    )
    summary = table.summary
    counts = summary["counts"]
    return Impact(
        version=summary["version"],
        substitution=substitution,
        shortages=[Shortage(entity=entity_of(ctx, k), availability=v) for k, v in wanted.items()],
        summary=ImpactSummary(
            blocked=counts.get("BLOCKED", 0),
            constrained=counts.get("CONSTRAINED", 0),
            ok=counts.get("OK", 0),
            by_layer=[
                LayerCounts(
                    layer=None if layer == "None" else layer,
                    blocked=c.get("BLOCKED", 0),
                    constrained=c.get("CONSTRAINED", 0),
                    ok=c.get("OK", 0),
                )
                for layer, c in sorted(summary["counts_by_layer"].items())
            ],
        ),
        cycles=[[strawberry.ID(m) for m in c] for c in summary["cycles"]],
        edges=edges,
        page_info=page.info,
        total_count=page.total,
    )
