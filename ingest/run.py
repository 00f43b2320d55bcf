"""One ingest run: read, validate, resolve, gate, and swap the changed named graphs in at once."""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from stackgraph.graph.errors import StoreUnavailableError
from stackgraph.graph.namespace import graph_iri
from stackgraph.graph.store import (
    GraphWrite,
    OxigraphStore,
    Store,
    default_store_spec,
    now,
    open_store,
)
from stackgraph.ingest.confidence import check_confidence
from stackgraph.ingest.entities import entity_index
from stackgraph.ingest.gate import check_candidates
from stackgraph.ingest.lock import lock
from stackgraph.ingest.problems import InvalidInputError, Problem, UsageError
from stackgraph.ingest.provenance import run_record_keys
from stackgraph.ingest.quantities import check_quantities, entity_kinds
from stackgraph.ingest.readers import SourceFile, discover, read_source, suffixes
from stackgraph.ingest.records import (
    UNKNOWN_REF,
    ValidRecord,
    check_unique,
    record_iri,
    resolve_refs,
    stored_records,
    validate_records,
)
from stackgraph.ingest.registry import (
    Registered,
    assign_names,
    registered,
    source_key,
    unchanged_source,
)
from stackgraph.ingest.report import IngestReport, SourceReport
from stackgraph.ingest.resolutions import Decision, read_decisions
from stackgraph.ingest.resolve import resolve_external
from stackgraph.ingest.shares import check_shares
from stackgraph.ingest.stream import first_pass, second_pass, streams
from stackgraph.ingest.swap import plan, swap
from stackgraph.ingest.triples import Candidate, to_triples
from stackgraph.schema._spec import load

__all__ = ["IngestOptions", "IngestReport", "SourceReport", "ingest"]


@dataclass(frozen=True)
class IngestOptions:
    """What one run does."""

    paths: list[Path]
    store: str | None = None
    dry_run: bool = False
    max_file_bytes: int = 64 * 2**20
    progress: bool = False
    prune: bool = False
    """Remove the graphs of sources that are no longer among the inputs."""
    full: bool = False
    """Validate every source, even those whose input is unchanged since the last run."""
    stream_above: int | None = 4 * 2**20
    """Inputs over this many bytes, written to a store on disk, are read in two passes with
    bounded memory (``stackgraph.ingest.stream``); None: never."""


def ingest(
    options: IngestOptions,
    log: Callable[[str], None] | None = None,
    store: Store | None = None,
) -> IngestReport:
    """Run one ingest into the store of `options` (or into `store`, left open).

    Raises:
        InvalidInputError: some input is invalid; nothing was written (exit code 1).
        UsageError: no such path, or no source files (exit code 2).
        StoreBusyError: another ingest holds the lock (exit code 75: retry later).
        StoreUnavailableError: the store cannot be opened or reached (exit code 75: retry later).
    """
    say = log or (lambda _msg: None)
    t0 = time.perf_counter()
    files, missing = discover(options.paths)
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if not files:
        raise UsageError(f"no source files ({', '.join(suffixes())}) under the given paths")
    target = store or _open_for(options)
    try:
        if options.dry_run or target.spec == "memory:":
            return _run(options, files, target, t0, say)
        with lock(target.spec):
            return _run(options, files, target, t0, say)
    finally:
        if store is None:
            target.close()


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


def _run(
    options: IngestOptions, files: list[Path], store: Store, t0: float, say: Callable[[str], None]
) -> IngestReport:
    """The steps of a run, with a spool folder beside the store when it takes two passes."""
    if not isinstance(store, OxigraphStore) or store.path is None:
        return _steps(options, files, store, t0, say, None)
    if not streams(files, store, options.dry_run, options.stream_above):
        return _steps(options, files, store, t0, say, None)
    spool = store.path.with_name(f".{store.path.name}.spool")
    shutil.rmtree(spool, ignore_errors=True)  # left by a run that was killed
    spool.mkdir()
    try:
        return _steps(options, files, store, t0, say, spool)
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def _steps(
    options: IngestOptions,
    files: list[Path],
    store: Store,
    t0: float,
    say: Callable[[str], None],
    spool: Path | None,
) -> IngestReport:
    """The steps of a run; each refuses the run (raising) before anything is written."""
    started = now()
    held = registered(store)
    entities: dict[str, list[ValidRecord]] | None = None if spool is None else {}
    sources = _read(files, options, {} if options.full else held, entities)
    say(f"read {len(sources)} source file(s)")
    for problem in assign_names(sources, held):
        next(s for s in sources if s.display == problem.file).problems.insert(0, problem)
    graphs = {str(graph_iri(s.name)) for s in sources}
    absent = [r for g, r in sorted(held.items()) if g not in graphs]
    pruned = absent if options.prune else []
    fresh = {s.display for s in sources if s.unchanged}
    work = [s for s in sources if s.display not in fresh]
    run_graphs = {str(graph_iri(s.name)) for s in work} | {r.graph for r in pruned}
    if fresh:
        say(f"{len(fresh)} source(s) unchanged since the last run: not validated again")
    # Nothing to read (every source unchanged, none pruned): the store is not queried at all.
    decisions, wrong = read_decisions(options.paths)
    if work and wrong:
        work[0].problems.extend(wrong)
    if spool is not None and any(s.external for s in work):
        say("external sources are matched against every record of the run: one pass")
        return _run(replace(options, stream_above=None), files, store, t0, say)
    candidates, seconds = (
        _resolve(work, store, run_graphs, decisions, say)
        if run_graphs and spool is None
        else ({}, {})
    )
    if run_graphs and spool is not None and entities is not None:
        say("read the entities; validating and writing one source at a time")
        streamed = second_pass(work, entities, store, run_graphs, spool, options.max_file_bytes)
        if streamed is None:  # the other path finds every problem and reports them in order
            say("the inputs have a problem: reading them again, all at once, to report them")
            return _run(replace(options, stream_above=None), files, store, t0, say)
        candidates, seconds = streamed
    candidates.update({r.graph: Graph() for r in pruned})
    report = IngestReport(store=store.spec, outcome="invalid")
    report.sources = [SourceReport(s.display, str(graph_iri(s.name))) for s in work]
    _refuse_invalid(work, report, t0)
    for s in work:  # from here on only the candidates matter: let the raw rows go
        s.records.clear()
    rdf = {str(graph_iri(s.name)) for s in work if s.rdf is not None}
    say("validated records" + ("; running the SHACL gate on the RDF sources" if rdf else ""))
    violations = (
        check_candidates(candidates, store, run_graphs, shapes_on=rdf) if run_graphs else []
    )
    if violations and fresh and any(held[g].file for g in _referrers(violations, held)):
        # An unchanged source refers to an entity a changed one removes or renames: its
        # references resolve anew only if it is validated again.
        return _run(replace(options, full=True), files, store, t0, say)
    if violations:
        report.seconds = time.perf_counter() - t0
        raise InvalidInputError(_shacl_problems(violations, work), report)
    writes, hashes = plan(report.sources, work, candidates, store, seconds)
    writes += [GraphWrite(r.graph, "") for r in pruned]
    keys = {str(graph_iri(s.name)): s.key for s in sources}
    unchanged = [_unchanged(s, held) for s in sources if s.display in fresh]
    removed = [SourceReport(r.file or r.graph, r.graph, "removed", 0, 0, r.triples) for r in pruned]
    if options.dry_run:
        report.outcome = "dry-run"
    elif writes:
        report.run = swap(
            store,
            writes,
            started=started,
            reports=report.sources,
            sources=work,
            hashes=hashes,
            say=say,
            keys=keys,
        )
        report.outcome = "changed"
    else:
        report.outcome = "unchanged"
        unkeyed = {g: k for g, k in keys.items() if held.get(g) and held[g].key != k}
        if unkeyed:  # a store from before keys: register them, nothing else changes
            store.replace_graphs([], meta=run_record_keys(unkeyed))
    report.sources = sorted([*report.sources, *unchanged], key=lambda r: r.source) + removed
    report.absent = [] if options.prune else [(r.file or r.graph, r.graph) for r in absent]
    report.seconds = time.perf_counter() - t0
    return report


def _unchanged(source: SourceFile, held: dict[str, Registered]) -> SourceReport:
    graph = str(graph_iri(source.name))
    return SourceReport(source.display, graph, "unchanged", held[graph].triples)


def _referrers(violations: list[str], held: dict[str, Registered]) -> list[str]:
    """The graphs that dangling-reference messages name, among those the store holds."""
    return [g for g in held if any(v.endswith(f" in {g}") for v in violations)]


def _progress(items: list[Path], enabled: bool) -> Any:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="reading", unit="file", file=sys.stderr, leave=False)


def _read(
    files: list[Path],
    options: IngestOptions,
    held: dict[str, Registered],
    entities: dict[str, list[ValidRecord]] | None = None,
) -> list[SourceFile]:
    """Read every source, each with its key (``stackgraph.ingest.registry.source_key``); a file whose
    bytes are those the store's graph was made from, by this schema, is only hashed. With
    `entities`, the first pass of ``stackgraph.ingest.stream``: only the entity records of each are kept."""
    schema = f"{load().version}:"
    made = {
        r.key: (r.input_hash, r.graph)
        for r in held.values()
        if r.key and r.input_hash and (r.content_hash or "").startswith(schema)
    }
    sources: list[SourceFile] = []
    for path in _progress(files, options.progress):
        key = source_key(path, options.paths)
        source = unchanged_source(path, key, made) if made else None
        if source is None:
            source = read_source(path, max_bytes=options.max_file_bytes)
            source.key = key
            if entities is not None:
                entities[source.display] = first_pass(source)
        sources.append(source)
    return sources


def _resolve(
    sources: list[SourceFile],
    store: Store,
    run_graphs: set[str],
    decisions: dict[tuple[str, str], Decision],
    say: Callable[[str], None],
) -> tuple[dict[str, Candidate], dict[str, float]]:
    """Validate and resolve every record; the candidate graph of each source without problems.

    The organizations of external sources are matched to the known ones first
    (`stackgraph.ingest.resolve`), so that references resolve to the entity each one is.

    Returns:
        The candidate graph of each source by its named graph, and the seconds spent on each
        source by its display name.
    """
    unreadable = [s.display for s in sources if s.problems]  # the file itself could not be read
    matched = resolve_external(sources, store, run_graphs, decisions)
    if matched.resolutions:
        counts = ", ".join(f"{n} {k}" for k, n in matched.counts().items() if n)
        say(f"matched the organizations of external sources: {counts} (stackgraph resolve)")
    valid = {s.display: validate_records(s) for s in sources}
    broken = _invalid_entities(sources, valid)
    for s in sources:
        s.problems.extend(check_confidence(valid[s.display]))
    index = entity_index(sources, valid, store, run_graphs)
    kinds = entity_kinds(valid, store, run_graphs)
    candidates: dict[str, Candidate] = {}
    seconds: dict[str, float] = {}
    minted: dict[str, str] = {}
    records_by_iri: dict[str, ValidRecord] = {}
    supplies: list[tuple[ValidRecord, dict[str, Any]]] = []
    for source in sources:
        t = time.perf_counter()
        records = valid[source.display]
        resolved, iris = [], []
        for record in records:
            refs, problems = resolve_refs(record, index)
            source.problems.extend(_follow_on(problems, broken, unreadable))
            source.problems.extend(check_quantities(record, refs, kinds))
            resolved.append(refs)
            if problems:
                continue
            if record.cls.name == "Supply":
                supplies.append((record, refs))
            iris.append(str(record_iri(record, refs)))
            if not record.cls.is_entity:
                check_unique(record, iris[-1], minted)
                records_by_iri.setdefault(iris[-1], record)
        if source.rdf is not None:
            candidates[str(graph_iri(source.name))] = source.rdf
        elif not source.problems:
            candidates[str(graph_iri(source.name))] = to_triples(records, resolved, iris)
        seconds[source.display] = time.perf_counter() - t
    revalidated = {str(graph_iri(s.name)) for s in sources if not s.unchanged}
    # sums are only meaningful over records that are right one by one (a file given twice
    # doubles every share): checked once nothing else is wrong
    clean = not any(s.problems for s in sources)
    for record, problem in check_shares(supplies if clean else [], store, revalidated):
        record.source.problems.append(problem)
        candidates.pop(str(graph_iri(record.source.name)), None)
    for iri, graph in stored_records(store, list(records_by_iri), run_graphs):
        record = records_by_iri[iri]
        record.source.problems.append(
            Problem(
                record.raw.file or record.source.display,
                record.raw.line,
                f"duplicate {record.label}, also at the stored graph {graph}; merge them or"
                " change its key",
                record=record.label,
            )
        )
        candidates.pop(str(graph_iri(record.source.name)), None)
    return candidates, seconds


def _shacl_problems(violations: list[str], sources: list[SourceFile]) -> list[Problem]:
    """Each violation of the SHACL gate as a problem of the RDF source that states its focus
    node, at the first line that names it (the gate itself when no source does)."""
    out = []
    for v in violations:
        focus = v[1 : v.index(">")] if v.startswith("<") and ">" in v else None
        problem = Problem("SHACL gate", None, v)
        for s in sources:
            if focus is not None and s.rdf is not None and (URIRef(focus), None, None) in s.rdf:
                problem = Problem(s.display, _first_line(s.path, focus), f"{v} (SHACL gate)")
                break
        out.append(problem)
    return out


def _first_line(path: Path, iri: str) -> int | None:
    """The first line of `path` that names `iri` in full or by its last segment."""
    local = iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for number, text in enumerate(lines, 1):
        if iri in text or re.search(rf"[:/#]{re.escape(local)}\b", text):
            return number
    return None


def _invalid_entities(
    sources: list[SourceFile], valid: dict[str, list[ValidRecord]]
) -> dict[str, str]:
    """Id, name and aliases of every entity record that failed validation -> where it is."""
    kept = {getattr(r.model, "id", None) for rs in valid.values() for r in rs}
    out: dict[str, str] = {}
    for s in sources:
        for raw in s.records:
            ident = raw.data.get("id")
            if isinstance(ident, str) and ident not in kept:
                where = f"{raw.file or s.display}:{raw.line}"
                names = [ident, raw.data.get("name"), *(raw.data.get("aliases") or [])]
                out.update({n: where for n in names if isinstance(n, str)})
    return out


def _follow_on(
    problems: list[Problem], broken: dict[str, str], unreadable: list[str]
) -> list[Problem]:
    """Reference problems caused by another one, marked and said so: the entity's own record is
    invalid, or it may be in a file that could not be read."""
    out = []
    for p in problems:
        if UNKNOWN_REF not in p.message:
            out.append(p)
        elif isinstance(p.value, str) and p.value in broken:
            why = f" (its record at {broken[p.value]} is invalid: see that problem first)"
            out.append(replace(p, message=p.message + why, follow_on=True))
        elif unreadable:
            why = (
                f" (it may be in {', '.join(unreadable)}, which could not be read: fix that first)"
            )
            out.append(replace(p, message=p.message + why, follow_on=True))
        else:
            out.append(p)
    return out


def _refuse_invalid(sources: list[SourceFile], report: IngestReport, t0: float) -> None:
    """Raise InvalidInputError with every problem of every source, if there is one: the
    problems that cause others first, the follow-on ones after them."""
    problems = [p for s in sources for p in s.problems]
    problems.sort(key=lambda p: p.follow_on)
    if not problems:
        return
    report.problems = problems
    for r, s in zip(report.sources, sources, strict=True):
        r.outcome = "invalid" if s.problems else "valid"
    report.seconds = time.perf_counter() - t0
    raise InvalidInputError(problems, report)
