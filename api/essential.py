# mypy: disable-error-code="untyped-decorator"
"""`singlePointsOfFailure` and `chokepoints`: items whose loss alone blocks others."""

from __future__ import annotations

import strawberry

from stackgraph.api.context import Context, Info, known
from stackgraph.api.entity import Entity, entity_of
from stackgraph.api.errors import BadInputError
from stackgraph.api.provenance import Provenance, provenance_list
from stackgraph.graph import analysis

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

    @strawberry.field(
        description="Whether a fact of the chain is weak (low confidence, or a secondary or"
        " unknown source): the conclusion then rests on it."
    )
    def weak(self) -> bool:
        return any(f.weak for f in self.facts)

    @classmethod
    def from_result(
        cls, found: analysis.SinglePointOfFailure, context: Context
    ) -> SinglePointOfFailure:
        """A single point of failure of the analysis, with the facts along its chain."""
        return cls(
            entity=entity_of(context, found.id),
            path=[strawberry.ID(p) for p in found.path],
            facts=provenance_list(context.snapshot, found.via_facts),
        )


@strawberry.type(description="An item ranked by how many end products it alone can block.")
class Chokepoint:
    entity: Entity
    end_products_blocked: int
    score: float
    end_products: list[Entity]

    @classmethod
    def from_result(cls, found: analysis.Chokepoint, context: Context) -> Chokepoint:
        """A chokepoint of the analysis."""
        return cls(
            entity=entity_of(context, found.id),
            end_products_blocked=found.count,
            score=found.score,
            end_products=[entity_of(context, e) for e in found.end_products],
        )


async def resolve_single_points_of_failure(info: Info, ref: str) -> list[SinglePointOfFailure]:
    """Run (or reuse) the essential-set analysis of `ref`."""
    ctx = info.context
    slug = ctx.resolve(ref, field="id")
    graph = ctx.snapshot.graph
    found: list[analysis.SinglePointOfFailure] = await ctx.cached(
        ("spof", slug), lambda: analysis.single_points_of_failure(graph, slug)
    )
    return [SinglePointOfFailure.from_result(s, ctx) for s in found]


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
    graph = ctx.snapshot.graph
    found: list[analysis.Chokepoint] = await ctx.cached(
        ("chokepoints", top, cats), lambda: analysis.chokepoints(graph, top=top, categories=cats)
    )
    return [Chokepoint.from_result(c, ctx) for c in found]
