"""`graphInfo`: the version being served, counts, and each source with its last ingest run."""

from __future__ import annotations

from typing import Any

import strawberry

from stackgraph.api.context import Info

__all__ = ["GraphInfo", "IngestRun", "Source", "TypeCount", "resolve_graph_info"]


@strawberry.type(description="The ingest run that last changed a source.")
class IngestRun:
    iri: str
    generated_at: str | None


@strawberry.type(description="One ingested source (one named graph).")
class Source:
    graph: str
    file: str | None
    title: str | None
    triples: int
    last_run: IngestRun | None


@strawberry.type
class TypeCount:
    type: str
    count: int


async def _data(info: Info) -> dict[str, Any]:
    """Counts and sources of the request's graph version (cached per version)."""
    view = info.context.view
    data: dict[str, Any] = await info.context.cached(("graph-info",), view.graph_info)
    return data


@strawberry.type
class GraphInfo:
    version: str
    """Read from the pinned view: asking only for the version (as a client polling for a new one
    does) costs no read of the store."""

    @strawberry.field
    async def entities(self, info: Info) -> int:
        return int((await _data(info))["entities"])

    @strawberry.field
    async def entities_by_type(self, info: Info) -> list[TypeCount]:
        counts = (await _data(info))["entities_by_type"]
        return [TypeCount(type=t, count=n) for t, n in sorted(counts.items())]

    @strawberry.field
    async def requirements(self, info: Info) -> int:
        return int((await _data(info))["requirements"])

    @strawberry.field
    async def supplies(self, info: Info) -> int:
        return int((await _data(info))["supplies"])

    @strawberry.field
    async def sources(self, info: Info) -> list[Source]:
        return [
            Source(
                graph=s["graph"],
                file=None if s["file"] is None else str(s["file"]),
                title=None if s["title"] is None else str(s["title"]),
                triples=int(s["triples"]),
                last_run=None
                if s["run"] is None
                else IngestRun(
                    iri=s["run"],
                    generated_at=None if s["generated"] is None else str(s["generated"]),
                ),
            )
            for s in (await _data(info))["sources"]
        ]


async def resolve_graph_info(info: Info) -> GraphInfo:
    """The request's graph version; its counts and sources are read when asked for."""
    return GraphInfo(version=info.context.version)
