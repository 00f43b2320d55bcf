"""`GraphView`: the knowledge graph pinned to one snapshot, for the length of one request.

`KnowledgeGraph` methods look up the current snapshot on every call; a request that made
several calls could straddle a reload and mix two versions. A view answers every call from the
snapshot (and the store object) it was taken with, so a request sees exactly one version.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stackgraph.graph.analysis import Requirement
from stackgraph.graph.namespace import ID
from stackgraph.graph.snapshot import EntityInfo, Snapshot, SupplyInfo
from stackgraph.knowledge import KnowledgeGraph

__all__ = ["GraphView", "SupplyIndex"]


@dataclass(frozen=True)
class SupplyIndex:
    """Supply records of one version, by input and by IRI."""

    by_input: Mapping[str, Sequence[SupplyInfo]]
    by_iri: Mapping[str, SupplyInfo]

    @classmethod
    def of(cls, snap: Snapshot) -> SupplyIndex:
        """The supplies of `snap`, indexed (`Snapshot.index`: shared with every process that
        maps the snapshot's projection file)."""
        return cls(by_input=snap.index.supplies_by_input, by_iri=snap.index.supply_by_iri)


class GraphView(KnowledgeGraph):
    """A `KnowledgeGraph` whose every call reads the same snapshot and store."""

    def __init__(self, source: KnowledgeGraph) -> None:
        """Pin the current snapshot of `source` together with the store it was read from.

        The store stays open while this view lives, however many versions come meanwhile; a
        replaced store is closed once the last view on it is gone.
        """
        snap, store = source.pin()
        weakref.finalize(self, source.release, store)
        super().__init__(store, reload_interval=math.inf)
        self._pinned = snap
        self._requirement_facts: dict[str, dict[str, Requirement]] = {}

    def snapshot(self, *, refresh: bool = False) -> Snapshot:
        """The pinned snapshot (`refresh` is ignored: a view never moves)."""
        return self._pinned

    def close(self) -> None:
        """Nothing to do: the store belongs to the server's graph."""

    def entity_info(self, slug: str) -> EntityInfo:
        """What the snapshot knows of `slug`; a bare record for an item only named as an input."""
        snap = self._pinned
        found = snap.entities.get(slug)
        if found is not None:
            return found
        if slug in snap.graph:
            item = snap.graph.item(slug)
            return EntityInfo(
                id=slug,
                iri=str(ID) + slug,
                name=item.name or slug,
                types=(),
                layer=item.layer,
                category=item.category,
            )
        return EntityInfo(
            id=slug, iri=str(ID) + slug, name=slug, types=(), layer=None, category=None
        )

    def requirement(self, requirement_id: str) -> Requirement | None:
        """The requirement `item/input` of the dependency graph, or None."""
        item = requirement_id.split("/", 1)[0]
        found = self._requirement_facts.get(item)
        if found is None:
            graph = self._pinned.graph
            reqs = graph.requirements(item) if item in graph else []
            # A view lives as long as its version: each item's requirements are built once.
            found = self._requirement_facts[item] = {r.id: r for r in reqs}
        return found.get(requirement_id)
