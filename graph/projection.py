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

Each record type is read by `stackgraph.graph._records.Records`: one scan per property, joined in Python
by record (Oxigraph answers an OPTIONAL by one index lookup per row, dearer than a scan);
`build_snapshot` builds each part from its columns in turn. The record types
(`Snapshot`, `EntityInfo`, `SupplyInfo`, `CapacityInfo`, `Provenance`) live in `stackgraph.graph.snapshot`
and are importable from here too.
"""

from __future__ import annotations

import hashlib
import sys
from collections import defaultdict

from stackgraph.graph._records import Column, Records
from stackgraph.graph.analysis import DependencyGraphBuilder
from stackgraph.graph.errors import StackgraphError
from stackgraph.graph.namespace import META_GRAPH, PREFIXES, SG, SKOS, normalise, slug_of
from stackgraph.graph.snapshot import (
    CapacityInfo,
    EntityInfo,
    PerWafer,
    Provenance,
    Snapshot,
    SupplyInfo,
)
from stackgraph.graph.store import Store, Value
from stackgraph.graph.units import canonical

__all__ = [
    "CapacityInfo",
    "EntityInfo",
    "Provenance",
    "Snapshot",
    "SupplyInfo",
    "build_snapshot",
    "graph_version",
]

_NOT_META = f"FILTER(?g != <{META_GRAPH}>)"
_CONFIDENCE = {"high": 2, "medium": 1, "low": 0}
_COUNTS = {"packages": "package", "dies": "die", "interposers": "package", "stacks": "stack"}
_ENTITIES = (str(SG.Organization), str(SG.Product), str(SG.Facility))
_SUPPLY, _CAPACITY, _REQUIREMENT, _CLAIM = (
    str(SG.Supply),
    str(SG.Capacity),
    str(SG.Requirement),
    str(SG.Claim),
)
_LEAD, _STAGE = "lead_time_days", "stage_time_days"
_PER_WAFER = "^[a-z]+_per_([a-z0-9]+_)?wafer$"

_Claim = tuple[str, str, str, Value, Provenance]
"""A claim the projection reads: its IRI, subject (a slug), property, value and provenance."""


def build_snapshot(store: Store, version: str | None = None) -> Snapshot:
    """Read entities, requirements, supplies and capacities from the store into a new snapshot.

    Args:
        store: The store to read (every named graph but the metadata graph).
        version: The version to record; default `graph_version(store)`.

    Returns:
        The snapshot; it never changes.

    Raises:
        StackgraphError: A lead time outside 0 to 36525 days (written past ingest's checks).
    """
    version = version or graph_version(store)
    records = Records(store, (*_ENTITIES, _SUPPLY, _CAPACITY, _REQUIREMENT, _CLAIM))
    provenance: dict[str, Provenance] = {}
    builder = DependencyGraphBuilder()
    # Columns that more than one record type reads are read once.
    leads = records.column(SG.leadTimeDays, (*_ENTITIES, _SUPPLY, _REQUIREMENT))
    inputs = records.column(SG.input, (_SUPPLY, _REQUIREMENT), records.slug)
    units = records.column(SG.unit, (_CAPACITY, _REQUIREMENT), _text)
    claims = _claims(records)
    entities = _add_entities(store, records, builder, provenance, claims, leads)
    supplies = _supplies(records, provenance, inputs, leads)
    capacities = _capacities(records, provenance, units)
    requirement_units: dict[str, str] = {}
    _add_requirements(
        records, builder, provenance, supplies, requirement_units, inputs, leads, units
    )
    operators = _references(store, SG.operator)
    _add_implied_requirements(store, builder, entities, operators)
    return Snapshot(
        version=version,
        graph=builder.build(),
        entities=entities,
        provenance=provenance,
        supplies=supplies,
        names=_names(store, entities, operators),
        capacities=capacities,
        requirement_units=requirement_units,
        per_wafer=_per_wafer(claims, provenance),
    )


def graph_version(store: Store) -> str:
    """A short hash of the content hashes every data graph was ingested with."""
    rows = store.select(
        f"SELECT ?g ?h WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{SG.contentHash}> ?h }} }}"
    )
    text = "\n".join(sorted(f"{g} {h}" for g, h in rows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------- one part per record type


def _text(value: Value) -> str:
    """A value of a small vocabulary (a unit, a kind, a layer) as text, held once."""
    return sys.intern(str(value))


def _rank(p: Provenance) -> tuple[int, str]:
    return (_CONFIDENCE.get(p.confidence or "", -1), p.as_of or "")


def _add_entities(
    store: Store,
    records: Records,
    builder: DependencyGraphBuilder,
    provenance: dict[str, Provenance],
    claims: list[_Claim],
    leads: Column,
) -> dict[str, EntityInfo]:
    """Every Organization, Product and Facility, as an entity and as an item of `builder`."""
    names = records.column(SKOS.prefLabel, _ENTITIES)
    layers = records.column(SG.layer, _ENTITIES, _text)
    categories = records.column(SG.category, _ENTITIES, _text)
    aliases = _aliases(store)
    claimed = _claimed_lead_times(claims, provenance, _LEAD)
    stages = _claimed_lead_times(claims, provenance, _STAGE)
    entities: dict[str, EntityInfo] = {}
    for iri, t, (name, layer, cat, lead), prov in records.rows(
        _ENTITIES, [names], [layers, categories, leads]
    ):
        slug = slug_of(iri)
        info = entities[slug] = EntityInfo(
            id=slug,
            iri=iri,
            name=str(name),
            types=(t.rsplit("#", 1)[-1],),
            layer=None if layer is None else _text(str(layer).rsplit("/", 1)[-1]),
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


def _claims(records: Records) -> list[_Claim]:
    """The claims the projection reads, by record: lead times, stage times and how many of a
    count one wafer gives (`_PER_WAFER`)."""
    properties = records.column(
        SG.property,
        (_CLAIM,),
        _text,
        f'FILTER(?v IN ("{_LEAD}", "{_STAGE}") || REGEX(?v, "{_PER_WAFER}"))',
    )
    subjects = records.column(SG.subject, (_CLAIM,), records.slug, among=properties)
    values = records.column(SG.value, (_CLAIM,), among=properties)
    return [
        (iri, str(subject), str(prop), value, p)
        for iri, _, (subject, prop, value), p in records.rows(
            (_CLAIM,), [subjects, properties, values]
        )
    ]


def _claimed_lead_times(
    claims: list[_Claim], provenance: dict[str, Provenance], prop: str
) -> dict[str, tuple[int, str, Provenance]]:
    """Per entity, its best `prop` claim (most confident, then most recent): `lead_time_days`
    (quoted lead times) or `stage_time_days` (stage times).

    Lead times often come from another page than the entity's own record; such a claim carries
    that page, and the critical path cites it.
    """
    best: dict[str, tuple[int, str, Provenance]] = {}
    for iri, slug, claimed, value, p in claims:
        if claimed != prop:
            continue
        try:
            days = int(float(str(value)))
        except (ValueError, OverflowError):
            continue
        if not 0 <= days <= _MAX_DAYS:
            continue
        provenance[iri] = p
        if slug not in best or _rank(p) > _rank(best[slug][2]):
            best[slug] = (days, iri, p)
    return best


def _supplies(
    records: Records, provenance: dict[str, Provenance], inputs: Column, leads: Column
) -> tuple[SupplyInfo, ...]:
    """Every Supply record, qualified or not, by record."""
    classes = (_SUPPLY,)
    suppliers = records.column(SG.supplier, classes, records.slug)
    consumers = records.column(SG.consumer, classes, records.slug)
    shares = records.column(SG.share, classes)
    qualifications = records.column(SG.qualification, classes, _text)
    out: list[SupplyInfo] = []
    for iri, _, (inp, sup, con, share, qual, lead), prov in records.rows(
        (_SUPPLY,), [inputs, suppliers], [consumers, shares, qualifications, leads]
    ):
        provenance[iri] = prov
        out.append(
            SupplyInfo(
                iri=iri,
                input=str(inp),
                supplier=str(sup),
                consumer=None if con is None else str(con),
                share=None if share is None else float(share),
                qualification="qualified" if qual is None else str(qual),
                lead_time_days=_days(lead, iri),
            )
        )
    return tuple(out)


def _capacities(
    records: Records, provenance: dict[str, Provenance], units: Column
) -> tuple[CapacityInfo, ...]:
    """Every Capacity record, by what it is of, then year, holder and record; each with its
    amount in the canonical unit and period (`stackgraph.graph.units.canonical`). A record without a kind
    (written before kinds) is a capacity."""
    classes = (_CAPACITY,)
    core = [records.column(SG.of, classes, records.slug), records.column(SG.amount, classes), units]
    optional = [
        records.column(SG.holder, classes, records.slug),
        records.column(f"{SG}capacityKind", classes, _text),
        records.column(SG.amountMax, classes),
        records.column(SG.period, classes, _text),
        records.column(SG.year, classes),
        records.column(SG.note, classes),
    ]
    out: list[CapacityInfo] = []
    for iri, _, (of, amount, unit, holder, kind, top, period, year, note), prov in records.rows(
        (_CAPACITY,), core, optional
    ):
        provenance[iri] = prov
        low, high = float(str(amount)), None if top is None else float(str(top))
        per = None if period is None else str(period)
        out.append(
            CapacityInfo(
                iri=iri,
                of=str(of),
                holder=None if holder is None else str(holder),
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
    records: Records,
    builder: DependencyGraphBuilder,
    provenance: dict[str, Provenance],
    supplies: tuple[SupplyInfo, ...],
    units: dict[str, str],
    inputs: Column,
    leads: Column,
    unit_column: Column,
) -> None:
    """Every Requirement record as a requirement of `builder`, with its qualified sources: the
    supplies of its input for that consumer, else the market supplies (no consumer); the unit
    of each quantity into `units`, by record."""
    qualified: dict[tuple[str, str | None], list[SupplyInfo]] = defaultdict(list)
    for s in supplies:
        if s.qualification == "qualified":
            qualified[(s.input, s.consumer)].append(s)
    classes = (_REQUIREMENT,)
    items = records.column(SG.item, classes, records.slug)
    quantities = records.column(SG.quantity, classes)
    for iri, _, (item, inp, qty, lead, u), prov in records.rows(
        (_REQUIREMENT,), [items, inputs], [quantities, leads, unit_column]
    ):
        provenance[iri] = prov
        if u is not None:
            units[iri] = str(u)
        item_slug, input_slug = str(item), str(inp)
        r = builder.add_requirement(
            item_slug,
            input_slug,
            quantity=None if qty is None else float(qty),
            lead_time_days=_days(lead, iri),
            fact=iri,
        )
        sources = qualified.get((input_slug, item_slug)) or qualified.get((input_slug, None), [])
        for s in sources:
            builder.add_source(
                r, s.supplier, share=s.share, lead_time_days=s.lead_time_days, fact=s.iri
            )


def _per_wafer(claims: list[_Claim], provenance: dict[str, Provenance]) -> tuple[PerWafer, ...]:
    """Every claim of how many of a count one wafer gives (`packages_per_cowos_wafer`,
    `dies_per_wafer`): what turns a requirement of packages or dies into wafers."""
    out = []
    for iri, subject, prop, value, p in claims:
        if prop in (_LEAD, _STAGE):
            continue
        try:
            amount = float(str(value))
        except ValueError:
            continue
        count = prop.split("_per_", 1)[0]
        if amount > 0 and count in _COUNTS:
            provenance[iri] = p
            out.append(PerWafer(iri, subject, _COUNTS[count], amount))
    return tuple(out)


def _references(store: Store, prop: str) -> list[tuple[str, str]]:
    """Every (subject, object) of `prop` in a data graph, by subject, then object."""
    rows = store.select(f"SELECT ?x ?o WHERE {{ GRAPH ?g {{ ?x <{prop}> ?o }} {_NOT_META} }}")
    # Sorted here, not by ORDER BY: the store's sort is slower than Python's at scale.
    return sorted((str(x), str(o)) for x, o in rows)


def _add_implied_requirements(
    store: Store,
    builder: DependencyGraphBuilder,
    entities: dict[str, EntityInfo],
    operators: list[tuple[str, str]],
) -> None:
    """A facility requires its operator and an organization its parent, each with the
    facility's or the organization's own record as the fact."""
    implied = [(x, o, "operator") for x, o in operators]
    implied += [(x, o, "parent") for x, o in _references(store, SG.parent)]
    implied.sort(key=lambda row: row[:2])
    for x, o, kind in implied:
        item_slug, owner = slug_of(x), slug_of(o)
        if item_slug != owner and item_slug in entities and owner in entities:
            builder.add_requirement(item_slug, owner, fact=x, id=f"{item_slug}/{kind}:{owner}")


# ---------------------------------------------------------------------- the names index


def _names(
    store: Store, entities: dict[str, EntityInfo], operators: list[tuple[str, str]]
) -> dict[str, str]:
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
    for x, maker in sorted(_references(store, SG.vendor) + operators):
        # "TSMC CoWoS-L", "SK hynix HBM3E": a name prefixed by its maker's or operator's name
        # finds the entity too, unless that spelling already names another one.
        named, owner = entities.get(slug_of(x)), entities.get(slug_of(maker))
        if named is not None and owner is not None:
            for prefix in (owner.name, *owner.aliases):
                for n in (named.name, *named.aliases):
                    names.setdefault(normalise(f"{prefix} {n}"), named.id)
    return names
