# mypy: disable-error-code="untyped-decorator"
"""The root `Query` type: entry points into the graph and its analyses."""

from __future__ import annotations

import strawberry

from stackgraph.api.context import Info, known
from stackgraph.api.critical_path import CriticalPath, resolve_critical_path
from stackgraph.api.deployable import Deployable, TargetInput, resolve_deployable
from stackgraph.api.entity import Entity, EntityConnection, EntityEdge, entity_of
from stackgraph.api.errors import BadInputError
from stackgraph.api.essential import (
    Chokepoint,
    SinglePointOfFailure,
    resolve_chokepoints,
    resolve_single_points_of_failure,
)
from stackgraph.api.graph_info import GraphInfo, resolve_graph_info
from stackgraph.api.impact import Impact, ImpactOrder, ShortageInput, resolve_impact
from stackgraph.api.pagination import cursor_of, offset_of, paginate
from stackgraph.results import Table

__all__ = ["Query"]

MAX_TEXT = 200
MAX_TYPES = 10


@strawberry.type(description="Read-only queries over one version of the knowledge graph.")
class Query:
    @strawberry.field(
        description="An entity by slug, name, alias or IRI; null with a NOT_FOUND error "
        "(and `extensions.suggestions`) when nothing matches."
    )
    def entity(self, info: Info, id: strawberry.ID) -> Entity | None:
        return entity_of(info.context, info.context.resolve(str(id), field="id"))

    @strawberry.field(description="Entities whose id, name or alias matches `text`, best first.")
    async def search(
        self,
        info: Info,
        text: str = "",
        types: list[str] | None = None,
        layer: str | None = None,
        category: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> EntityConnection:
        ctx = info.context
        size = ctx.page_size(first)
        if len(text) > MAX_TEXT:
            raise BadInputError(
                f"`text` is {len(text)} characters; give at most {MAX_TEXT}", argument="text"
            )
        if types is not None and len(types) > MAX_TYPES:
            raise BadInputError(f"give at most {MAX_TYPES} types", argument="types")
        offset_of(after, ctx.version)  # a bad or stale cursor fails before any work
        kinds = tuple(sorted(set(types or ())))
        known("layer", None if layer is None else [layer], "layer")
        known("category", None if category is None else [category], "category")
        view = ctx.view
        table: Table = await ctx.cached(
            ("search", text, kinds, layer, category),
            lambda: view.search(text, types=kinds, layer=layer, category=category, limit=None),
        )
        page = paginate(table.rows, size, after, ctx.version)
        return EntityConnection(
            edges=[
                EntityEdge(cursor=cursor_of(offset, ctx.version), node=entity_of(ctx, row["id"]))
                for offset, row in page.items
            ],
            page_info=page.info,
            total_count=page.total,
        )

    @strawberry.field(
        description="Items blocked or constrained by a scenario of shortages, each with its "
        "binding requirement and the chain of facts that explains it."
    )
    async def impact(
        self,
        info: Info,
        shortages: list[ShortageInput],
        substitution: bool = False,
        first: int | None = 20,
        after: str | None = None,
        order_by: ImpactOrder | None = None,
    ) -> Impact | None:
        return await resolve_impact(info, shortages, substitution, first, after, order_by)

    @strawberry.field(description="The lead-time path that decides how long an item takes.")
    async def critical_path(self, info: Info, id: strawberry.ID) -> CriticalPath | None:
        return await resolve_critical_path(info, str(id))

    @strawberry.field(description="The items whose loss alone blocks this one.")
    async def single_points_of_failure(
        self, info: Info, id: strawberry.ID
    ) -> list[SinglePointOfFailure] | None:
        return await resolve_single_points_of_failure(info, str(id))

    @strawberry.field(description="Items ranked by how many end products they alone can block.")
    async def chokepoints(
        self, info: Info, first: int | None = 10, categories: list[str] | None = None
    ) -> list[Chokepoint] | None:
        return await resolve_chokepoints(info, first, categories)

    @strawberry.field(
        description="How many units of the targets per period the capacities recorded for the"
        " year allow (a range where sources disagree), which capacities and layers bind with"
        " their shadow prices, the inputs nothing bounds, and what shortages (ID=FACTOR or"
        " ID=AMOUNT UNIT) cost; with `allocation`, capacities capped at that organisation's recorded"
        " allocations."
    )
    async def deployable(
        self,
        info: Info,
        targets: list[TargetInput],
        year: int | None = None,
        per: str = "quarter",
        shortages: list[str] | None = None,
        substitution: bool = False,
        allocation: strawberry.ID | None = None,
    ) -> Deployable | None:
        return await resolve_deployable(
            info, targets, year, per, shortages, substitution, allocation
        )

    @strawberry.field(description="The version served, counts, and sources with their last run.")
    async def graph_info(self, info: Info) -> GraphInfo:
        return await resolve_graph_info(info)
