"""The projection: the RDF graph read once into a `Snapshot`, the AND/OR dependency graph and
its lookup tables.

A `Snapshot` is built per graph version (the content hashes the ingest runs recorded) and never
changes; a store that changes gives a new snapshot, so readers never see a half-updated one.

How records become the AND/OR graph:

- every Organization, Product and Facility is an item;
- every Requirement (item needs input) is a requirement of its item, capped by its input;
- the sources of a requirement are the *qualified* Supply records of its input for that
  consumer; when the consumer has none, the qualified market supplies of the input (those with
  no consumer). Sampling, planned and disqualified supplies are kept as facts but do not count;
- an entity's quoted lead time (order to delivery, its inputs included) is its
  `lead_time_days`, or its best sourced `lead_time_days` claim (most confident, then most
  recent) when that ranks higher, so that the critical path cites the page that gave the
  figure; its stage time (its own step once its inputs are there) is its best
  `stage_time_days` claim;
- a facility requires its operator, and an organization its parent (a fab cannot run without
  the company that runs it): these implied requirements carry the facility's or the
  organization's own record as their fact.

Each SPARQL read has a function of its own below; `build_snapshot` runs them in order. The
record types (`Snapshot`, `EntityInfo`, `SupplyInfo`, `CapacityInfo`, `Provenance`) live in
`graph.snapshot` and are importable from here too.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from graph.analysis import DependencyGraphBuilder
from graph.errors import StackgraphError
from graph.namespace import META_GRAPH, PREFIXES, SG, normalise, slug_of
from graph.snapshot import (
    CapacityInfo,
    EntityInfo,
    PerWafer,
    Provenance,
    Snapshot,
    SupplyInfo,
)
from graph.store import Store, Value
from graph.tiers import tier_of
from graph.units import canonical

__all__ = [
    "CapacityInfo",
    "EntityInfo",
    "Provenance",
    "Snapshot",
    "SupplyInfo",
    "build_snapshot",
    "graph_version",
]

_PROV_VARS = "?src ?asof ?conf ?est ?g"
_PROV_PATTERN = (
    "OPTIONAL { ?x prov:wasDerivedFrom ?src } OPTIONAL { ?x sg:asOf ?asof } "
    "OPTIONAL { ?x sg:confidence ?conf } OPTIONAL { ?x sg:estimated ?est }"
)
_NOT_META = f"FILTER(?g != <{META_GRAPH}>)"
_CONFIDENCE = {"high": 2, "medium": 1, "low": 0}
_COUNTS = {"packages": "package", "dies": "die", "interposers": "package", "stacks": "stack"}

_Row = tuple[Value, ...]


def build_snapshot(store: Store, version: str | None = None) -> Snapshot:
    """Read entities, requirements, supplies and capacities from the store into a new snapshot.

    Args:
        store: The store to read (every named graph but the metadata graph).
        version: The version to record; default `graph_version(store)`.

    Returns:
        The snapshot; it never changes.
    """
    version = version or graph_version(store)
    provenance: dict[str, Provenance] = {}
    builder = DependencyGraphBuilder()
    entities = _add_entities(store, builder, provenance)
    supplies = _supplies(store, provenance)
    capacities = _capacities(store, provenance)
    units: dict[str, str] = {}
    _add_requirements(store, builder, provenance, supplies, units)
    _add_implied_requirements(store, builder, entities)
    return Snapshot(
        version=version,
        graph=builder.build(),
        entities=entities,
        provenance=provenance,
        supplies=supplies,
        names=_names(store, entities),
        capacities=capacities,
        requirement_units=units,
        per_wafer=_per_wafer(store, provenance),
    )


def graph_version(store: Store) -> str:
    """A short hash of the content hashes every data graph was ingested with."""
    rows = store.select(
        f"SELECT ?g ?h WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{SG.contentHash}> ?h }} }}"
    )
    text = "\n".join(sorted(f"{g} {h}" for g, h in rows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------- one read per record type


def _records(store: Store, variables: str, pattern: str) -> list[tuple[_Row, Provenance]]:
    """The `variables` of every record `?x` matching `pattern` in a data graph, by record, each
    with its provenance."""
    rows = store.select(
        PREFIXES + f"SELECT {variables} {_PROV_VARS} WHERE {{ GRAPH ?g {{ {pattern}"
        f" {_PROV_PATTERN} }} {_NOT_META} }}"
    )
    # Sorted here, not by ORDER BY: the store's sort doubles the time of the read at scale.
    rows.sort(key=lambda row: str(row[0]))
    return [(row[:-5], _provenance(row[-5:])) for row in rows]


def _provenance(row: _Row) -> Provenance:
    src, asof, conf, est, g = row
    source = None if src is None else str(src)
    return Provenance(
        source=source,
        as_of=None if asof is None else str(asof),
        confidence=None if conf is None else str(conf),
        estimated=bool(est),
        graph=str(g),
        tier=tier_of(source),
    )


def _rank(p: Provenance) -> tuple[int, str]:
    return (_CONFIDENCE.get(p.confidence or "", -1), p.as_of or "")


def _add_entities(
    store: Store, builder: DependencyGraphBuilder, provenance: dict[str, Provenance]
) -> dict[str, EntityInfo]:
    """Every Organization, Product and Facility, as an entity and as an item of `builder`."""
    rows = _records(
        store,
        "?x ?t ?name ?layer ?cat ?lead",
        "?x a ?t ; skos:prefLabel ?name . VALUES ?t { sg:Organization sg:Product sg:Facility }"
        " OPTIONAL { ?x sg:layer ?layer } OPTIONAL { ?x sg:category ?cat }"
        " OPTIONAL { ?x sg:leadTimeDays ?lead }",
    )
    aliases = _aliases(store)
    claimed = _claimed_lead_times(store, provenance)
    stages = _claimed_lead_times(store, provenance, "stage_time_days")
    entities: dict[str, EntityInfo] = {}
    for (x, t, name, layer, cat, lead), prov in rows:
        iri, slug = str(x), slug_of(str(x))
        info = entities[slug] = EntityInfo(
            id=slug,
            iri=iri,
            name=str(name),
            types=(str(t).rsplit("#", 1)[-1],),
            layer=None if layer is None else str(layer).rsplit("/", 1)[-1],
            category=None if cat is None else str(cat),
            aliases=tuple(sorted(set(aliases.get(iri, [])))),
        )
        provenance[iri] = prov
        own, fact = _days(lead, iri), iri
        best = claimed.get(slug)
        if best is not None and (own is None or _rank(best[2]) > _rank(prov)):
            # A sourced lead-time claim: the critical path then cites the claim, not the entity.
            own, fact, _ = best
        builder.add_item(
            slug,
            name=info.name,
            layer=info.layer,
            category=info.category,
            lead_time_days=own,
            fact=fact,
            stage_time_days=None if slug not in stages else stages[slug][0],
            # A stage step cites its claim, or the entity's own record (not a quote's claim).
            stage_fact=iri if slug not in stages else stages[slug][1],
        )
    return entities


def _aliases(store: Store) -> dict[str, list[str]]:
    """Entity IRI -> its aliases (`skos:altLabel`)."""
    aliases: dict[str, list[str]] = defaultdict(list)
    for x, a in store.select(
        PREFIXES + f"SELECT ?x ?a WHERE {{ GRAPH ?g {{ ?x skos:altLabel ?a }} {_NOT_META} }}"
    ):
        aliases[str(x)].append(str(a))
    return aliases


_MAX_DAYS = 36525
"""The schema's largest number of days (a century): what ingest lets through."""


def _days(value: Value, iri: str) -> int | None:
    """A lead time in days as the projection holds it; a figure written past ingest's checks is
    an error that names its record, not an overflow deep in the arrays."""
    if value is None:
        return None
    try:
        days = int(value)
    except (TypeError, ValueError, OverflowError):
        days = -1
    if not 0 <= days <= _MAX_DAYS:
        raise StackgraphError(
            f"{iri}: a lead time of {value} days is outside 0 to {_MAX_DAYS}; it was written past"
            " `stackgraph ingest`, whose checks refuse it: correct the record and ingest again"
        )
    return days


def _claimed_lead_times(
    store: Store, provenance: dict[str, Provenance], prop: str = "lead_time_days"
) -> dict[str, tuple[int, str, Provenance]]:
    """Per entity, its best `prop` claim (most confident, then most recent): `lead_time_days`
    (quoted lead times) or `stage_time_days` (stage times).

    Lead times often come from another page than the entity's own record; such a claim carries
    that page, and the critical path cites it.
    """
    best: dict[str, tuple[int, str, Provenance]] = {}
    for (x, subject, value), p in _records(
        store,
        "?x ?s ?v",
        f'?x a sg:Claim ; sg:subject ?s ; sg:property "{prop}" ; sg:value ?v .',
    ):
        try:
            days = int(float(str(value)))
        except (ValueError, OverflowError):
            continue
        if not 0 <= days <= _MAX_DAYS:
            continue
        provenance[str(x)] = p
        slug = slug_of(str(subject))
        if slug not in best or _rank(p) > _rank(best[slug][2]):
            best[slug] = (days, str(x), p)
    return best


def _supplies(store: Store, provenance: dict[str, Provenance]) -> tuple[SupplyInfo, ...]:
    """Every Supply record, qualified or not, by record."""
    out: list[SupplyInfo] = []
    for (x, inp, sup, con, share, qual, lead), prov in _records(
        store,
        "?x ?in ?sup ?con ?share ?qual ?lead",
        "?x a sg:Supply ; sg:input ?in ; sg:supplier ?sup ."
        " OPTIONAL { ?x sg:consumer ?con } OPTIONAL { ?x sg:share ?share }"
        " OPTIONAL { ?x sg:qualification ?qual } OPTIONAL { ?x sg:leadTimeDays ?lead }",
    ):
        provenance[str(x)] = prov
        out.append(
            SupplyInfo(
                iri=str(x),
                input=slug_of(str(inp)),
                supplier=slug_of(str(sup)),
                consumer=None if con is None else slug_of(str(con)),
                share=None if share is None else float(share),
                qualification="qualified" if qual is None else str(qual),
                lead_time_days=_days(lead, str(x)),
            )
        )
    return tuple(out)


def _capacities(store: Store, provenance: dict[str, Provenance]) -> tuple[CapacityInfo, ...]:
    """Every Capacity record, by what it is of, then year, holder and record; each with its
    amount in the canonical unit and period (`graph.units.canonical`). A record without a kind
    (written before kinds) is a capacity."""
    out: list[CapacityInfo] = []
    for (x, of, holder, kind, amount, top, unit, period, year, note), prov in _records(
        store,
        "?x ?of ?h ?k ?a ?top ?u ?per ?y ?note",
        "?x a sg:Capacity ; sg:of ?of ; sg:amount ?a ; sg:unit ?u ."
        " OPTIONAL { ?x sg:holder ?h } OPTIONAL { ?x sg:capacityKind ?k }"
        " OPTIONAL { ?x sg:amountMax ?top } OPTIONAL { ?x sg:period ?per }"
        " OPTIONAL { ?x sg:year ?y } OPTIONAL { ?x sg:note ?note }",
    ):
        provenance[str(x)] = prov
        low, high = float(str(amount)), None if top is None else float(str(top))
        per = None if period is None else str(period)
        out.append(
            CapacityInfo(
                iri=str(x),
                of=slug_of(str(of)),
                holder=None if holder is None else slug_of(str(holder)),
                amount=low,
                amount_max=high,
                unit=str(unit),
                period=per,
                year=None if year is None else int(str(year)),
                note=None if note is None else str(note),
                kind="capacity" if kind is None else str(kind),
                canonical=canonical(low, high, str(unit), per),
            )
        )
    out.sort(key=lambda c: (c.of, c.year or 0, c.holder or "", c.iri))
    return tuple(out)


def _add_requirements(
    store: Store,
    builder: DependencyGraphBuilder,
    provenance: dict[str, Provenance],
    supplies: tuple[SupplyInfo, ...],
    units: dict[str, str],
) -> None:
    """Every Requirement record as a requirement of `builder`, with its qualified sources: the
    supplies of its input for that consumer, else the market supplies (no consumer); the unit
    of each quantity into `units`, by record."""
    qualified: dict[tuple[str, str | None], list[SupplyInfo]] = defaultdict(list)
    for s in supplies:
        if s.qualification == "qualified":
            qualified[(s.input, s.consumer)].append(s)
    for (x, item, inp, qty, lead, u), prov in _records(
        store,
        "?x ?item ?in ?q ?lead ?u",
        "?x a sg:Requirement ; sg:item ?item ; sg:input ?in ."
        " OPTIONAL { ?x sg:quantity ?q } OPTIONAL { ?x sg:leadTimeDays ?lead }"
        " OPTIONAL { ?x sg:unit ?u }",
    ):
        provenance[str(x)] = prov
        if u is not None:
            units[str(x)] = str(u)
        item_slug, input_slug = slug_of(str(item)), slug_of(str(inp))
        r = builder.add_requirement(
            item_slug,
            input_slug,
            quantity=None if qty is None else float(qty),
            lead_time_days=_days(lead, str(x)),
            fact=str(x),
        )
        sources = qualified.get((input_slug, item_slug)) or qualified.get((input_slug, None), [])
        for s in sources:
            builder.add_source(
                r, s.supplier, share=s.share, lead_time_days=s.lead_time_days, fact=s.iri
            )


def _per_wafer(store: Store, provenance: dict[str, Provenance]) -> tuple[PerWafer, ...]:
    """Every claim of how many of a count one wafer gives (`packages_per_cowos_wafer`,
    `dies_per_wafer`): what turns a requirement of packages or dies into wafers."""
    out = []
    for (x, subject, prop, value), p in _records(
        store,
        "?x ?s ?p ?v",
        "?x a sg:Claim ; sg:subject ?s ; sg:property ?p ; sg:value ?v ."
        ' FILTER(REGEX(?p, "^[a-z]+_per_([a-z0-9]+_)?wafer$"))',
    ):
        try:
            amount = float(str(value))
        except ValueError:
            continue
        count = str(prop).split("_per_", 1)[0]
        if amount > 0 and count in _COUNTS:
            provenance[str(x)] = p
            out.append(PerWafer(str(x), slug_of(str(subject)), _COUNTS[count], amount))
    return tuple(out)


def _add_implied_requirements(
    store: Store, builder: DependencyGraphBuilder, entities: dict[str, EntityInfo]
) -> None:
    """A facility requires its operator and an organization its parent, each with the
    facility's or the organization's own record as the fact."""
    for x, p, o in store.select(
        PREFIXES
        + "SELECT ?x ?p ?o WHERE { GRAPH ?g { { ?x sg:operator ?o . BIND(sg:operator AS ?p) }"
        " UNION { ?x sg:parent ?o . BIND(sg:parent AS ?p) } } " + _NOT_META + " } ORDER BY ?x ?o"
    ):
        item_slug, owner = slug_of(str(x)), slug_of(str(o))
        if item_slug != owner and item_slug in entities and owner in entities:
            kind = str(p).rsplit("#", 1)[-1]
            builder.add_requirement(item_slug, owner, fact=str(x), id=f"{item_slug}/{kind}:{owner}")


# ---------------------------------------------------------------------- the names index


def _names(store: Store, entities: dict[str, EntityInfo]) -> dict[str, str]:
    """Normalised name, alias, slug or maker-prefixed name -> slug.

    A name or alias names the first entity (by slug) that has it; a slug always names its own
    entity; a name prefixed by its maker's name comes last and never overrides another.
    """
    names: dict[str, str] = {}
    for slug, info in entities.items():
        for n in (info.name, *info.aliases):
            names.setdefault(normalise(n), slug)
    for slug in entities:
        names[normalise(slug)] = slug
    for x, maker in store.select(
        PREFIXES
        + "SELECT ?x ?o WHERE { GRAPH ?g { { ?x sg:vendor ?o } UNION { ?x sg:operator ?o } }"
        f" {_NOT_META} }} ORDER BY ?x ?o"
    ):
        # "TSMC CoWoS-L", "SK hynix HBM3E": a name prefixed by its maker's or operator's name
        # finds the entity too, unless that spelling already names another one.
        named, owner = entities.get(slug_of(str(x))), entities.get(slug_of(str(maker)))
        if named is not None and owner is not None:
            for prefix in (owner.name, *owner.aliases):
                for n in (named.name, *named.aliases):
                    names.setdefault(normalise(f"{prefix} {n}"), named.id)
    return names
