"""`singlePointsOfFailure` and `chokepoints`: items whose loss alone blocks others."""

from __future__ import annotations

import strawberry

from api.context import Info, known
from api.entity import Entity, entity_of
from api.errors import BadInputError
from api.provenance import Provenance, provenance_list
from graph.results import Table

__all__ = [
    "Chokepoint",
    "SinglePointOfFailure",
    "resolve_chokepoints",
    "resolve_single_points_of_failure",
]

MAX_CATEGORIES = 50


@strawberry.type(description="An item whose loss alone blocks the target, and the chain why.")
class SinglePointOfFailure:
    entity: Entity
    path: list[strawberry.ID] = strawberry.field(description="Ids from the target to the item.")
    facts: list[Provenance] = strawberry.field(description="The facts along the path.")


@strawberry.type(description="An item ranked by how many end products it alone can block.")
class Chokepoint:
    entity: Entity
    end_products_blocked: int
    score: float
    end_products: list[Entity]


async def resolve_single_points_of_failure(info: Info, ref: str) -> list[SinglePointOfFailure]:
    """Run (or reuse) the essential-set analysis of `ref`."""
    ctx = info.context
    slug = ctx.resolve(ref, field="id")
    view = ctx.view
    table: Table = await ctx.cached(("spof", slug), lambda: view.single_points_of_failure(slug))
    return [
        SinglePointOfFailure(
            entity=entity_of(ctx, r["id"]),
            path=[strawberry.ID(p) for p in r["path"]],
            facts=provenance_list(r["facts"]),
        )
        for r in table.rows
    ]


async def resolve_chokepoints(
    info: Info, first: int | None, categories: list[str] | None
) -> list[Chokepoint]:
    """Run (or reuse) the chokepoint ranking."""
    ctx = info.context
    top = ctx.page_size(first, default=10)
    if categories is not None and len(categories) > MAX_CATEGORIES:
        raise BadInputError(
            f"give at most {MAX_CATEGORIES} categories, got {len(categories)}",
            argument="categories",
        )
    cats = known("category", categories, "categories")
    view = ctx.view
    table: Table = await ctx.cached(
        ("chokepoints", top, cats), lambda: view.chokepoints(top, categories=cats)
    )
    return [
        Chokepoint(
            entity=entity_of(ctx, c.id),
            end_products_blocked=c.count,
            score=c.score,
            end_products=[entity_of(ctx, e) for e in c.end_products],
        )
        for c in table.raw
    ]
