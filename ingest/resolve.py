"""Entity resolution across sources: one company from two datasets is one entity.

An external source (a dataset reader marks its source ``external``, as the ETO connector does)
names companies the graph may already hold. Before its records are validated, each of its
organizations is scored against the organizations already known (those in the store outside
the graphs the run replaces, and those the run's other sources define) by `stackgraph.ingest.matcher`:

- **merged** (a match, or a decision ``same`` by a person): the record is not added as an
  entity. Its facts become claims on the known entity, from the external source (a
  ``same_as`` claim with the dataset's id, the method and the score; its ``country``), and
  every reference of the source to it points to the known entity, so the entity shows both
  sources and the claim rules (`stackgraph.graph.claims`) rank disagreeing values. Two records merged into
  one entity that both supply one input become one supply with the shares added.
- **uncertain** (a score between `stackgraph.ingest.matcher.PROPOSE` and a match, or two candidates too
  close to call): kept apart, listed in the report for a person to confirm or reject.
- **new**: kept as an entity of its own.

A kept-apart entity (of any class) whose name or alias is already a name of another entity is
added under a qualified name ("Canon (eto P159)") without the clashing aliases, so that
lookups by name keep finding the entity the graph had.

A person's decisions are data: ``resolutions.yaml`` in a folder given to the run (the bundled
one is ``data/resolutions.yaml``)::

    decisions:
    - {source: eto, external: P187, decision: same, entity: siemens-eda, note: "..."}
    - {source: eto, external: P302, decision: different, note: "..."}

``stackgraph resolve`` prints the report (``--json`` for a job).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from stackgraph.graph.namespace import ID, PREFIXES, normalise, slug_of
from stackgraph.graph.store import Store
from stackgraph.ingest.matcher import MATCH, UNCERTAIN, Known, Scored, decide, rank
from stackgraph.ingest.problems import Problem
from stackgraph.ingest.readers import RawRecord, SourceFile
from stackgraph.ingest.resolutions import Decision
from stackgraph.schema._spec import load

__all__ = ["Resolution", "ResolutionReport", "known_entities", "resolve_external"]

_REFS = {c.name: [s for s in c.slots if s.is_ref] for c in load().classes.values()}


@dataclass(frozen=True)
class Resolution:
    """What became of one organization of an external source."""

    source: str
    external: str
    """The record's id in its dataset."""
    slug: str
    name: str
    country: str | None
    outcome: str
    """merged, confirmed (a person said same), uncertain, rejected (a person said different),
    or new."""
    entity: str | None
    """The entity merged into, or the best candidate."""
    score: float
    method: str
    candidates: tuple[Scored, ...] = ()
    renamed: str | None = None
    """The qualified name it was added under, when its own was taken."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "external": self.external,
            "id": self.slug,
            "name": self.name,
            "country": self.country,
            "outcome": self.outcome,
            "entity": self.entity,
            "score": self.score,
            "method": self.method,
            "candidates": [
                {"entity": c.slug, "score": c.score, "method": c.method} for c in self.candidates
            ],
            "renamed": self.renamed,
        }


@dataclass
class ResolutionReport:
    """Every organization of the external sources, and what became of it."""

    resolutions: list[Resolution] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    """(source, id, qualified name) of every kept-apart entity whose name was taken."""

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(("merged", "confirmed", "uncertain", "rejected", "new"), 0)
        for r in self.resolutions:
            out[r.outcome] += 1
        return out

    def of(self, outcome: str) -> list[Resolution]:
        return [r for r in self.resolutions if r.outcome == outcome]

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "resolutions": [r.to_dict() for r in self.resolutions],
            "renamed": [{"source": s, "id": i, "name": n} for s, i, n in self.renamed],
        }

    def text(self, *, everything: bool = False) -> str:
        """The report for a person: counts, the uncertain matches with the decision to add for
        each, then (with `everything`) what was merged or kept apart."""
        c = self.counts()
        lines = [
            f"{len(self.resolutions)} organization(s) of external sources: {c['merged']} merged,"
            f" {c['confirmed']} confirmed, {c['uncertain']} uncertain, {c['rejected']} rejected,"
            f" {c['new']} new"
        ]
        if self.of("uncertain"):
            lines += ["", "Uncertain (kept apart until a person decides, in resolutions.yaml):"]
        for r in self.of("uncertain"):
            lines.append(f"  {r.source} {r.external} {r.name!r} ({r.country or 'no country'})")
            for cand in r.candidates:
                lines.append(f"    ~ {cand.slug} {cand.score:.2f}: {cand.method}")
            lines.append(
                f"    same:      - {{source: {r.source}, external: {r.external},"
                f" decision: same, entity: {r.entity}}}"
            )
            lines.append(
                f"    different: - {{source: {r.source}, external: {r.external},"
                " decision: different}"
            )
        shown = ("merged", "confirmed", "rejected", "new") if everything else ()
        for outcome in shown:
            if self.of(outcome):
                lines += ["", f"{outcome.capitalize()}:"]
            for r in self.of(outcome):
                to = f" -> {r.entity} ({r.score:.2f}, {r.method})" if r.entity else ""
                lines.append(f"  {r.source} {r.external} {r.name!r}{to}")
        return "\n".join(lines)


def known_entities(
    store: Store, skip: set[str], sources: list[SourceFile]
) -> tuple[dict[str, Known], dict[str, str]]:
    """The organizations a record may be, by slug, and every taken name (normalised) -> slug.

    Read from the store (outside the graphs in `skip`) and from the records of the sources
    that are not external.
    """
    known: dict[str, Known] = {}
    names: dict[str, set[str]] = defaultdict(set)
    country: dict[str, str] = {}
    taken: dict[str, str] = {}
    for g, s, t, name, cc in store.select(
        PREFIXES + "SELECT ?g ?s ?t ?name ?cc WHERE { GRAPH ?g { ?s a ?t ."
        " OPTIONAL { ?s skos:prefLabel|skos:altLabel ?name } OPTIONAL { ?s sg:country ?cc } } }"
    ):
        if str(g) in skip or not str(s).startswith(str(ID)):
            continue
        slug = slug_of(str(s))
        if name is not None:
            taken.setdefault(normalise(str(name)), slug)
        if str(t).endswith("#Organization"):
            names[slug].update([] if name is None else [str(name)])
            if cc is not None:
                country[slug] = str(cc)
    known = {s: Known(s, tuple(sorted(n)), country.get(s)) for s, n in names.items()}
    for source in sources:
        if source.external:
            continue
        for raw in source.records:
            ident = raw.data.get("id")
            if not isinstance(ident, str):
                continue
            own = [n for n in [raw.data.get("name"), *(raw.data.get("aliases") or [])] if n]
            for n in own:
                taken.setdefault(normalise(str(n)), ident)
            if raw.cls == "Organization":
                known[ident] = Known(
                    ident,
                    tuple(str(n) for n in own),
                    raw.data.get("country"),
                    raw.data.get("lei"),
                    raw.data.get("ticker"),
                )
    return known, taken


def resolve_external(
    sources: list[SourceFile],
    store: Store,
    skip: set[str],
    decisions: dict[tuple[str, str], Decision],
) -> ResolutionReport:
    """Match the organizations of the external sources to the known ones, in place.

    Args:
        sources: the sources of the run; those marked external are changed in place (merged
            records become claims, references follow them, taken names are qualified).
        store: the store the run writes to.
        skip: the graphs the run replaces (their entities are not known ones).
        decisions: a person's decisions by (source, external id).

    Returns:
        What became of every organization of the external sources.
    """
    report = ResolutionReport()
    external = [s for s in sources if s.external and s.records]
    if not external:
        return report
    known, taken = known_entities(store, skip, sources)
    for source in external:
        _resolve_source(source, known, taken, decisions, report)
    return report


def _resolve_source(
    source: SourceFile,
    known: dict[str, Known],
    taken: dict[str, str],
    decisions: dict[tuple[str, str], Decision],
    report: ResolutionReport,
) -> None:
    redirect: dict[str, str] = {}
    kept: list[RawRecord] = []
    claims: list[RawRecord] = []
    for raw in source.records:
        if raw.cls != "Organization" or not isinstance(raw.data.get("id"), str):
            kept.append(raw)
            continue
        found = _judge(source, raw, known, decisions)
        report.resolutions.append(found)
        if found.outcome in ("merged", "confirmed") and found.entity:
            redirect[found.slug] = found.entity
            claims.extend(_claims(raw, found))
        else:
            kept.append(raw)
    for raw in kept:
        if raw.cls is not None:
            for slot in _REFS.get(raw.cls, []):
                value = raw.data.get(slot.name)
                if isinstance(value, list):
                    raw.data[slot.name] = [redirect.get(v, v) for v in value]
                elif isinstance(value, str):
                    raw.data[slot.name] = redirect.get(value, value)
    source.records[:] = _merge_duplicates(kept + claims)
    for raw in source.records:
        renamed = _qualify(source, raw, taken)
        if renamed:
            report.renamed.append((source.name, str(raw.data["id"]), renamed))
    qualified = {i: n for _, i, n in report.renamed}
    report.resolutions[:] = [
        r if r.slug not in qualified else _with(r, renamed=qualified[r.slug])
        for r in report.resolutions
    ]


def _with(r: Resolution, **changes: Any) -> Resolution:
    data = {**r.__dict__, **changes}
    return Resolution(**data)


def _judge(
    source: SourceFile,
    raw: RawRecord,
    known: dict[str, Known],
    decisions: dict[tuple[str, str], Decision],
) -> Resolution:
    slug = str(raw.data["id"])
    native = source.native_ids.get(slug, slug)
    name = str(raw.data.get("name", ""))
    country = raw.data.get("country")
    names = [name, *(raw.data.get("aliases") or [])]
    ranked = rank(
        names, country, known.values(), lei=raw.data.get("lei"), ticker=raw.data.get("ticker")
    )
    base: dict[str, Any] = {"source": source.name, "external": native, "slug": slug}
    base |= {"name": name}
    base |= {"country": country, "candidates": tuple(ranked)}
    decision = decisions.get((source.name, native))
    if decision is not None and decision.decision == "same" and decision.entity in known:
        why = f"confirmed by a person ({decision.where})"
        base |= {"entity": decision.entity, "score": 1.0}
        return Resolution(**base, outcome="confirmed", method=why)
    if decision is not None and decision.decision == "same":
        source.problems.append(
            Problem(
                decision.where,
                None,
                f"names the entity {decision.entity!r}, which is no organization of the graph;"
                " expected the id of an Organization",
                field="entity",
                value=decision.entity,
            )
        )
    entity: str | None = ranked[0].slug if ranked else None
    score, method = (ranked[0].score, ranked[0].method) if ranked else (0.0, "")
    if decision is not None and decision.decision == "different":
        why = f"kept apart by a person ({decision.where})"
        return Resolution(**base, outcome="rejected", entity=entity, score=score, method=why)
    verdict = decide(ranked)
    outcome = {MATCH: "merged", UNCERTAIN: "uncertain"}.get(verdict, "new")
    return Resolution(**base, outcome=outcome, entity=entity, score=score, method=method)


def _claims(raw: RawRecord, found: Resolution) -> list[RawRecord]:
    """The facts of a merged record, as claims of its source on the entity it is."""
    prov: dict[str, Any] = {
        k: raw.data[k]
        for k in ("source", "as_of", "confidence", "license", "source_version")
        if k in raw.data
    }
    names = ", ".join(repr(n) for n in [raw.data.get("name"), *(raw.data.get("aliases") or [])])
    note = f"{found.source} {found.external} ({names}): {found.method}; score {found.score:.2f}"
    out = [{"property": "same_as", "value": f"{found.source}:{found.external}", "note": note}]
    if found.country:
        out.append({"property": "country", "value": found.country})
    return [
        RawRecord(
            cls="Claim",
            data={"subject": found.entity, **claim, **prov},
            line=raw.line,
            file=raw.file,
        )
        for claim in out
    ]


def _merge_duplicates(records: list[RawRecord]) -> list[RawRecord]:
    """One supply per input and supplier, one claim per subject, property and value: two
    records merged into one entity may have supplied the same input (their shares add up)."""
    out: list[RawRecord] = []
    first: dict[tuple[Any, ...], RawRecord] = {}
    for raw in records:
        if raw.cls == "Supply":
            parts = ("input", "supplier", "consumer")
            key: tuple[Any, ...] = ("Supply", *(raw.data.get(k) for k in parts))
        elif raw.cls == "Claim":
            key = ("Claim", *(raw.data.get(k) for k in ("subject", "property", "value")))
        else:
            out.append(raw)
            continue
        if key not in first:
            first[key] = raw
            out.append(raw)
            continue
        kept = first[key]
        if raw.cls == "Supply":
            a, b = kept.data.get("share"), raw.data.get("share")
            if isinstance(a, float) and isinstance(b, float):
                kept.data["share"] = round(a + b, 6)
            else:
                kept.data.pop("share", None)
            kept.data["note"] = (
                f"the shares of records of one company (lines {kept.line} and {raw.line}) added up"
            )
    return out


def _qualify(source: SourceFile, raw: RawRecord, taken: dict[str, str]) -> str | None:
    """Give a kept-apart entity whose name another entity holds a qualified name."""
    ident = raw.data.get("id")
    if not isinstance(ident, str) or raw.cls is None or "name" not in raw.data:
        return None
    aliases = [str(a) for a in raw.data.get("aliases") or []]
    free = [a for a in aliases if taken.get(normalise(a), ident) == ident]
    if len(free) != len(aliases):
        raw.data["aliases"] = free
    name = str(raw.data["name"])
    if taken.get(normalise(name), ident) == ident:
        return None
    native = source.native_ids.get(ident, ident)
    raw.data["name"] = f"{name} ({source.name} {native})"
    return str(raw.data["name"])
