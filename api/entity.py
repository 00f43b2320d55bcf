# mypy: disable-error-code="untyped-decorator"
"""`Entity`: an organisation, product or facility, with its facts and its neighbourhood."""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from stackgraph.api.cache import AnalysisCache
from stackgraph.api.capacity import Capacity
from stackgraph.api.context import Context, Info, known
from stackgraph.api.errors import BadInputError
from stackgraph.api.pagination import PageInfo, cursor_of, offset_of, paginate
from stackgraph.api.provenance import Provenance, provenance_list, provenance_of
from stackgraph.api.supply import Requirement, Supply, supply_index
from stackgraph.graph import analysis
from stackgraph.graph.analysis import Closure
from stackgraph.graph.claims import AGREES, CURRENT, DISPUTED, SUPERSEDED
from stackgraph.graph.snapshot import EntityInfo
from stackgraph.graph.store import Value

__all__ = [
    "Attribute",
    "Claim",
    "ClaimStatus",
    "DependencyConnection",
    "DependencyEdge",
    "Entity",
    "EntityConnection",
    "EntityEdge",
    "entity_of",
]

MAX_DEPTH = 50
_LAYERS = strawberry.argument(
    description="List and count only items of these layers; the walk still crosses the others."
)
_CATEGORIES = strawberry.argument(
    description="List and count only items of these categories (e.g. accelerator), likewise."
)


@strawberry.type(description="One attribute value as published (entity references as ids).")
class Attribute:
    name: str
    value: str
    typed_value: JSON = strawberry.field(
        description="The same value as JSON: a number, a boolean or a string."
    )


@strawberry.enum(
    description="How a claim stands among the claims of its property: the current value, or "
    "beside it (the same value again; another value as of the same date; an older value)."
)
class ClaimStatus(Enum):
    CURRENT = CURRENT
    AGREES = AGREES
    DISPUTED = DISPUTED
    SUPERSEDED = SUPERSEDED


@strawberry.type(
    description="A sourced statement about an entity; sources may disagree. The claims of one "
    "property come current first (latest as-of, then source tier, then confidence)."
)
class Claim:
    property: str
    status: ClaimStatus
    value: str
    typed_value: JSON = strawberry.field(
        description="The same value as JSON: a number, a boolean or a string."
    )
    unit: str | None
    provenance: Provenance | None


@strawberry.type(description="An organisation, product or facility of the supply chain.")
class Entity:
    # Plain fields (not resolvers): an entity is cheap to build and cheap to serialise.
    record: strawberry.Private[EntityInfo]
    id: strawberry.ID = strawberry.field(description="The stable slug, e.g. `ex-accelerator`.")
    iri: str
    name: str
    aliases: list[str]
    types: list[str] = strawberry.field(description="Organization, Product and/or Facility.")
    layer: str | None = strawberry.field(
        description="The hardware layer (compute, memory, packaging, ...)."
    )
    category: str | None

    @strawberry.field(description="Where the entity record comes from.")
    def provenance(self, info: Info) -> Provenance | None:
        return provenance_of(info.context.snapshot, self.record.iri)

    @strawberry.field(
        description="The item's own quoted lead time in days (order to delivery, its inputs "
        "included), as the critical path takes it: its best sourced claim, else its record."
    )
    def lead_time_days(self, info: Info) -> int | None:
        item = _item(info, self.record.id)
        return None if item is None else item.lead_time_days

    @strawberry.field(description="Where that lead time comes from; null when it is unknown.")
    def lead_time_provenance(self, info: Info) -> Provenance | None:
        item = _item(info, self.record.id)
        if item is None or item.lead_time_days is None:
            return None
        return provenance_of(info.context.snapshot, item.fact)

    @strawberry.field(
        description="The item's own stage time in days (its step alone, once its inputs are "
        "there), from a sourced stage_time_days claim; null when unknown."
    )
    def stage_time_days(self, info: Info) -> int | None:
        item = _item(info, self.record.id)
        return None if item is None else item.stage_time_days

    @strawberry.field(description="Where that stage time comes from; null when it is unknown.")
    def stage_time_provenance(self, info: Info) -> Provenance | None:
        item = _item(info, self.record.id)
        if item is None or item.stage_time_days is None:
            return None
        return provenance_of(info.context.snapshot, item.stage_fact)

    @strawberry.field(description="Every attribute value, sorted by name.")
    async def attributes(self, info: Info) -> list[Attribute]:
        details = await info.context.details.load(self.record.iri)
        return [
            Attribute(name=n, value=_text(v), typed_value=cast(JSON, v))
            for n, v in details.attributes
        ]

    @strawberry.field(description="Sourced claims about the entity, by property.")
    async def claims(self, info: Info) -> list[Claim]:
        details = await info.context.details.load(self.record.iri)
        return [
            Claim(
                property=c.property,
                value=_text(c.value),
                typed_value=cast(JSON, c.value),
                status=ClaimStatus(c.status),
                unit=None if c.unit is None else _text(c.unit),
                provenance=Provenance.from_record(c.iri, c.provenance),
            )
            for c in details.claims
        ]

    @strawberry.field(description="What this item needs, each input with its qualified sources.")
    async def requirements(self, info: Info) -> list[Requirement]:
        ctx = info.context
        graph = ctx.view.snapshot().graph
        if self.record.id not in graph:
            return []
        index = await supply_index(info)
        hit = ctx.cache.get((ctx.version, "requirements", self.record.id))
        if not AnalysisCache.missing(hit):
            return hit  # type: ignore[no-any-return]
        # Plain data of this version: built once, then shared by the requests that ask again.
        snap, entity = ctx.snapshot, partial(entity_of, ctx)
        found = [
            Requirement.from_fact(r, index, snap, entity)
            for r in graph.requirements(self.record.id)
        ]
        ctx.cache.put((ctx.version, "requirements", self.record.id), found)
        return found

    @strawberry.field(description="Every Supply record of this input (qualified or not).")
    async def sources(self, info: Info) -> list[Supply]:
        index = await supply_index(info)
        ctx = info.context
        snap, entity = ctx.snapshot, partial(entity_of, ctx)
        return [Supply.from_record(s, snap, entity) for s in index.by_input.get(self.record.id, ())]

    @strawberry.field(
        description="Sourced capacity figures of this item, or held by this organisation or "
        "facility (optionally of one year), by year then holder."
    )
    def capacities(self, info: Info, year: int | None = None) -> list[Capacity]:
        ctx = info.context
        snap, entity = ctx.snapshot, partial(entity_of, ctx)
        return [
            Capacity.from_record(c, snap, entity) for c in snap.capacities_of(self.record.id, year)
        ]

    @strawberry.field(description="Everything this item needs, transitively, nearest first.")
    async def dependencies(
        self,
        info: Info,
        depth: int | None = None,
        first: int | None = 20,
        after: str | None = None,
        layers: Annotated[list[str] | None, _LAYERS] = None,
        categories: Annotated[list[str] | None, _CATEGORIES] = None,
    ) -> DependencyConnection:
        return await _closure(info, self.record.id, depth, first, after, True, layers, categories)

    @strawberry.field(description="Everything that needs this item, transitively, nearest first.")
    async def dependents(
        self,
        info: Info,
        depth: int | None = None,
        first: int | None = 20,
        after: str | None = None,
        layers: Annotated[list[str] | None, _LAYERS] = None,
        categories: Annotated[list[str] | None, _CATEGORIES] = None,
    ) -> DependencyConnection:
        return await _closure(info, self.record.id, depth, first, after, False, layers, categories)


def entity_of(context: Context, slug: str) -> Entity:
    """The `Entity` of a slug in the request's snapshot.

    The one place an `Entity` is built: the types that refer to entities (requirements,
    supplies, capacities, analysis results) are handed entities built here.
    """
    r = context.view.entity_info(slug)
    return Entity(
        record=r,
        id=strawberry.ID(r.id),
        iri=r.iri,
        name=r.name,
        aliases=list(r.aliases),
        types=list(r.types),
        layer=r.layer,
        category=r.category,
    )


@strawberry.type
class EntityEdge:
    cursor: str
    node: Entity


@strawberry.type(description="A page of entities.")
class EntityConnection:
    edges: list[EntityEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="An entity reached through requirements, with how it is reached.")
class DependencyEdge:
    cursor: str
    node: Entity
    depth: int = strawberry.field(description="Item hops from the start (1 = direct).")
    path: list[strawberry.ID] = strawberry.field(description="Ids from the start to the node.")
    via: list[Provenance] = strawberry.field(description="The facts along the path.")


@strawberry.type(description="A page of a transitive closure.")
class DependencyConnection:
    edges: list[DependencyEdge]
    page_info: PageInfo
    total_count: int


async def _closure(
    info: Info,
    slug: str,
    depth: int | None,
    first: int | None,
    after: str | None,
    down: bool,
    layers: list[str] | None = None,
    categories: list[str] | None = None,
) -> DependencyConnection:
    ctx = info.context
    size = ctx.page_size(first)
    if depth is not None and not 1 <= depth <= MAX_DEPTH:
        raise BadInputError(
            f"`depth` must be between 1 and {MAX_DEPTH} (or omitted for all), got {depth}",
            argument="depth",
        )
    graph = ctx.view.snapshot().graph
    if slug not in graph:
        return DependencyConnection(
            edges=[], page_info=paginate([], size, after, ctx.version).info, total_count=0
        )
    limit = offset_of(after, ctx.version) + size
    fn = analysis.dependencies if down else analysis.dependents
    wanted = {
        "layers": known("layer", layers, "layers"),
        "categories": known("category", categories, "categories"),
    }
    result: Closure = await ctx.cached(
        ("closure", down, slug, depth, limit, *wanted.values()),
        lambda: fn(graph, slug, depth=depth, limit=limit, **wanted),
    )
    page = paginate(result.reached, size, after, ctx.version, total=result.total)
    return DependencyConnection(
        edges=[
            DependencyEdge(
                cursor=cursor_of(offset, ctx.version),
                node=entity_of(ctx, r.id),
                depth=r.depth,
                path=[strawberry.ID(p) for p in r.path],
                via=provenance_list(ctx.snapshot, r.via_facts),
            )
            for offset, r in page.items
        ],
        page_info=page.info,
        total_count=page.total,
    )


def _item(info: Info, slug: str) -> analysis.Item | None:
    graph = info.context.snapshot.graph
    return graph.item(slug) if slug in graph else None


def _text(value: Value) -> str:
    # As a client reads it: booleans the way JSON and RDF spell them, everything else as is.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
