"""One ingest run: read, validate, resolve, gate, and swap the changed named graphs in at once."""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef

from graph.errors import StoreBusyError, StoreUnavailableError
from graph.namespace import GRAPH, ID, META_GRAPH, SG, graph_iri
from graph.store import GraphWrite, Store, default_store_spec, lock_path, now, open_store
from ingest.gate import check
from ingest.problems import InvalidInputError, Problem, UsageError
from ingest.readers import SourceFile, discover, read_source
from ingest.records import (
    EntityIndex,
    ValidRecord,
    record_iri,
    resolve_refs,
    to_graph,
    validate_records,
)
from schema._spec import load

__all__ = ["IngestOptions", "IngestReport", "SourceReport", "ingest"]

_schema = load()
_ENTITY_TYPES = {URIRef(c.uri): c.name for c in _schema.entity_classes()}
_PROV = "http://www.w3.org/ns/prov#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class IngestOptions:
    """What one run does."""

    paths: list[Path]
    store: str | None = None
    dry_run: bool = False
    max_file_bytes: int = 64 * 2**20
    progress: bool = False


@dataclass
class SourceReport:
    """Outcome of one source in a run."""

    source: str
    graph: str
    outcome: str = "unchanged"
    triples: int = 0
    added: int = 0
    removed: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "graph": self.graph,
            "outcome": self.outcome,
            "triples": self.triples,
            "added": self.added,
            "removed": self.removed,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class IngestReport:
    """Outcome of a run; `outcome` is changed, unchanged, invalid or dry-run."""

    store: str
    outcome: str
    sources: list[SourceReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    run: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "outcome": self.outcome,
            "store": self.store,
            "run": self.run,
            "seconds": round(self.seconds, 3),
            "sources": [s.to_dict() for s in self.sources],
        }
        if self.problems:
            out["problems"] = len(self.problems)
        return out


@contextmanager
def _lock(spec: str) -> Iterator[None]:
    path = lock_path(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusyError(
                f"another ingest holds the lock {path.name} on this store; retry later"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_DOUBLE = ox.NamedNode(_XSD + "double")


def _term(term: Any) -> str:
    # Stores may respell a double ("1500.0" read back as "1500"): compare values, not spellings.
    if isinstance(term, ox.Literal) and term.datatype == _DOUBLE:
        return str(ox.Literal(repr(float(term.value)), datatype=_DOUBLE))
    return str(term)


def _canonical(ntriples: str) -> list[str]:
    """N-Triples lines in one canonical spelling, sorted, whatever wrote them."""
    if not ntriples.strip():
        return []
    quads = ox.parse(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return _lines(q.triple for q in quads)


def _lines(triples: Iterable[ox.Triple]) -> list[str]:
    return sorted({f"{t.subject} {t.predicate} {_term(t.object)} ." for t in triples})


def _progress(items: list[Path], enabled: bool) -> Any:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="reading", unit="file", file=sys.stderr, leave=False)


def _store_entities(store: Store, skip: set[str]) -> list[tuple[str, str, str, str | None]]:
    """(graph, iri, class, name) of every entity in the store, outside the graphs in `skip`."""
    types = " ".join(f"<{t}>" for t in _ENTITY_TYPES)
    rows = store.select(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?g ?s ?t ?name WHERE { GRAPH ?g { ?s a ?t . VALUES ?t { "
        + types
        + " } OPTIONAL { ?s skos:prefLabel|skos:altLabel ?name } } }"
    )
    return [
        (str(g), str(s), _ENTITY_TYPES[URIRef(str(t))], None if n is None else str(n))
        for g, s, t, n in rows
        if str(g) not in skip and str(g) != str(META_GRAPH)
    ]


def _stored_hashes(store: Store) -> dict[str, str]:
    rows = store.select(
        f"SELECT ?g ?h WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{SG.contentHash}> ?h }} }}"
    )
    return {str(g): str(h) for g, h in rows}


def _index(
    sources: list[SourceFile],
    valid: dict[str, list[ValidRecord]],
    store: Store,
    run_graphs: set[str],
) -> EntityIndex:
    index = EntityIndex()
    names: dict[str, list[str]] = {}
    classes: dict[str, tuple[str, str]] = {}
    for graph, iri, cls, name in _store_entities(store, run_graphs):
        if not iri.startswith(str(ID)):
            continue
        slug = iri[len(str(ID)) :]
        classes[slug] = (cls, f"stored graph {graph}")
        if name:
            names.setdefault(slug, []).append(name)
    for slug, (cls, where) in sorted(classes.items()):
        index.add(slug, cls, names.get(slug, []), where)
    for source in sources:
        if source.rdf is None:
            continue
        for s, t in source.rdf.subject_objects(RDF.type):
            kind = _ENTITY_TYPES.get(URIRef(str(t)))
            if kind is not None and str(s).startswith(str(ID)):
                index.add(str(s)[len(str(ID)) :], kind, [], source.display)
    for source in sources:
        for record in valid.get(source.display, []):
            if not record.cls.is_entity:
                continue
            model = record.model
            names_ = [getattr(model, "name"), *getattr(model, "aliases")]  # noqa: B009
            for clash in index.add(
                str(getattr(model, "id")),  # noqa: B009
                record.cls.name,
                names_,
                f"{record.raw.file or source.display}:{record.raw.line}",
            ):
                source.problems.append(
                    Problem(
                        record.raw.file or source.display,
                        record.raw.line,
                        clash,
                        field="id",
                        record=record.label,
                    )
                )
    return index


def _dangling(store: Store, removed: set[str], run_graphs: set[str]) -> list[str]:
    """References from graphs outside this run to entities this run removes."""
    if not removed:
        return []
    values = " ".join(f"<{r}>" for r in sorted(removed))
    rows = store.select(
        f"SELECT ?g ?s ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?o {{ {values} }} }}"
    )
    return [
        f"{o} is removed but still referenced by {s} in {g}"
        for g, s, o in rows
        if str(g) not in run_graphs and str(g) != str(META_GRAPH)
    ]


def _gate(candidates: dict[str, Graph], store: Store, run_graphs: set[str]) -> list[str]:
    """SHACL on the candidates (with the types of what they reference) and dangling references."""
    data = Graph()
    focus: list[str | URIRef] = []
    for g in candidates.values():
        data += g
        focus.extend(s for s in set(g.subjects(RDF.type)) if isinstance(s, URIRef))
    new_entities = {str(s) for s, t in data.subject_objects(RDF.type) if t in _ENTITY_TYPES}
    stored = _store_entities(store, set())
    for graph, iri, cls, _ in stored:
        if graph not in run_graphs:
            data.add((URIRef(iri), RDF.type, URIRef(_schema.classes[cls].uri)))
            data.add((URIRef(iri), RDF.type, SG.Entity))
    problems = [str(v) for v in check(data, focus)]
    removed = {iri for graph, iri, _, _ in stored if graph in run_graphs} - new_entities
    removed -= {iri for graph, iri, _, _ in stored if graph not in run_graphs}
    problems += _dangling(store, removed, run_graphs)
    return problems


def _meta(
    run: URIRef,
    started: str,
    reports: list[SourceReport],
    hashes: dict[str, str],
    inputs: dict[str, str],
    titles: dict[str, str],
) -> str:
    lines = [
        f"<{run}> <{RDF.type}> <{_PROV}Activity> .",
        f'<{run}> <{_PROV}startedAtTime> "{started}"^^<{_XSD}dateTime> .',
        f'<{run}> <{_PROV}endedAtTime> "{now()}"^^<{_XSD}dateTime> .',
        f'<{run}> <{SG.outcome}> "changed" .',
        f'<{run}> <{SG.schemaVersion}> "{_schema.version}" .',
    ]
    for r in reports:
        if r.outcome != "changed":
            continue
        gen = f"{run}/{r.graph.rsplit('/', 1)[-1]}"
        lines += [
            f"<{run}> <{_PROV}generated> <{r.graph}> .",
            f"<{run}> <{_PROV}qualifiedGeneration> <{gen}> .",
            f"<{gen}> <{RDF.type}> <{_PROV}Generation> .",
            f"<{gen}> <{_PROV}entity> <{r.graph}> .",
            f'<{gen}> <{SG.triplesAdded}> "{r.added}"^^<{_XSD}integer> .',
            f'<{gen}> <{SG.triplesRemoved}> "{r.removed}"^^<{_XSD}integer> .',
            f'<{gen}> <{SG.inputHash}> "{inputs[r.graph]}" .',
            f"<{r.graph}> <{RDF.type}> <{_PROV}Entity> .",
            f"<{r.graph}> <{_PROV}wasGeneratedBy> <{run}> .",
            f'<{r.graph}> <{SG.contentHash}> "{hashes[r.graph]}" .',
            f'<{r.graph}> <{SG.inputHash}> "{inputs[r.graph]}" .',
            f'<{r.graph}> <{SG.tripleCount}> "{r.triples}"^^<{_XSD}integer> .',
            f'<{r.graph}> <{SG.sourceFile}> "{_escape(r.source)}" .',
            f'<{r.graph}> <{_PROV}generatedAtTime> "{now()}"^^<{_XSD}dateTime> .',
        ]
        if titles.get(r.graph):
            lines.append(f'<{r.graph}> <{SG.title}> "{_escape(titles[r.graph])}" .')
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _check_unique(record: ValidRecord, refs: dict[str, Any], minted: dict[str, str]) -> None:
    """Two records with the same key (a deal id, an item-input pair) are one record written twice."""
    iri = str(record_iri(record, refs))
    where = f"{record.raw.file or record.source.display}:{record.raw.line}"
    if iri in minted:
        keys = (
            "id" if record.cls.name == "Deal" else ", ".join(s.name for s in record.cls.key_slots)
        )
        record.source.problems.append(
            Problem(
                record.raw.file or record.source.display,
                record.raw.line,
                f"duplicate {record.label}, also at {minted[iri]}; merge them or change {keys}",
                record=record.label,
            )
        )
    else:
        minted[iri] = where


def _open_for(options: IngestOptions) -> Store:
    """A dry run only reads: a store on disk opens read-only (or as empty when it is missing)."""
    if not options.dry_run:
        return open_store(options.store)
    spec = options.store or default_store_spec()
    if not spec.startswith("oxigraph:"):
        return open_store(spec)
    try:
        return open_store(spec, read_only=True)
    except StoreUnavailableError:
        return open_store("memory:")


def ingest(
    options: IngestOptions,
    log: Callable[[str], None] | None = None,
    store: Store | None = None,
) -> IngestReport:
    """Run one ingest into the store of `options` (or into `store`, left open).

    Raises:
        InvalidInputError: some input is invalid; nothing was written.
        UsageError: no such path, or no source files.
        StoreBusyError: another ingest holds the lock (retry later).
        StoreUnavailableError: the store cannot be opened or reached (retry later).
    """
    say = log or (lambda _msg: None)
    t0 = time.perf_counter()
    files, missing = discover(options.paths)
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if not files:
        raise UsageError(
            "no source files (.yaml, .yml, .csv, .ttl, .nt, .jsonld) under the given paths"
        )
    target = store or _open_for(options)
    try:
        if options.dry_run or target.spec == "memory:":
            return _run(options, files, target, t0, say)
        with _lock(target.spec):
            return _run(options, files, target, t0, say)
    finally:
        if store is None:
            target.close()


def _run(
    options: IngestOptions, files: list[Path], store: Store, t0: float, say: Callable[[str], None]
) -> IngestReport:
    started = now()
    sources: list[SourceFile] = []
    seen: dict[str, str] = {}
    for path in _progress(files, options.progress):
        source = read_source(path, max_bytes=options.max_file_bytes)
        if source.name in seen:
            source.problems.append(
                Problem(
                    source.display,
                    None,
                    f"source name {source.name!r} is also used by {seen[source.name]};"
                    " each named graph needs one file",
                )
            )
        seen[source.name] = source.display
        sources.append(source)
    say(f"read {len(sources)} source file(s)")
    valid = {s.display: validate_records(s) for s in sources}
    run_graphs = {str(graph_iri(s.name)) for s in sources}
    index = _index(sources, valid, store, run_graphs)
    candidates: dict[str, Graph] = {}
    timings: dict[str, float] = {}
    minted: dict[str, str] = {}
    for source in sources:
        t = time.perf_counter()
        records = valid[source.display]
        resolved = []
        for record in records:
            refs, problems = resolve_refs(record, index)
            source.problems.extend(problems)
            resolved.append(refs)
            if not problems and not record.cls.is_entity:
                _check_unique(record, refs, minted)
        if source.rdf is not None:
            candidates[str(graph_iri(source.name))] = source.rdf
        elif not source.problems:
            candidates[str(graph_iri(source.name))] = to_graph(records, resolved)
        timings[source.display] = time.perf_counter() - t
    problems = [p for s in sources for p in s.problems]
    report = IngestReport(store=store.spec, outcome="invalid")
    report.sources = [SourceReport(s.display, str(graph_iri(s.name))) for s in sources]
    if problems:
        report.problems = problems
        for r, s in zip(report.sources, sources, strict=True):
            r.outcome = "invalid" if s.problems else "valid"
        report.seconds = time.perf_counter() - t0
        raise InvalidInputError(problems, report)
    say("validated records; running the SHACL gate")
    violations = _gate(candidates, store, run_graphs)
    if violations:
        report.seconds = time.perf_counter() - t0
        raise InvalidInputError([Problem("SHACL gate", None, v) for v in violations], report)
    stored_hashes = _stored_hashes(store)
    writes: list[GraphWrite] = []
    hashes: dict[str, str] = {}
    inputs = {str(graph_iri(s.name)): s.input_hash for s in sources}
    titles = {str(graph_iri(s.name)): s.title for s in sources}
    for r, source in zip(report.sources, sources, strict=True):
        t = time.perf_counter()
        if source.triples is not None:
            lines = _lines(source.triples)
        else:
            lines = _canonical(candidates[r.graph].serialize(format="nt"))
        has_bnodes = any(line.startswith("_:") or " _:" in line for line in lines)
        digest = (
            source.input_hash
            if has_bnodes
            else hashlib.sha256("\n".join(lines).encode()).hexdigest()
        )
        hashes[r.graph] = f"{_schema.version}:{digest}"
        r.triples = len(lines)
        if stored_hashes.get(r.graph) == hashes[r.graph]:
            r.outcome = "unchanged"
        else:
            old = set(_canonical(store.graph_ntriples(r.graph)))
            new = set(lines)
            r.added, r.removed = len(new - old), len(old - new)
            r.outcome = "changed"
            writes.append(GraphWrite(r.graph, "\n".join(lines)))
        r.seconds = timings[source.display] + time.perf_counter() - t
    report.problems = []
    if options.dry_run:
        report.outcome = "dry-run"
    elif writes:
        run = URIRef(
            f"{GRAPH}run/{started.replace(':', '').replace('-', '')}-{uuid.uuid4().hex[:8]}"
        )
        meta_drop = [w.graph for w in writes]
        say(f"writing {len(writes)} graph(s) in one transaction")
        store.replace_graphs(
            writes,
            meta=_meta(run, started, report.sources, hashes, inputs, titles),
            meta_drop=meta_drop,
        )
        report.run = str(run)
        report.outcome = "changed"
    else:
        report.outcome = "unchanged"
    report.seconds = time.perf_counter() - t0
    return report
