"""One ingest run: read, validate, resolve, gate, and swap the changed named graphs in at once."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph

from graph.errors import StoreUnavailableError
from graph.namespace import graph_iri
from graph.store import Store, default_store_spec, now, open_store
from ingest.confidence import check_confidence
from ingest.entities import entity_index
from ingest.gate import check_candidates
from ingest.lock import lock
from ingest.problems import InvalidInputError, Problem, UsageError
from ingest.quantities import check_quantities, entity_kinds
from ingest.readers import SourceFile, discover, read_source, suffixes
from ingest.records import check_unique, resolve_refs, to_graph, validate_records
from ingest.report import IngestReport, SourceReport
from ingest.swap import plan, swap

__all__ = ["IngestOptions", "IngestReport", "SourceReport", "ingest"]


@dataclass(frozen=True)
class IngestOptions:
    """What one run does."""

    paths: list[Path]
    store: str | None = None
    dry_run: bool = False
    max_file_bytes: int = 64 * 2**20
    progress: bool = False


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
    """The steps of a run; each refuses the run (raising) before anything is written."""
    started = now()
    sources = _read(files, options)
    say(f"read {len(sources)} source file(s)")
    run_graphs = {str(graph_iri(s.name)) for s in sources}
    candidates, seconds = _resolve(sources, store, run_graphs)
    report = IngestReport(store=store.spec, outcome="invalid")
    report.sources = [SourceReport(s.display, str(graph_iri(s.name))) for s in sources]
    _refuse_invalid(sources, report, t0)
    say("validated records; running the SHACL gate")
    violations = check_candidates(candidates, store, run_graphs)
    if violations:
        report.seconds = time.perf_counter() - t0
        raise InvalidInputError([Problem("SHACL gate", None, v) for v in violations], report)
    writes, hashes = plan(report.sources, sources, candidates, store, seconds)
    if options.dry_run:
        report.outcome = "dry-run"
    elif writes:
        report.run = swap(
            store,
            writes,
            started=started,
            reports=report.sources,
            sources=sources,
            hashes=hashes,
            say=say,
        )
        report.outcome = "changed"
    else:
        report.outcome = "unchanged"
    report.seconds = time.perf_counter() - t0
    return report


def _progress(items: list[Path], enabled: bool) -> Any:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="reading", unit="file", file=sys.stderr, leave=False)


def _read(files: list[Path], options: IngestOptions) -> list[SourceFile]:
    """Read every source; two sources with the same name (one named graph) are a problem."""
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
    return sources


def _resolve(
    sources: list[SourceFile], store: Store, run_graphs: set[str]
) -> tuple[dict[str, Graph], dict[str, float]]:
    """Validate and resolve every record; the candidate graph of each source without problems.

    Returns:
        The candidate graph of each source by its named graph, and the seconds spent on each
        source by its display name.
    """
    valid = {s.display: validate_records(s) for s in sources}
    for s in sources:
        s.problems.extend(check_confidence(valid[s.display]))
    index = entity_index(sources, valid, store, run_graphs)
    kinds = entity_kinds(valid, store, run_graphs)
    candidates: dict[str, Graph] = {}
    seconds: dict[str, float] = {}
    minted: dict[str, str] = {}
    for source in sources:
        t = time.perf_counter()
        records = valid[source.display]
        resolved = []
        for record in records:
            refs, problems = resolve_refs(record, index)
            source.problems.extend(problems)
            source.problems.extend(check_quantities(record, refs, kinds))
            resolved.append(refs)
            if not problems and not record.cls.is_entity:
                check_unique(record, refs, minted)
        if source.rdf is not None:
            candidates[str(graph_iri(source.name))] = source.rdf
        elif not source.problems:
            candidates[str(graph_iri(source.name))] = to_graph(records, resolved)
        seconds[source.display] = time.perf_counter() - t
    return candidates, seconds


def _refuse_invalid(sources: list[SourceFile], report: IngestReport, t0: float) -> None:
    """Raise InvalidInputError with every problem of every source, if there is one."""
    problems = [p for s in sources for p in s.problems]
    if not problems:
        return
    report.problems = problems
    for r, s in zip(report.sources, sources, strict=True):
        r.outcome = "invalid" if s.problems else "valid"
    report.seconds = time.perf_counter() - t0
    raise InvalidInputError(problems, report)
