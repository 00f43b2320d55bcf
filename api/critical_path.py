"""`criticalPath`: the lead-time path that decides how long an item takes (DESIGN.md §3)."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.entity import Entity, entity_of
from api.provenance import Provenance, provenance_of
from graph.results import Table

__all__ = ["CriticalPath", "MissingLeadTime", "PathStep", "resolve_critical_path"]


@strawberry.type(description="One step of the critical path, with its days and the running total.")
class PathStep:
    kind: str = strawberry.field(description="item, requirement or source.")
    node: strawberry.ID = strawberry.field(description="The item id, or `item/input`.")
    entity: Entity | None = strawberry.field(description="The item or source; null otherwise.")
    requirement: strawberry.ID | None
    days: int
    cumulative: int
    lead_time_known: bool
    provenance: Provenance | None


@strawberry.type(description="A step on the path without a known lead time (counted as 0 days).")
class MissingLeadTime:
    kind: str
    node: strawberry.ID
    requirement: strawberry.ID | None


@strawberry.type
class CriticalPath:
    entity: Entity
    total_days: int
    steps: list[PathStep]
    missing_lead_times: list[MissingLeadTime] = strawberry.field(
        description="Steps on the path whose lead time is unknown: the total is a lower bound."
    )
    missing_in_closure_count: int = strawberry.field(
        description="Items, requirements and sources below the item with no lead time."
    )


async def resolve_critical_path(info: Info, ref: str) -> CriticalPath:
    """Run (or reuse) the critical-path analysis of `ref`."""
    ctx = info.context
    slug = ctx.resolve(ref, field="id")
    view = ctx.view
    table: Table = await ctx.cached(("critical-path", slug), lambda: view.critical_path(slug))
    raw = table.raw
    return CriticalPath(
        entity=entity_of(ctx, slug),
        total_days=raw.total_days,
        steps=[
            PathStep(
                kind=r["kind"],
                node=strawberry.ID(r["node"]),
                entity=None if r["kind"] == "requirement" else entity_of(ctx, r["node"]),
                requirement=r["requirement"],
                days=r["days"],
                cumulative=r["cumulative"],
                lead_time_known=r["lead_time_known"],
                provenance=provenance_of(r["provenance"]),
            )
            for r in table.rows
        ],
        missing_lead_times=[
            MissingLeadTime(kind=m.kind, node=strawberry.ID(m.node), requirement=m.requirement)
            for m in raw.missing_on_path
        ],
        missing_in_closure_count=raw.missing_in_closure_count,
    )
