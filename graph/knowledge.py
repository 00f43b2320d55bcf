"""`KnowledgeGraph`: the Python API over a store, for notebooks, the CLI and the GraphQL API.

    >>> kg = KnowledgeGraph.open()                       # doctest: +SKIP
    >>> kg.impact({"cowos-l": 0.0}).to_frame()           # doctest: +SKIP
    >>> kg.critical_path("gb200-nvl72").to_frame()       # doctest: +SKIP

Reads go to an immutable `Snapshot` of the current graph version. A store on disk is opened
read-only, so an ingest can run beside it; when that ingest commits, the next call (at most
`reload_interval` seconds later) sees the new version, never a half-written one.
"""

from __future__ import annotations

import difflib
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph import analysis, vocabulary
from graph.errors import UnknownEntityError
from graph.namespace import ID, META_GRAPH, PREFIXES, normalise, slug_of
from graph.projection import (
    CapacityInfo,
    EntityInfo,
    Provenance,
    Snapshot,
    build_snapshot,
    graph_version,
)
from graph.results import Table
from graph.store import OxigraphStore, Store, Value, open_store

if TYPE_CHECKING:
    from graph.remote import RemoteKnowledgeGraph

__all__ = ["KnowledgeGraph", "parse_shortages"]

_STATUS_ORDER = {"BLOCKED": 0, "CONSTRAINED": 1, "OK": 2}
_PREFIXES = PREFIXES


IMPACT_COLUMNS = (
    "id",
    "name",
    "layer",
    "status",
    "availability",
    "binding_requirement",
    "root_cause",
    "chain",
    "explanation",
    "category",
)
"""Columns of an impact table, local or remote, in the order a DataFrame shows them."""


def impact_title(shortages: Mapping[str, float]) -> str:
    """The title of an impact table: its scenario."""
    return "impact of " + ", ".join(f"{k}={v:g}" for k, v in shortages.items())


def _status_name(value: float) -> str:
    return str(analysis.impact_status(value))


class _ImpactRow(Mapping[str, Any]):
    """One affected item; its chain and explanation are built when first read.

    Ranking and paging need only the cheap fields, so a scenario that affects half a large
    graph costs the chains of the rows someone looks at, not of all of them.
    """

    _LAZY = ("root_cause", "chain", "explanation")

    def __init__(
        self, kg: KnowledgeGraph, result: analysis.ImpactResult, cheap: dict[str, Any]
    ) -> None:
        self._kg = kg
        self._result = result
        self._data = cheap

    def _explain(self) -> None:
        steps = self._result.explain(self._data["id"])
        last = steps[-1] if steps else None
        self._data["root_cause"] = last.item if last is not None and last.cause is None else None
        self._data["chain"] = [step.item for step in steps]
        self._data["explanation"] = [
            {
                "item": step.item,
                "availability": round(step.availability, 6),
                "requirement": step.requirement,
                "via": step.via,
                "cause": step.cause,
                "facts": self._kg._facts(step.requirement_fact, step.source_fact),
            }
            for step in steps
        ]

    def __getitem__(self, key: str) -> Any:
        if key in self._LAZY and key not in self._data:
            self._explain()
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        yield from (
            "id",
            "name",
            "layer",
            "category",
            "status",
            "availability",
            "binding_requirement",
            *self._LAZY,
        )

    def __len__(self) -> int:
        return 7 + len(self._LAZY)

    def __repr__(self) -> str:
        return repr(dict(self))


def parse_shortages(items: Iterable[str] | Mapping[str, float]) -> dict[str, float]:
    """Shortages from a mapping or from `ID[=AVAILABILITY]` strings (a bare ID means 0)."""
    if isinstance(items, Mapping):
        return {str(k): float(v) for k, v in items.items()}
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not name:
            raise ValueError(f"expected ID or ID=AVAILABILITY, got {item!r}")
        try:
            out[name] = float(value) if sep else 0.0
        except ValueError:
            raise ValueError(
                f"availability of {name!r} must be a number in [0, 1], got {value!r}"
            ) from None
    return out


def name_list(value: str | Sequence[str] | None) -> list[str] | None:
    """One name or several as a list (None: no filter)."""
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def closure_table(
    word: str,
    slug: str,
    rows: list[dict[str, Any]],
    total: int,
    depth: int | None,
    wanted: Mapping[str, list[str] | None],
    raw: Any = None,
) -> Table:
    """The table of a closure (`word`: dependencies or dependents), titled with its filters."""
    only = [", ".join(v) or "none" for v in wanted.values() if v is not None]
    return Table(
        f"{word} of {slug}" + (f" ({'; '.join(only)})" if only else ""),
        rows,
        raw=raw,
        summary={"item": slug, "total": total, "depth": depth}
        | {k: v for k, v in wanted.items() if v is not None},
        kind=word,
    )


CAPACITY_COLUMNS = (
    "of",
    "of_name",
    "holder",
    "holder_name",
    "year",
    "amount",
    "amount_max",
    "unit",
    "period",
    "estimated",
    "confidence",
    "as_of",
    "source",
    "note",
)


def capacity_row(
    c: CapacityInfo, entities: Mapping[str, EntityInfo], p: Provenance | None
) -> dict[str, Any]:
    """One capacity record as a row of `CAPACITY_COLUMNS` plus names and its note."""
    return {
        "of": c.of,
        "of_name": entities[c.of].name if c.of in entities else c.of,
        "holder": c.holder,
        "holder_name": None
        if c.holder is None
        else (entities[c.holder].name if c.holder in entities else c.holder),
        "year": c.year,
        "amount": c.amount,
        "amount_max": c.amount_max,
        "unit": c.unit,
        "period": c.period,
        "estimated": bool(p and p.estimated),
        "confidence": None if p is None else p.confidence,
        "as_of": None if p is None else p.as_of,
        "source": None if p is None else p.source,
        "note": c.note,
    }


def capacity_table(slug: str, rows: list[dict[str, Any]], year: int | None) -> Table:
    """The table of `capacities`, titled with the year asked for."""
    title = f"capacities of {slug}" + ("" if year is None else f" in {year}")
    summary = {
        "item": slug,
        "records": len(rows),
        "years": sorted({r["year"] for r in rows if r["year"]}),
    }
    return Table(title, rows, columns=CAPACITY_COLUMNS, summary=summary, kind="capacities")


class KnowledgeGraph:
    """The knowledge graph in a store, with its analyses."""

    def __init__(self, store: Store, *, reload_interval: float = 1.0) -> None:
        self._store = store
        self._reload_interval = reload_interval
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._signature: tuple[Any, ...] | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, spec: str | None = None, *, reload_interval: float = 1.0) -> KnowledgeGraph:
        """Open a store by spec (default: `STACKGRAPH_STORE`, else the embedded store).

        A store on disk is opened read-only: ingest may write to it meanwhile.
        """
        read_only = bool(spec is None or spec.startswith("oxigraph:") or spec == "")
        if spec is None:
            from graph.store import default_store_spec

            read_only = default_store_spec().startswith("oxigraph:")
        return cls(open_store(spec, read_only=read_only), reload_interval=reload_interval)

    @staticmethod
    def connect(url: str, *, timeout: float = 30.0) -> RemoteKnowledgeGraph:
        """The same calls, answered by a running API server at `url` (its /graphql endpoint)."""
        from graph.remote import RemoteKnowledgeGraph

        return RemoteKnowledgeGraph(url, timeout=timeout)

    @property
    def store(self) -> Store:
        return self._store

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ versions

    def _disk_signature(self) -> tuple[Any, ...] | None:
        store = self._store
        if not isinstance(store, OxigraphStore) or store.path is None or not store.read_only:
            return None
        try:
            return tuple(
                sorted(
                    (p.name, p.stat().st_size, p.stat().st_mtime_ns)
                    for p in Path(store.path).iterdir()
                    if p.name.endswith(".log") or p.name.startswith(("MANIFEST", "CURRENT"))
                )
            )
        except FileNotFoundError:
            return None

    def _maybe_reopen(self) -> None:
        """Reopen a read-only on-disk store when its files changed (a writer committed)."""
        signature = self._disk_signature()
        if signature is None:
            return
        if self._signature is None:
            self._signature = signature
        elif signature != self._signature:
            store = self._store
            assert isinstance(store, OxigraphStore) and store.path is not None
            self._store = OxigraphStore(store.path, read_only=True)
            self._signature = signature

    def snapshot(self, *, refresh: bool = False) -> Snapshot:
        """The projection of the current graph version (rebuilt only when the version changed)."""
        with self._lock:
            now = time.monotonic()
            if (
                self._snapshot is not None
                and not refresh
                and now - self._checked < self._reload_interval
            ):
                return self._snapshot
            self._checked = now
            self._maybe_reopen()
            version = graph_version(self._store)
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = build_snapshot(self._store, version)
            return self._snapshot

    @property
    def version(self) -> str:
        return self.snapshot().version

    # ------------------------------------------------------------------ lookup

    def resolve(self, ref: str) -> str:
        """The slug of an entity named by slug, IRI, name or alias.

        Raises:
            UnknownEntityError: nothing matches; the message lists the closest matches.
        """
        snap = self.snapshot()
        if ref in snap.entities:
            return ref
        slug = slug_of(ref)
        if slug in snap.entities:
            return slug
        hit = snap.names.get(normalise(ref))
        if hit is not None:
            return hit
        raise UnknownEntityError(ref, self.suggest(ref))

    def suggest(self, ref: str, n: int = 5) -> list[str]:
        """Slugs whose id, name or alias is closest to `ref`."""
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
        """Name, types, layer and category of an entity."""
        return self.snapshot().entities[self.resolve(ref)]

    def provenance(self, iri: str | None) -> dict[str, Any] | None:
        """Source URL, as-of date, confidence, estimated flag and named graph of a fact."""
        if iri is None:
            return None
        p = self.snapshot().provenance.get(iri)
        return None if p is None else {"iri": iri, **p.to_dict()}

    def search(
        self,
        text: str = "",
        *,
        types: Sequence[str] = (),
        layer: str | None = None,
        category: str | None = None,
        limit: int | None = 50,
    ) -> Table:
        """Entities whose id, name or alias matches `text` (all when empty), best first."""
        vocabulary.check("layer", name_list(layer))
        vocabulary.check("category", name_list(category))
        snap = self.snapshot()
        key = normalise(text)
        named = snap.names.get(key)  # also a maker-qualified name such as "TSMC CoWoS-L"
        scored: list[tuple[int, str]] = []
        for slug, e in snap.entities.items():
            if types and not set(types) & set(e.types):
                continue
            if layer and e.layer != layer:
                continue
            if category and e.category != category:
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
        rows = [self._entity_row(snap.entities[s]) for _, s in scored[: limit or None]]
        return Table(f"search {text!r}", rows, summary={"total": len(scored)}, kind="search")

    @staticmethod
    def _entity_row(e: EntityInfo) -> dict[str, Any]:
        return {
            "id": e.id,
            "name": e.name,
            "types": list(e.types),
            "layer": e.layer,
            "category": e.category,
            "aliases": list(e.aliases),
        }

    def entity(self, ref: str) -> dict[str, Any]:
        """Everything known about one entity: attributes, claims, relations, provenance."""
        slug = self.resolve(ref)
        snap = self.snapshot()
        info = snap.entities[slug]
        iri = info.iri
        attributes: dict[str, Any] = {}
        for p, o in self._store.select(
            f"SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} FILTER(?g != <{META_GRAPH}>) }}"
        ):
            name = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            if name in (
                "type",
                "prefLabel",
                "altLabel",
                "wasDerivedFrom",
                "asOf",
                "confidence",
                "estimated",
            ):
                continue
            value = slug_of(str(o)) if isinstance(o, str) and o.startswith(str(ID)) else o
            if isinstance(value, str) and "/ns/layer/" in value:
                value = value.rsplit("/", 1)[-1]
            attributes.setdefault(name, []).append(value)
        claims = [
            {
                "property": prop,
                "value": value,
                "unit": unit,
                "provenance": self._row_provenance(x, src, asof, conf, est, g),
            }
            for x, prop, value, unit, src, asof, conf, est, g in self._store.select(
                _PREFIXES
                + "SELECT ?x ?prop ?value ?unit ?src ?asof ?conf ?est ?g WHERE { GRAPH ?g {"
                f" ?x a sg:Claim ; sg:subject <{iri}> ; sg:property ?prop ; sg:value ?value ."
                " OPTIONAL { ?x sg:unit ?unit } OPTIONAL { ?x prov:wasDerivedFrom ?src }"
                " OPTIONAL { ?x sg:asOf ?asof } OPTIONAL { ?x sg:confidence ?conf }"
                " OPTIONAL { ?x sg:estimated ?est } } } ORDER BY ?prop ?value"
            )
        ]
        return {
            **self._entity_row(info),
            "iri": iri,
            "attributes": {k: v[0] if len(v) == 1 else v for k, v in sorted(attributes.items())},
            "provenance": self.provenance(iri),
            "claims": claims,
            "requirements": self.requirements(slug).to_dicts(),
            "sources": self.sources(slug).to_dicts(),
        }

    @staticmethod
    def _row_provenance(
        x: Value, src: Value, asof: Value, conf: Value, est: Value, g: Value
    ) -> dict[str, Any]:
        return {
            "iri": str(x),
            "source": src,
            "as_of": asof,
            "confidence": conf,
            "estimated": bool(est),
            "graph": g,
        }

    def requirements(self, ref: str) -> Table:
        """What an item needs (AND), each with its qualified sources and provenance."""
        slug = self.resolve(ref)
        snap = self.snapshot()
        supplies = {s.iri: s for s in snap.supplies}
        rows = []
        for req in snap.graph.requirements(slug):
            sources = []
            for src in req.sources:
                record = supplies.get(src.fact or "")
                sources.append(
                    {
                        "supplier": src.supplier,
                        # the record's own value: the engine keeps shares in single precision
                        "share": record.share if record else src.share,
                        "qualification": record.qualification if record else "qualified",
                        "lead_time_days": src.lead_time_days,
                        "provenance": self.provenance(src.fact),
                    }
                )
            rows.append(
                {
                    "id": req.id,
                    "input": req.input,
                    "quantity": req.quantity,
                    "lead_time_days": req.lead_time_days,
                    "sources": sources,
                    "provenance": self.provenance(req.fact),
                }
            )
        return Table(f"requirements of {slug}", rows)

    def sources(self, ref: str) -> Table:
        """Every Supply record of an input (qualified or not), with provenance."""
        slug = self.resolve(ref)
        rows = [
            {
                "supplier": s.supplier,
                "consumer": s.consumer,
                "share": s.share,
                "qualification": s.qualification,
                "lead_time_days": s.lead_time_days,
                "provenance": self.provenance(s.iri),
            }
            for s in self.snapshot().supplies
            if s.input == slug
        ]
        return Table(f"sources of {slug}", rows)

    def capacities(self, ref: str, *, year: int | None = None) -> Table:
        """Sourced capacity figures of an item, or held by an organisation or facility.

        One row per Capacity record, by year then holder: `amount` (to `amount_max` for a
        range) `unit` per `period`, with its source. Sources that disagree stay separate rows.
        """
        slug = self.resolve(ref)
        snap = self.snapshot()
        rows = [
            capacity_row(c, snap.entities, snap.provenance.get(c.iri))
            for c in snap.capacities_of(slug, year)
        ]
        return capacity_table(slug, rows, year)

    # ------------------------------------------------------------------ analyses

    def _facts(self, *iris: str | None) -> list[dict[str, Any]]:
        return [p for p in (self.provenance(i) for i in iris if i) if p is not None]

    def impact(
        self, shortages: Mapping[str, float] | Iterable[str], *, substitution: bool = False
    ) -> Table:
        """Items blocked or constrained by shortages, each with the chain of facts that explains it.

        Args:
            shortages: id -> availability in [0, 1], or `ID[=AVAILABILITY]` strings.
            substitution: whether any one qualified source can replace the others.
        """
        wanted = parse_shortages(shortages)
        resolved = {self.resolve(k): v for k, v in wanted.items()}
        snap = self.snapshot()
        result = analysis.impact(snap.graph, resolved, substitution=substitution)
        rows: list[Mapping[str, Any]] = []
        for item, value, binding in result.ranked():
            info = snap.entities.get(item)
            rows.append(
                _ImpactRow(
                    self,
                    result,
                    {
                        "id": item,
                        "name": info.name if info else item,
                        "layer": info.layer if info else None,
                        "category": info.category if info else None,
                        "status": _status_name(value),
                        "availability": round(value, 6),
                        "binding_requirement": binding,
                    },
                )
            )
        rows.sort(key=lambda r: (_STATUS_ORDER[r["status"]], r["availability"], r["id"]))
        summary = {
            "shortages": resolved,
            "substitution": substitution,
            "counts": dict(result.counts),
            "counts_by_layer": {str(k): dict(v) for k, v in result.counts_by_layer.items()},
            "cycles": [list(c) for c in result.cycles],
            "version": snap.version,
        }
        return Table(
            impact_title(resolved),
            rows,
            columns=IMPACT_COLUMNS,
            raw=result,
            summary=summary,
            kind="impact",
        )

    def critical_path(self, ref: str) -> Table:
        """The lead-time path that decides how long an item takes, step by step in days."""
        slug = self.resolve(ref)
        snap = self.snapshot()
        result = analysis.critical_path(snap.graph, slug)
        rows = []
        for step in result.steps:
            node_name = snap.entities[step.node].name if step.node in snap.entities else step.node
            rows.append(
                {
                    "node": step.node,
                    "name": node_name,
                    "kind": step.kind,
                    "requirement": step.requirement,
                    "days": step.days,
                    "cumulative": step.cumulative,
                    "lead_time_known": step.lead_time_known,
                    "provenance": self.provenance(step.fact),
                }
            )
        summary = {
            "item": slug,
            "total_days": result.total_days,
            "missing_on_path": [m.node for m in result.missing_on_path],
            "missing_in_closure_count": result.missing_in_closure_count,
        }
        return Table(
            f"critical path of {slug}: {result.total_days} days",
            rows,
            raw=result,
            summary=summary,
            kind="critical_path",
        )

    def single_points_of_failure(self, ref: str) -> Table:
        """Items whose loss alone blocks `ref`, each with the chain that shows why."""
        slug = self.resolve(ref)
        snap = self.snapshot()
        found = analysis.single_points_of_failure(snap.graph, slug)
        rows = [
            {
                "id": s.id,
                "name": s.label,
                "layer": s.layer,
                "category": s.category,
                "path": [h.from_item for h in s.chain] + [s.id],
                "facts": self._facts(
                    *[f for h in s.chain for f in (h.requirement_fact, h.source_fact)]
                ),
            }
            for s in found
        ]
        return Table(
            f"single points of failure of {slug}",
            rows,
            raw=found,
            summary={"item": slug},
            kind="spof",
        )

    def chokepoints(self, top: int = 10, *, categories: str | Sequence[str] | None = None) -> Table:
        """Items ranked by how many end products they alone can block."""
        snap = self.snapshot()
        categories = vocabulary.check("category", name_list(categories))
        found = analysis.chokepoints(snap.graph, top=top, categories=categories)
        rows = [
            {
                "id": c.id,
                "name": c.label,
                "layer": c.layer,
                "category": c.category,
                "end_products_blocked": c.count,
                "end_products": list(c.end_products),
            }
            for c in found
        ]
        return Table(f"top {top} chokepoints", rows, raw=found, kind="chokepoints")

    def _closure(
        self,
        ref: str,
        depth: int | None,
        limit: int,
        down: bool,
        layers: str | Sequence[str] | None,
        categories: str | Sequence[str] | None,
    ) -> Table:
        slug = self.resolve(ref)
        fn = analysis.dependencies if down else analysis.dependents
        wanted = {
            "layers": vocabulary.check("layer", name_list(layers)),
            "categories": vocabulary.check("category", name_list(categories)),
        }
        result = fn(self.snapshot().graph, slug, depth=depth, limit=limit, **wanted)
        word = "dependencies" if down else "dependents"
        return closure_table(
            word, slug, result.to_records(), result.total, depth, wanted, raw=result
        )

    def dependencies(
        self,
        ref: str,
        depth: int | None = None,
        limit: int = 10_000,
        *,
        layers: str | Sequence[str] | None = None,
        categories: str | Sequence[str] | None = None,
    ) -> Table:
        """Everything an item needs, transitively (depth in item hops), with a path to each.

        `layers` and `categories` list only items of those layers or categories (for example
        ``categories=["accelerator", "inference-accelerator"]``); the walk still crosses the rest.
        """
        return self._closure(ref, depth, limit, True, layers, categories)

    def dependents(
        self,
        ref: str,
        depth: int | None = None,
        limit: int = 10_000,
        *,
        layers: str | Sequence[str] | None = None,
        categories: str | Sequence[str] | None = None,
    ) -> Table:
        """Everything that needs an item, transitively, with a path to each.

        "Which accelerators depend on CoWoS-L?" is
        ``kg.dependents("TSMC CoWoS-L", categories=["accelerator", "inference-accelerator"])``.
        """
        return self._closure(ref, depth, limit, False, layers, categories)

    def subgraph(self, refs: str | Sequence[str], depth: int | None = None) -> nx.DiGraph:
        """The labelled networkx graph of the dependencies of `refs` (all when empty)."""
        ids = [refs] if isinstance(refs, str) else list(refs)
        g = self.snapshot().graph
        if ids:
            g = g.subgraph([self.resolve(r) for r in ids], depth)
        return g.to_networkx()

    def sparql(self, query: str) -> Any:
        """A read-only SPARQL SELECT as a pandas DataFrame (named graphs via GRAPH ?g)."""
        import pandas as pd

        names, rows = self._store.select_table(query)
        return pd.DataFrame(rows, columns=names)

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
                _PREFIXES + f"SELECT ?g ?f ?n ?run ?t ?title WHERE {{ GRAPH <{META_GRAPH}> {{"
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
