"""`graphInfo`: the version being served, counts, and each source with its last ingest run."""

from __future__ import annotations

from typing import Any

import strawberry

from api.context import Info

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


@strawberry.type
class GraphInfo:
    version: str
    entities: int
    entities_by_type: list[TypeCount]
    requirements: int
    supplies: int
    sources: list[Source]


async def resolve_graph_info(info: Info) -> GraphInfo:
    """Counts and sources of the request's graph version (cached per version)."""
    view = info.context.view
    data: dict[str, Any] = await info.context.cached(("graph-info",), view.graph_info)
    return GraphInfo(
        version=data["version"],
        entities=data["entities"],
        entities_by_type=[
            TypeCount(type=t, count=n) for t, n in sorted(data["entities_by_type"].items())
        ],
        requirements=data["requirements"],
        supplies=data["supplies"],
        sources=[
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
            for s in data["sources"]
        ],
    )
