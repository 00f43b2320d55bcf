"""Large runs in two passes, their memory bounded by the largest source plus the entity index.

A run of large table sources into a store on disk does not hold every record of every source
until its swap (about 0.65 KiB per quad). It reads the sources twice:

1. ``first_pass``, as each source is read: only its entity records are validated and kept (what
   references resolve against: ids, names and aliases, classes and categories); the rest of its
   rows are let go.
2. ``second_pass``, one source at a time: the source is read again, every record validated,
   its references resolved against the index of pass 1, its duplicates looked for, and its
   triples written to a spool file as canonical N-Triples lines (``stackgraph.ingest.swap.spool``), which
   the shadow copy's bulk loader reads (``stackgraph.graph.shadow``). What stays in memory is the index,
   the hash of each record IRI minted so far (to find a record written twice) and the supplies
   with a share (their sums are checked across sources, ``stackgraph.ingest.shares``).

The gate, the plan and the swap then run as for any other run, on the spooled graphs. The first
problem found sends the run back to the path that holds everything (``None`` from a pass): it
finds every problem, orders them and reports them as always, so a refused run says the same
whichever path it started on.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from stackgraph.graph import shadow
from stackgraph.graph.namespace import graph_iri
from stackgraph.graph.store import OxigraphStore, Store
from stackgraph.ingest.confidence import check_confidence
from stackgraph.ingest.entities import entity_index
from stackgraph.ingest.gate import entity_types
from stackgraph.ingest.quantities import check_quantities, entity_kinds
from stackgraph.ingest.readers import RawRecord, SourceFile, folder_reader, read_source
from stackgraph.ingest.records import ValidRecord, record_iri, resolve_refs, stored_records
from stackgraph.ingest.records import validate_records as _validate
from stackgraph.ingest.shares import check_shares
from stackgraph.ingest.swap import spool
from stackgraph.ingest.triples import Candidate, to_triples
from stackgraph.schema._spec import load

__all__ = ["first_pass", "input_bytes", "second_pass", "streams"]

_ENTITY_CLASSES = {c.name for c in load().entity_classes()}


def input_bytes(files: list[Path]) -> int:
    """The size of the inputs: files, and the files of folder sources.

    Examples:
        >>> input_bytes([Path("no/such/file")])
        0
    """
    total = 0
    for path in files:
        inner = path.rglob("*") if path.is_dir() and folder_reader(path) else [path]
        total += sum(p.stat().st_size for p in inner if p.is_file())
    return total


def streams(files: list[Path], store: Store, dry_run: bool, above: int | None) -> bool:
    """Whether a run takes the two passes: inputs over `above` bytes, written (not a dry run) to a
    store on disk that a shadow copy can replace."""
    return (
        above is not None
        and not dry_run
        and isinstance(store, OxigraphStore)
        and store.path is not None
        and not store.read_only
        and shadow.available(store.path.parent)
        and input_bytes(files) > above
    )


def first_pass(source: SourceFile) -> list[ValidRecord]:
    """Validate the entity records of a source just read, let its other rows go; the valid ones.

    Problems go on the source, as ``stackgraph.ingest.records.validate_records`` puts them.
    """
    rows, source.records = source.records, []
    source.records = [r for r in rows if r.cls in _ENTITY_CLASSES]
    del rows
    valid = _validate(source)
    source.records = []
    return valid


def second_pass(
    sources: list[SourceFile],
    entities: dict[str, list[ValidRecord]],
    store: Store,
    run_graphs: set[str],
    spool_dir: Path,
    max_bytes: int,
) -> tuple[dict[str, Candidate], dict[str, float]] | None:
    """Validate, resolve and spool one source at a time; None at the first problem.

    Args:
        sources: the sources of the run, read by the first pass (records let go, RDF kept).
        entities: the valid entity records of each source, by its display name.
        store: the store the run writes to.
        run_graphs: the named graphs this run replaces.
        spool_dir: where the spool files go (kept until the swap).
        max_bytes: files over this size are refused unread.

    Returns:
        As ``stackgraph.ingest.run``'s in-memory resolution: the candidate of each graph (table sources
        spooled) and the seconds spent on each source; or None if any source has a problem.
    """
    index = entity_index(sources, entities, store, run_graphs)
    kinds = entity_kinds(entities, store, run_graphs)
    if any(s.problems for s in sources):
        return None
    candidates: dict[str, Candidate] = {}
    seconds: dict[str, float] = {}
    minted: set[int] = set()  # the hash of each record IRI so far
    supplies: list[tuple[ValidRecord, dict[str, Any]]] = []
    for n, source in enumerate(sources):
        t = time.perf_counter()
        graph = str(graph_iri(source.name))
        if source.rdf is not None:
            candidates[graph] = source.rdf
            seconds[source.display] = time.perf_counter() - t
            continue
        again = read_source(source.path, max_bytes=max_bytes)
        if again.problems or again.input_hash != source.input_hash:
            return None  # changed since the first pass: the other path reads it once
        source.records = again.records
        del again
        known = entities.get(source.display, [])
        kept = _resolved(source, known, index, kinds, minted, supplies, store, run_graphs)
        source.records = []
        if kept is None:
            return None
        records, resolved, iris = kept
        triples = to_triples(records, resolved, iris)
        del records, resolved, iris
        path = spool_dir / f"{n}.nt"
        candidates[graph] = spool(triples, path, source.input_hash, entity_types(triples))
        del triples
        seconds[source.display] = time.perf_counter() - t
    revalidated = {str(graph_iri(s.name)) for s in sources if not s.unchanged}
    if check_shares(supplies, store, revalidated):
        return None
    return candidates, seconds


def _resolved(
    source: SourceFile,
    known: list[ValidRecord],
    index: Any,
    kinds: Any,
    minted: set[int],
    supplies: list[tuple[ValidRecord, dict[str, Any]]],
    store: Store,
    run_graphs: set[str],
) -> tuple[list[ValidRecord], list[dict[str, Any]], list[str]] | None:
    """The valid records of one source with their references and IRIs; None at a problem.
    `known`: its entity records, validated by the first pass from the same bytes (not again)."""
    source.records = [r for r in source.records if r.cls not in _ENTITY_CLASSES]
    records = known + _validate(source)
    source.problems.extend(check_confidence(records))
    if source.problems:
        return None
    resolved, iris, own = [], [], []
    for record in records:
        refs, problems = resolve_refs(record, index)
        if problems or check_quantities(record, refs, kinds):
            return None
        resolved.append(refs)
        iris.append(str(record_iri(record, refs)))
        if record.cls.name == "Supply" and getattr(record.model, "share", None) is not None:
            supplies.append((_slim(record), refs))
        if not record.cls.is_entity:
            if hash(iris[-1]) in minted:  # a record written twice (or, rarely, a collision)
                return None
            minted.add(hash(iris[-1]))
            own.append(iris[-1])
    if stored_records(store, own, run_graphs):
        return None
    return records, resolved, iris


def _slim(record: ValidRecord) -> ValidRecord:
    """A supply as the check of shares needs it: its model and where it is, not its raw row."""
    raw = record.raw
    line = RawRecord(raw.cls, {}, raw.line, {"share": raw.line_of("share")}, raw.file)
    return ValidRecord(record.cls, record.model, record.source, line)
