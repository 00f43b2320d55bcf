"""The projection: the RDF graph read once into the AND/OR dependency graph and lookup tables.

A `Snapshot` is built per graph version (the content hashes the ingest runs recorded) and never
changes; a store that changes gives a new snapshot, so readers never see a half-updated one.

How records become the AND/OR graph:

- every Organization, Product and Facility is an item;
- every Requirement (item needs input) is a requirement of its item, capped by its input;
- the sources of a requirement are the *qualified* Supply records of its input for that
  consumer; when the consumer has none, the qualified market supplies of the input (those with
  no consumer). Sampling, planned and disqualified supplies are kept as facts but do not count;
- an entity's own lead time is its `lead_time_days`, or its best sourced `lead_time_days` claim
  (most confident, then most recent) when that ranks higher, so that the critical path cites
  the page that gave the figure;
- a facility requires its operator, and an organization its parent (a fab cannot run without
  the company that runs it): these implied requirements carry the facility's or the
  organization's own record as their fact.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph.analysis import DependencyGraph, DependencyGraphBuilder
from graph.namespace import META_GRAPH, PREFIXES, SG, normalise, slug_of
from graph.store import Store, Value

__all__ = [
    "CapacityInfo",
    "EntityInfo",
    "Provenance",
    "Snapshot",
    "SupplyInfo",
    "build_snapshot",
    "graph_version",
]

_PREFIXES = PREFIXES
_PROV_VARS = "?src ?asof ?conf ?est ?g"
_PROV_PATTERN = (
    "OPTIONAL { ?x prov:wasDerivedFrom ?src } OPTIONAL { ?x sg:asOf ?asof } "
    "OPTIONAL { ?x sg:confidence ?conf } OPTIONAL { ?x sg:estimated ?est }"
)
_NOT_META = f"FILTER(?g != <{META_GRAPH}>)"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact comes from."""

    source: str | None
    as_of: str | None
    confidence: str | None
    estimated: bool
    graph: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "as_of": self.as_of,
            "confidence": self.confidence,
            "estimated": self.estimated,
            "graph": self.graph,
        }


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """What the projection keeps of an entity for lookups and labels."""

    id: str
    iri: str
    name: str
    types: tuple[str, ...]
    layer: str | None
    category: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SupplyInfo:
    """A Supply record, qualified or not."""

    iri: str
    input: str
    supplier: str
    consumer: str | None
    share: float | None
    qualification: str
    lead_time_days: int | None


@dataclass(frozen=True, slots=True)
class CapacityInfo:
    """A Capacity record: `amount` (to `amount_max` for a range) `unit` per `period` of `of`,
    held by `holder` (None: the whole market), for `year`."""

    iri: str
    of: str
    holder: str | None
    amount: float
    amount_max: float | None
    unit: str
    period: str
    year: int | None
    note: str | None


@dataclass(frozen=True)
class Snapshot:
    """One version of the graph, projected: the dependency graph plus lookup tables."""

    version: str
    graph: DependencyGraph
    entities: dict[str, EntityInfo]
    provenance: dict[str, Provenance]
    supplies: tuple[SupplyInfo, ...]
    names: dict[str, str] = field(repr=False)
    """Normalised name or alias -> slug."""
    capacities: tuple[CapacityInfo, ...] = ()

    def capacities_of(self, slug: str, year: int | None = None) -> list[CapacityInfo]:
        """The capacity records of `slug`, as what they are of or as holder (of `year` only,
        when given), by year, then item, holder and record."""
        found = [
            c
            for c in self.capacities
            if slug in (c.of, c.holder) and (year is None or c.year == year)
        ]
        found.sort(key=lambda c: (c.year or 0, c.of, c.holder or "", c.iri))
        return found


def _prov(row: tuple[Value, ...]) -> Provenance:
    src, asof, conf, est, g = row
    return Provenance(
        source=None if src is None else str(src),
        as_of=None if asof is None else str(asof),
        confidence=None if conf is None else str(conf),
        estimated=bool(est),
        graph=str(g),
    )


_CONFIDENCE = {"high": 2, "medium": 1, "low": 0}


def _rank(p: Provenance) -> tuple[int, str]:
    return (_CONFIDENCE.get(p.confidence or "", -1), p.as_of or "")


def _claimed_lead_times(
    store: Store, provenance: dict[str, Provenance]
) -> dict[str, tuple[int, str, Provenance]]:
    """Per entity, its best `lead_time_days` claim (most confident, then most recent).

    Lead times often come from another page than the entity's own record; such a claim carries
    that page, and the critical path cites it.
    """
    best: dict[str, tuple[int, str, Provenance]] = {}
    for x, subject, value, *prov in store.select(
        _PREFIXES
        + f"SELECT ?x ?s ?v {_PROV_VARS} WHERE {{ GRAPH ?g {{ ?x a sg:Claim ; sg:subject ?s ;"
        f' sg:property "lead_time_days" ; sg:value ?v . {_PROV_PATTERN} }} {_NOT_META} }} ORDER BY ?x'
    ):
        try:
            days = int(float(str(value)))
        except ValueError:
            continue
        if days < 0:
            continue
        p = _prov(tuple(prov))
        provenance[str(x)] = p
        slug = slug_of(str(subject))
        if slug not in best or _rank(p) > _rank(best[slug][2]):
            best[slug] = (days, str(x), p)
    return best


def graph_version(store: Store) -> str:
    """A short hash of the content hashes every data graph was ingested with."""
    rows = store.select(
        f"SELECT ?g ?h WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{SG.contentHash}> ?h }} }}"
    )
    text = "\n".join(sorted(f"{g} {h}" for g, h in rows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _capacities(store: Store, provenance: dict[str, Provenance]) -> tuple[CapacityInfo, ...]:
    """Every Capacity record, by what it is of, then year, holder and record."""
    out: list[CapacityInfo] = []
    for x, of, holder, amount, top, unit, period, year, note, *prov in store.select(
        _PREFIXES + f"SELECT ?x ?of ?h ?a ?top ?u ?per ?y ?note {_PROV_VARS} WHERE {{ GRAPH ?g {{"
        " ?x a sg:Capacity ; sg:of ?of ; sg:amount ?a ; sg:unit ?u ; sg:period ?per ."
        " OPTIONAL { ?x sg:holder ?h } OPTIONAL { ?x sg:amountMax ?top }"
        " OPTIONAL { ?x sg:year ?y } OPTIONAL { ?x sg:note ?note }"
        f" {_PROV_PATTERN} }} {_NOT_META} }} ORDER BY ?x"
    ):
        provenance[str(x)] = _prov(tuple(prov))
        out.append(
            CapacityInfo(
                iri=str(x),
                of=slug_of(str(of)),
                holder=None if holder is None else slug_of(str(holder)),
                amount=float(str(amount)),
                amount_max=None if top is None else float(str(top)),
                unit=str(unit),
                period=str(period),
                year=None if year is None else int(str(year)),
                note=None if note is None else str(note),
            )
        )
    out.sort(key=lambda c: (c.of, c.year or 0, c.holder or "", c.iri))
    return tuple(out)


def build_snapshot(store: Store, version: str | None = None) -> Snapshot:
    """Read entities, requirements and supplies from the store into a new snapshot."""
    version = version or graph_version(store)
    provenance: dict[str, Provenance] = {}
    entities: dict[str, EntityInfo] = {}
    builder = DependencyGraphBuilder()

    rows = store.select(
        _PREFIXES + f"SELECT ?x ?t ?name ?layer ?cat ?lead {_PROV_VARS} WHERE {{ GRAPH ?g {{"
        " ?x a ?t ; skos:prefLabel ?name . VALUES ?t { sg:Organization sg:Product sg:Facility }"
        " OPTIONAL { ?x sg:layer ?layer } OPTIONAL { ?x sg:category ?cat }"
        f" OPTIONAL {{ ?x sg:leadTimeDays ?lead }} {_PROV_PATTERN} }} {_NOT_META} }} ORDER BY ?x"
    )
    aliases: dict[str, list[str]] = defaultdict(list)
    for x, a in store.select(
        _PREFIXES + f"SELECT ?x ?a WHERE {{ GRAPH ?g {{ ?x skos:altLabel ?a }} {_NOT_META} }}"
    ):
        aliases[str(x)].append(str(a))
    claimed = _claimed_lead_times(store, provenance)
    for x, t, name, layer, cat, lead, *prov in rows:
        iri = str(x)
        slug = slug_of(iri)
        layer_name = None if layer is None else str(layer).rsplit("/", 1)[-1]
        entities[slug] = EntityInfo(
            id=slug,
            iri=iri,
            name=str(name),
            types=(str(t).rsplit("#", 1)[-1],),
            layer=layer_name,
            category=None if cat is None else str(cat),
            aliases=tuple(sorted(set(aliases.get(iri, [])))),
        )
        provenance[iri] = _prov(tuple(prov))
        own = None if lead is None else int(lead)
        fact = iri
        if slug in claimed and (own is None or _rank(claimed[slug][2]) > _rank(provenance[iri])):
            # A sourced lead-time claim: the critical path then cites the claim, not the entity.
            own, fact, _ = claimed[slug]
        builder.add_item(
            slug,
            label=str(name),
            layer=layer_name,
            category=None if cat is None else str(cat),
            lead_time_days=own,
            fact=fact,
        )

    supplies: list[SupplyInfo] = []
    for x, inp, sup, con, share, qual, lead, *prov in store.select(
        _PREFIXES + f"SELECT ?x ?in ?sup ?con ?share ?qual ?lead {_PROV_VARS} WHERE {{ GRAPH ?g {{"
        " ?x a sg:Supply ; sg:input ?in ; sg:supplier ?sup ."
        " OPTIONAL { ?x sg:consumer ?con } OPTIONAL { ?x sg:share ?share }"
        " OPTIONAL { ?x sg:qualification ?qual } OPTIONAL { ?x sg:leadTimeDays ?lead }"
        f" {_PROV_PATTERN} }} {_NOT_META} }} ORDER BY ?x"
    ):
        provenance[str(x)] = _prov(tuple(prov))
        supplies.append(
            SupplyInfo(
                iri=str(x),
                input=slug_of(str(inp)),
                supplier=slug_of(str(sup)),
                consumer=None if con is None else slug_of(str(con)),
                share=None if share is None else float(share),
                qualification="qualified" if qual is None else str(qual),
                lead_time_days=None if lead is None else int(lead),
            )
        )
    capacities = _capacities(store, provenance)
    qualified: dict[tuple[str, str | None], list[SupplyInfo]] = defaultdict(list)
    for s in supplies:
        if s.qualification == "qualified":
            qualified[(s.input, s.consumer)].append(s)

    for x, item, inp, qty, lead, *prov in store.select(
        _PREFIXES + f"SELECT ?x ?item ?in ?q ?lead {_PROV_VARS} WHERE {{ GRAPH ?g {{"
        " ?x a sg:Requirement ; sg:item ?item ; sg:input ?in ."
        " OPTIONAL { ?x sg:quantity ?q } OPTIONAL { ?x sg:leadTimeDays ?lead }"
        f" {_PROV_PATTERN} }} {_NOT_META} }} ORDER BY ?x"
    ):
        provenance[str(x)] = _prov(tuple(prov))
        item_slug, input_slug = slug_of(str(item)), slug_of(str(inp))
        r = builder.add_requirement(
            item_slug,
            input_slug,
            quantity=None if qty is None else float(qty),
            lead_time_days=None if lead is None else int(lead),
            fact=str(x),
        )
        sources = qualified.get((input_slug, item_slug)) or qualified.get((input_slug, None), [])
        for s in sources:
            builder.add_source(
                r, s.supplier, share=s.share, lead_time_days=s.lead_time_days, fact=s.iri
            )

    for x, p, o in store.select(
        _PREFIXES
        + "SELECT ?x ?p ?o WHERE { GRAPH ?g { { ?x sg:operator ?o . BIND(sg:operator AS ?p) }"
        " UNION { ?x sg:parent ?o . BIND(sg:parent AS ?p) } } " + _NOT_META + " } ORDER BY ?x ?o"
    ):
        item_slug, owner = slug_of(str(x)), slug_of(str(o))
        if item_slug != owner and item_slug in entities and owner in entities:
            kind = str(p).rsplit("#", 1)[-1]
            builder.add_requirement(item_slug, owner, fact=str(x), id=f"{item_slug}/{kind}:{owner}")

    names: dict[str, str] = {}
    for slug, info in entities.items():
        for n in (info.name, *info.aliases):
            names.setdefault(normalise(n), slug)
    for slug in entities:
        names[normalise(slug)] = slug
    for x, maker in store.select(
        _PREFIXES
        + "SELECT ?x ?o WHERE { GRAPH ?g { { ?x sg:vendor ?o } UNION { ?x sg:operator ?o } }"
        f" {_NOT_META} }} ORDER BY ?x ?o"
    ):
        # "TSMC CoWoS-L", "SK hynix HBM3E": a name prefixed by its maker's or operator's name
        # finds the entity too, unless that spelling already names another one.
        named, owner_info = entities.get(slug_of(str(x))), entities.get(slug_of(str(maker)))
        if named is not None and owner_info is not None:
            own_names = (named.name, *named.aliases)
            for prefix in (owner_info.name, *owner_info.aliases):
                for n in own_names:
                    names.setdefault(normalise(f"{prefix} {n}"), named.id)
    return Snapshot(
        version=version,
        graph=builder.build(),
        entities=entities,
        provenance=provenance,
        supplies=tuple(supplies),
        names=names,
        capacities=capacities,
    )
