"""Validate raw records, resolve references and aliases, mint IRIs and turn records into RDF."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from stackgraph.graph.namespace import ID, META_GRAPH, entity_iri, normalise, slug_of
from stackgraph.graph.store import Store
from stackgraph.ingest.formats import CSV_LIST_SEPARATOR
from stackgraph.ingest.problems import Problem
from stackgraph.ingest.readers import RawRecord, SourceFile
from stackgraph.schema import models
from stackgraph.schema._spec import Class, Slot, load

__all__ = [
    "UNKNOWN_REF",
    "EntityIndex",
    "ValidRecord",
    "check_unique",
    "label_of",
    "record_iri",
    "resolve_refs",
    "stored_records",
    "validate_records",
]

_schema = load()
_MULTI_SOURCE = {"Capacity", "Claim"}  # disagreeing sources are kept side by side


@dataclass
class ValidRecord:
    """A record that passed its model, with where it came from."""

    cls: Class
    model: BaseModel
    source: SourceFile
    raw: RawRecord

    @property
    def label(self) -> str:
        ident = getattr(self.model, "id", None)
        if ident:
            return f"{self.cls.name} {ident!r}"
        keys = [
            str(getattr(self.model, s.name))
            for s in self.cls.key_slots
            if getattr(self.model, s.name)
        ]
        return f"{self.cls.name} " + " -> ".join(keys)


@dataclass
class _Entry:
    slug: str
    cls: str
    where: str


@dataclass
class EntityIndex:
    """Every known entity by slug, and every name and alias pointing to its slug.

    Examples:
        >>> index = EntityIndex()
        >>> index.add("acme", "Organization", ["Acme Corp", "ACME"], "a.yaml:3")
        []
        >>> index.resolve("acme corp"), index.resolve("Nobody")
        ('acme', None)
        >>> index.add("acme-2", "Organization", ["Acme corp"], "b.yaml:1")
        ["name or alias 'acmecorp' of 'acme-2' is also a name of 'acme' (a.yaml:3); the same entity under two ids?"]
    """

    by_slug: dict[str, _Entry] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)

    def add(self, slug: str, cls: str, names: Iterable[str], where: str) -> list[str]:
        """Register an entity; returns clashes as messages."""
        clashes = []
        existing = self.by_slug.get(slug)
        if existing is not None:
            clashes.append(f"duplicate id {slug!r}, also defined at {existing.where}")
        self.by_slug[slug] = _Entry(slug, cls, where)
        for name in {normalise(n) for n in [slug, *names] if n}:
            other = self.by_name.get(name)
            if other is not None and other != slug:
                clashes.append(
                    f"name or alias {name!r} of {slug!r} is also a name of {other!r}"
                    f" ({self.by_slug[other].where}); the same entity under two ids?"
                )
            else:
                self.by_name[name] = slug
        return clashes

    def resolve(self, value: str) -> str | None:
        if value in self.by_slug:
            return value
        slug = slug_of(value)
        if slug in self.by_slug:
            return slug
        return self.by_name.get(normalise(value))

    def suggest(self, value: str, n: int = 3) -> list[str]:
        names = list(self.by_slug) + [k for k in self.by_name if k not in self.by_slug]
        hits = difflib.get_close_matches(normalise(value), names, n=n * 2, cutoff=0.6)
        out: list[str] = []
        for hit in hits:
            slug = self.by_slug[hit].slug if hit in self.by_slug else self.by_name[hit]
            if slug not in out:
                out.append(slug)
        return out[:n]


def _expected(error: dict[str, Any]) -> str:
    kind = error["type"]
    msg = str(error["msg"])
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a field of this record; check the spelling against schema/README.md"
    return f"expected: {msg[0].lower() + msg[1:]}" if msg else kind


def _prepare(cls: Class, raw: RawRecord) -> dict[str, Any]:
    """Split list cells of CSV records; everything else passes through."""
    data = dict(raw.data)
    for slot in cls.slots:
        value = data.get(slot.name)
        if slot.multivalued and isinstance(value, str):
            data[slot.name] = [v.strip() for v in value.split(CSV_LIST_SEPARATOR) if v.strip()]
    return data


def validate_records(source: SourceFile) -> list[ValidRecord]:
    """Check every record of a file against its model; problems go on the source."""
    out = []
    entity_classes = {c.name for c in _schema.entity_classes()}
    for raw in source.records:
        if raw.cls is None or raw.cls not in models.RECORD_MODELS:
            allowed = sorted(entity_classes) if not raw.cls else sorted(models.RECORD_MODELS)
            source.problems.append(
                Problem(
                    raw.file or source.display,
                    raw.line_of("type"),
                    f"unknown record type {raw.cls!r}; expected one of {', '.join(allowed)}",
                    field="type",
                    value=raw.cls,
                )
            )
            continue
        cls = _schema.classes[raw.cls]
        try:
            model = models.RECORD_MODELS[raw.cls].model_validate(_prepare(cls, raw))
        except ValidationError as exc:
            ident = raw.data.get("id")
            for err in exc.errors():
                loc = [str(p) for p in err["loc"]]
                name = loc[0] if loc else None
                value = raw.data.get(name) if name else None
                source.problems.append(
                    Problem(
                        raw.file or source.display,
                        raw.line_of(name),
                        f"got {value!r}; {_expected(dict(err))}"
                        if err["type"] != "missing"
                        else _expected(dict(err)),
                        field=".".join(loc) or None,
                        value=value,
                        record=f"{raw.cls} {ident!r}" if ident else raw.cls,
                    )
                )
            continue
        out.append(ValidRecord(cls, model, source, raw))
    return out


# --------------------------------------------------------------------------- RDF


def _hash(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:10]


def record_iri(record: ValidRecord, refs: dict[str, str]) -> URIRef:
    """The stable IRI of a record: entities by slug, n-ary records by their key fields."""
    model = record.model
    if record.cls.is_entity:
        return entity_iri(str(getattr(model, "id")))  # noqa: B009
    if record.cls.name == "Deal":
        return ID["deal/" + str(getattr(model, "id"))]  # noqa: B009
    parts = []
    for slot in record.cls.key_slots:
        value = getattr(model, slot.name)
        if value is None:
            parts.append("-")
        elif slot.is_ref:
            parts.append(refs[slot.name])
        elif slot.name == "value":
            parts.append(_hash(value))
        else:
            parts.append(str(value))
    if record.cls.name in _MULTI_SOURCE:
        parts.append(_hash(getattr(model, "source")))  # noqa: B009
    return ID[record.cls.name.lower() + "/" + "/".join(parts)]


def check_unique(record: ValidRecord, iri: str, minted: dict[str, str]) -> None:
    """Two records with the same key (a deal id, an item-input pair) are one record written twice.

    Args:
        record: an n-ary record (requirement, supply, ...) whose references resolved.
        iri: its IRI (``record_iri``).
        minted: the IRIs of the records seen so far in the run, to where they stand; updated.
    """
    file = record.raw.file or record.source.display
    if iri in minted:
        keys = (
            "id" if record.cls.name == "Deal" else ", ".join(s.name for s in record.cls.key_slots)
        )
        record.source.problems.append(
            Problem(
                file,
                record.raw.line,
                f"duplicate {record.label}, also at {minted[iri]}; merge them or change {keys}",
                record=record.label,
            )
        )
    else:
        minted[iri] = f"{file}:{record.raw.line}"


def stored_records(
    store: Store, iris: list[str], run_graphs: set[str], batch: int = 2000
) -> list[tuple[str, str]]:
    """(iri, graph) of each of ``iris`` that a stored graph outside the run already holds as a
    record: the same record written in two sources. Asked in batches, so the cost follows the
    sources of the run, not the size of the store."""
    found: list[tuple[str, str]] = []
    for start in range(0, len(iris), batch):
        values = " ".join(f"<{i}>" for i in iris[start : start + batch])
        rows = store.select(
            f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s a ?t }} }}"
        )
        found += [
            (str(s), str(g))
            for s, g in rows
            if str(g) not in run_graphs and str(g) != str(META_GRAPH)
        ]
    return sorted(found)


UNKNOWN_REF = "is not the id, name or alias of any entity"
"""What a reference problem says when nothing has that id, name or alias."""


def _ref_problem(record: ValidRecord, line: int, slot: Slot, value: str, what: str) -> Problem:
    return Problem(
        record.raw.file or record.source.display,
        line,
        f"{value!r} {what}",
        field=slot.name,
        value=value,
        record=record.label,
    )


@cache
def _below(name: str) -> frozenset[str]:
    """The class `name` and every class below it."""
    return frozenset(_schema.subclasses(name))


def resolve_refs(record: ValidRecord, index: EntityIndex) -> tuple[dict[str, Any], list[Problem]]:
    """Resolve every reference of a record to a slug; unknown or mistyped ones are problems."""
    resolved: dict[str, Any] = {}
    problems = []
    for slot in record.cls.slots:
        if not slot.is_ref:
            continue
        value = getattr(record.model, slot.name)
        if value is None or value == []:
            continue
        values = value if isinstance(value, list) else [value]
        slugs = []
        for v in values:
            slug = index.resolve(v)
            line = record.raw.line_of(slot.name)
            if slug is None:
                hint = index.suggest(v)
                more = f"; closest: {', '.join(hint)}" if hint else ""
                problems.append(_ref_problem(record, line, slot, v, f"{UNKNOWN_REF}{more}"))
                continue
            actual = index.by_slug[slug].cls
            if actual not in _below(slot.target):
                problems.append(
                    _ref_problem(record, line, slot, v, f"is a {actual}, expected a {slot.target}")
                )
                continue
            slugs.append(slug)
        resolved[slot.name] = slugs if isinstance(value, list) else (slugs[0] if slugs else None)
    return resolved, problems


def label_of(graph: Graph, iri: URIRef) -> str | None:
    """The preferred label of a node in a graph, if it has one."""
    value = graph.value(iri, SKOS.prefLabel)
    return str(value) if value is not None else None
