"""`KnowledgeGraph`: the Python API over a store, for notebooks, the CLI and the GraphQL API.

    kg = KnowledgeGraph.open()                       # the embedded store (or a spec)
    kg.impact({"cowos-l": 0.0}).to_frame()           # what a CoWoS-L outage blocks, and why
    kg.critical_path("gb200-nvl72").to_frame()       # its lead-time path, step by step

On the small example data of the tests:

    >>> kg.impact({"Example CoWoS-L": 0}).summary["counts"]
    {'OK': 13, 'POSSIBLY_CONSTRAINED': 0, 'CONSTRAINED': 0, 'BLOCKED': 5}

Reads go to an immutable `Snapshot` of the current graph version. A store on disk is opened
read-only, so an ingest can run beside it; when that ingest commits, the next call (at most
`reload_interval` seconds later) sees the new version, never a half-written one.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from stackgraph.client import (
    Client,
    ClosureAnswer,
    DeployPlan,
    EntityAnswer,
    ImpactAnswer,
    PathAnswer,
    Walk,
    entity_row,
)
from stackgraph.graph import analysis, deployment, rows
from stackgraph.graph.answers import DeployAnswer, explainer
from stackgraph.graph.arguments import parse_shortages
from stackgraph.graph.details import read_entity_details
from stackgraph.graph.errors import AmbiguousEntityError, UnknownEntityError
from stackgraph.graph.namespace import META_GRAPH, PREFIXES, normalise, slug_of
from stackgraph.graph.snapshot import EntityInfo, Snapshot
from stackgraph.graph.store import Store, open_store
from stackgraph.graph.versions import Versions

if TYPE_CHECKING:
    from stackgraph.remote import RemoteKnowledgeGraph

__all__ = ["KnowledgeGraph", "parse_shortages"]  # parse_shortages: from stackgraph.graph.arguments


class KnowledgeGraph(Client):
    """The knowledge graph in a store, with its analyses (the calls are those of `Client`)."""

    def __init__(self, store: Store, *, reload_interval: float = 1.0) -> None:
        self._versions = Versions(store, reload_interval=reload_interval)

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, spec: str | None = None, *, reload_interval: float = 1.0) -> KnowledgeGraph:
        """Open a store by spec (default: `STACKGRAPH_STORE`, else the embedded store).

        A store on disk is opened read-only: ingest may write to it meanwhile.
        """
        read_only = bool(spec is None or spec.startswith("oxigraph:") or spec == "")
        if spec is None:
            from stackgraph.graph.store import default_store_spec

            read_only = default_store_spec().startswith("oxigraph:")
        return cls(open_store(spec, read_only=read_only), reload_interval=reload_interval)

    @staticmethod
    def connect(url: str, *, timeout: float = 30.0) -> RemoteKnowledgeGraph:
        """The same calls, answered by a running API server at `url` (its /graphql endpoint)."""
        from stackgraph.remote import RemoteKnowledgeGraph

        return RemoteKnowledgeGraph(url, timeout=timeout)

    @property
    def store(self) -> Store:
        """The store the current snapshot was read from."""
        return self._versions.store

    @property
    def _store(self) -> Store:
        return self._versions.store

    def pin(self) -> tuple[Snapshot, Store]:
        """The current snapshot and its store, kept open until `release(store)`."""
        return self._versions.pin()

    def pending(self) -> bool:
        """Whether a new graph version may be waiting to be projected."""
        return self._versions.pending()

    def release(self, store: Store) -> None:
        """Let go of a store `pin` returned."""
        self._versions.release(store)

    def close(self) -> None:
        self._versions.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def snapshot(self, *, refresh: bool = False) -> Snapshot:
        """The projection of the current graph version (rebuilt only when the version changed)."""
        return self._versions.snapshot(refresh=refresh)

    @property
    def version(self) -> str:
        return self.snapshot().version

    # ------------------------------------------------------------------ lookup

    def resolve(self, ref: str) -> str:
        """The id of an entity named by id, IRI, name, alias or maker-prefixed name, else by a
        word of its name or an alias that no other entity's name holds ("Abilene").

        Raises:
            AmbiguousEntityError: a word of several names; the message lists them.
            UnknownEntityError: nothing matches; the message lists the closest matches.

        >>> kg.resolve("Example X-1"), kg.resolve("https://w3id.org/stackgraph/id/ex-hbm")
        ('ex-accelerator', 'ex-hbm')
        >>> kg.resolve("Rack")
        'ex-rack'
        """
        snap = self.snapshot()
        if ref in snap.entities:
            return ref
        slug = slug_of(ref)
        if slug in snap.entities:
            return slug
        key = normalise(ref)
        hit = snap.names.get(key)
        if hit is not None:
            return hit
        holders = snap.words.get(key, ()) if key else ()
        if len(holders) == 1:
            return holders[0]
        if holders:
            raise AmbiguousEntityError(ref, list(holders[:10]), len(holders))
        raise UnknownEntityError(ref, self.suggest(ref))

    def suggest(self, ref: str, n: int = 5) -> list[str]:
        """Ids whose id, name or alias is closest to `ref`."""
        snap = self.snapshot()
        key = normalise(ref)
        hits = difflib.get_close_matches(key, list(snap.names), n=n * 3, cutoff=0.5)
        contains = [k for k in snap.names if key and key in k][: n * 3]
        out: list[str] = []
        for h in hits + contains:
            slug = snap.names[h]
            if slug not in out:
                out.append(slug)
        return out[:n]

    def info(self, ref: str) -> EntityInfo:
        """Name, types, layer, category and aliases of an entity."""
        return self.snapshot().entities[self.resolve(ref)]

    def provenance(self, iri: str | None) -> rows.Fact | None:
        """Source URL, as-of date, confidence, estimated flag and named graph of a fact."""
        if iri is None:
            return None
        p = self.snapshot().provenance.get(iri)
        return None if p is None else p.record(iri)

    def _facts(self, *iris: str | None) -> list[rows.Fact]:
        return [p for p in (self.provenance(i) for i in iris if i) if p is not None]

    def _name(self, slug: str) -> str:
        found = self.snapshot().entities.get(slug)
        return slug if found is None else found.name

    def _search(
        self, text: str, types: Sequence[str], layer: str | None, category: str | None, limit: int
    ) -> tuple[list[rows.Entity], int]:
        snap = self.snapshot()
        key = normalise(text)
        named = snap.names.get(key)  # also a maker-qualified name such as "TSMC CoWoS-L"
        scored: list[tuple[int, str]] = []
        for slug, e in snap.entities.items():
            if types and not set(types) & set(e.types):
                continue
            if (layer and e.layer != layer) or (category and e.category != category):
                continue
            names = [normalise(n) for n in (slug, e.name, *e.aliases)]
            if not key:
                score = 3
            elif key in names or slug == named:
                score = 0
            elif any(n.startswith(key) for n in names):
                score = 1
            elif any(key in n for n in names):
                score = 2
            else:
                continue
            scored.append((score, slug))
        scored.sort()
        found = [entity_row(snap.entities[s]) for _, s in scored[: limit or None]]
        return found, len(scored)

    def _details(self, ref: str) -> EntityAnswer:
        info = self.info(ref)
        found = read_entity_details(self._store, info.iri)
        return EntityAnswer(
            info=info,
            attributes={k: v[0] if len(v) == 1 else v for k, v in found.attribute_values().items()},
            provenance=self.provenance(info.iri),
            claims=[
                {
                    "property": c.property,
                    "status": c.status,
                    "value": c.value,
                    "unit": c.unit,
                    "provenance": c.provenance.record(c.iri),
                }
                for c in found.claims
            ],
        )

    def _requirements(self, ref: str) -> tuple[str, list[rows.Requirement]]:
        slug = self.resolve(ref)
        snap = self.snapshot()
        supplies = snap.index.supply_by_iri
        found = []
        for req in snap.graph.requirements(slug):
            sources = []
            for src in req.sources:
                record = supplies.get(src.fact or "")
                sources.append(
                    rows.Source(
                        supplier=src.supplier,
                        # the record's own value: the engine keeps shares in single precision
                        share=record.share if record else src.share,
                        qualification=record.qualification if record else "qualified",
                        lead_time_days=src.lead_time_days,
                        provenance=self.provenance(src.fact),
                    )
                )
            found.append(
                rows.Requirement(
                    id=req.id,
                    input=req.input,
                    quantity=req.quantity,
                    lead_time_days=req.lead_time_days,
                    sources=sources,
                    provenance=self.provenance(req.fact),
                )
            )
        return slug, found

    def _sources(self, ref: str) -> tuple[str, list[rows.Supply]]:
        slug = self.resolve(ref)
        found = [
            rows.Supply(
                supplier=s.supplier,
                consumer=s.consumer,
                share=s.share,
                qualification=s.qualification,
                lead_time_days=s.lead_time_days,
                provenance=self.provenance(s.iri),
            )
            for s in self.snapshot().index.supplies_by_input.get(slug, ())
        ]
        return slug, found

    def _capacities(self, ref: str, year: int | None) -> tuple[str, list[rows.Capacity]]:
        slug = self.resolve(ref)
        found = [
            rows.Capacity.from_record(c, self._name, self.provenance(c.iri))
            for c in self.snapshot().capacities_of(slug, year)
        ]
        return slug, found

    # ------------------------------------------------------------------ analyses

    def _impact(self, shortages: dict[str, float], substitution: bool) -> ImpactAnswer:
        resolved: dict[str, float] = {}
        for ref, value in shortages.items():
            slug = self.resolve(ref)
            resolved[slug] = min(resolved.get(slug, 1.0), value)
        snap = self.snapshot()
        result = analysis.impact(snap.graph, resolved, substitution=substitution)
        found = []
        for item, low, high, binding in result.ranked():
            info = snap.entities.get(item)
            found.append(
                rows.Affected(
                    id=item,
                    name=item if info is None else info.name,
                    layer=None if info is None else info.layer,
                    category=None if info is None else info.category,
                    status=str(analysis.impact_status(low, high)),
                    low=round(low, 6),
                    high=round(high, 6),
                    binding_requirement=binding,
                    explain=explainer(snap, result, item),
                )
            )
        return ImpactAnswer(
            shortages=resolved,
            rows=found,
            counts=dict(result.counts),
            counts_by_layer={k: dict(v) for k, v in result.counts_by_layer.items()},
            cycles=[list(c) for c in result.cycles],
            version=snap.version,
        )

    def _critical_path(self, ref: str) -> PathAnswer:
        slug = self.resolve(ref)
        result = analysis.critical_path(self.snapshot().graph, slug)
        steps = [
            rows.PathStep(
                node=step.node,
                name=self._name(step.node),
                kind=step.kind,
                requirement=step.requirement,
                days=step.days,
                cumulative=step.cumulative,
                lead_time_known=step.lead_time_known,
                provenance=self.provenance(step.fact),
            )
            for step in result.steps
        ]
        return PathAnswer(
            item=slug,
            total_days=result.total_days,
            steps=steps,
            missing_on_path=[m.node for m in result.missing_on_path],
            missing_in_closure_count=result.missing_in_closure_count,
        )

    def _single_points_of_failure(self, ref: str) -> tuple[str, list[rows.SinglePoint]]:
        slug = self.resolve(ref)
        found = analysis.single_points_of_failure(self.snapshot().graph, slug)
        return slug, [rows.SinglePoint.of(s, self._facts) for s in found]

    def _chokepoints(self, top: int, categories: list[str] | None) -> list[rows.Chokepoint]:
        found = analysis.chokepoints(self.snapshot().graph, top=top, categories=categories)
        return [rows.Chokepoint.of(c) for c in found]

    def _closure(self, walk: Walk) -> ClosureAnswer:
        slug = self.resolve(walk.ref)
        along = analysis.dependencies if walk.direction == "dependencies" else analysis.dependents
        result = along(
            self.snapshot().graph,
            slug,
            depth=walk.depth,
            limit=walk.limit,
            layers=walk.layers,
            categories=walk.categories,
        )
        reached = [rows.Reached.of(r) for r in result.reached]
        return ClosureAnswer(item=slug, reached=reached, total=result.total)

    def _deployable(self, plan: DeployPlan) -> DeployAnswer:
        targets: dict[str, float] = {}
        for ref, w in plan.targets.items():
            slug = self.resolve(ref)
            targets[slug] = targets.get(slug, 0.0) + w
        shortages = [dataclasses.replace(s, item=self.resolve(ref)) for ref, s in plan.shortages]
        return deployment.answer(
            self.snapshot(),
            targets,
            year=plan.year,
            per=plan.per,
            shortages=shortages,
            substitution=plan.substitution,
            allocation=None if plan.allocation is None else self.resolve(plan.allocation),
        )

    # ------------------------------------------------------------------ graphs and the store

    def subgraph(self, refs: str | Sequence[str], depth: int | None = None) -> nx.DiGraph:
        """The labelled networkx graph of the dependencies of `refs` (every item when empty).

        >>> g = kg.subgraph("ex-rack", depth=1)
        >>> g.nodes["ex-rack"]["name"], sorted(g.successors("ex-rack"))
        ('Example Rack NVL72', ['ex-rack/ex-accelerator'])
        """
        ids = [refs] if isinstance(refs, str) else list(refs)
        g = self.snapshot().graph
        if ids:
            g = g.subgraph([self.resolve(r) for r in ids], depth)
        return g.to_networkx()

    def sparql(self, query: str) -> Any:
        """A read-only SPARQL SELECT as a pandas DataFrame (named graphs via GRAPH ?g)."""
        import pandas as pd

        names, found = self._store.select_table(query)
        return pd.DataFrame(found, columns=names)

    def graph_info(self) -> dict[str, Any]:
        """Version, counts and sources with their last ingest run."""
        snap = self.snapshot()
        sources = [
            {
                "graph": str(g),
                "file": f,
                "triples": n,
                "run": str(run),
                "generated": t,
                "title": title,
            }
            for g, f, n, run, t, title in self._store.select(
                PREFIXES + f"SELECT ?g ?f ?n ?run ?t ?title WHERE {{ GRAPH <{META_GRAPH}> {{"
                " ?g sg:sourceFile ?f ; sg:tripleCount ?n ; prov:wasGeneratedBy ?run ."
                " OPTIONAL { ?g prov:generatedAtTime ?t } OPTIONAL { ?g sg:title ?title } } } ORDER BY ?g"
            )
        ]
        by_type: dict[str, int] = {}
        for e in snap.entities.values():
            for t in e.types:
                by_type[t] = by_type.get(t, 0) + 1
        return {
            "version": snap.version,
            "entities": len(snap.entities),
            "entities_by_type": by_type,
            "requirements": snap.graph.n_requirements,
            "supplies": len(snap.supplies),
            "sources": sources,
        }
