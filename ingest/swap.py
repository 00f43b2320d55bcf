"""The swap: each candidate graph in canonical N-Triples, its content hash, what changed against
the store, and one transaction that writes the changed graphs with the PROV record of the run."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from stackgraph.graph.namespace import META_GRAPH, SG
from stackgraph.graph.store import GraphWrite, Store
from stackgraph.ingest.provenance import run_iri, run_record
from stackgraph.ingest.readers import SourceFile
from stackgraph.ingest.report import SourceReport
from stackgraph.ingest.triples import Candidate, Spooled
from stackgraph.schema._spec import load

__all__ = ["canonical", "canonical_lines", "plan", "spool", "stored_hashes", "swap"]

_DOUBLE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")


def _term(term: Any) -> str:
    # Stores may respell a double ("1500.0" read back as "1500"): compare values, not spellings.
    if isinstance(term, ox.Literal) and term.datatype == _DOUBLE:
        return str(ox.Literal(repr(float(term.value)), datatype=_DOUBLE))
    return str(term)


def canonical(ntriples: str) -> list[str]:
    """N-Triples lines in one canonical spelling, sorted and without duplicates, whatever wrote them.

    Examples:
        >>> canonical('''
        ... <http://x/b> <http://x/p> "1500"^^<http://www.w3.org/2001/XMLSchema#double> .
        ... <http://x/a> <http://x/p>   "a" .
        ... ''')
        ['<http://x/a> <http://x/p> "a" .', '<http://x/b> <http://x/p> "1500.0"^^<http://www.w3.org/2001/XMLSchema#double> .']
    """
    if not ntriples.strip():
        return []
    quads = ox.parse(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return canonical_lines(q.triple for q in quads)


def canonical_lines(triples: Iterable[ox.Triple], *, ours: bool = False) -> list[str]:
    """Triples as canonical N-Triples lines, sorted and without duplicates (see ``canonical``);
    ``ours``: written by ``stackgraph.ingest.triples.to_triples``, whose doubles are spelled canonically
    already (no term needs respelling, which saves a check per triple at scale)."""
    if ours:
        return sorted({f"{t.subject} {t.predicate} {t.object} ." for t in triples})
    return sorted({f"{t.subject} {t.predicate} {_term(t.object)} ." for t in triples})


def stored_hashes(store: Store) -> dict[str, str]:
    """The content hash the metadata graph records for each named graph."""
    rows = store.select(
        f"SELECT ?g ?h WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{SG.contentHash}> ?h }} }}"
    )
    return {str(g): str(h) for g, h in rows}


def _has_bnodes(lines: list[str]) -> bool:
    return any(line.startswith("_:") or " _:" in line for line in lines)


def _content_hash(lines: list[str], input_hash: str) -> str:
    """The schema version and the hash of the canonical lines (of the input, with blank nodes)."""
    # Blank node labels change from parse to parse: the input's own hash is the stable one.
    digest = (
        input_hash if _has_bnodes(lines) else hashlib.sha256("\n".join(lines).encode()).hexdigest()
    )
    return f"{load().version}:{digest}"


def plan(
    reports: list[SourceReport],
    sources: list[SourceFile],
    candidates: dict[str, Candidate],
    store: Store,
    seconds: dict[str, float],
) -> tuple[list[GraphWrite], dict[str, str]]:
    """The graphs to write, those whose content hash differs from the stored one.

    Fills each report's triple count and outcome (``changed`` with the triples added and removed,
    or ``unchanged``) and adds the time spent to the seconds already spent on its source.

    Args:
        reports: one report per source, in the order of `sources`.
        sources: the sources of the run (RDF sources keep every triple as parsed).
        candidates: the new content of each named graph (taken out as each is planned).
        store: the store the run writes to.
        seconds: the seconds spent on each source so far, by its display name.

    Returns:
        The writes, and the content hash of every graph of the run.
    """
    stored = stored_hashes(store)
    writes: list[GraphWrite] = []
    hashes: dict[str, str] = {}
    for r, source in zip(reports, sources, strict=True):
        t = time.perf_counter()
        candidate = None if source.triples is not None else candidates.pop(r.graph)
        if isinstance(candidate, Spooled):
            hashes[r.graph], r.triples = candidate.digest, candidate.triples
            lines: list[str] | None = None  # read from its file only for a patch
        else:
            if candidate is None:
                lines = canonical_lines(source.triples or [])
            elif isinstance(candidate, Graph):  # its lines replace it: free it as we go
                lines = canonical(candidate.serialize(format="nt"))
            else:
                lines = canonical_lines(candidate, ours=True)
            hashes[r.graph], r.triples = _content_hash(lines, source.input_hash), len(lines)
        if stored.get(r.graph) == hashes[r.graph]:
            r.outcome = "unchanged"
        else:
            r.outcome = "changed"
            held = canonical(store.graph_ntriples(r.graph))
            if isinstance(candidate, Spooled) and not held:  # loaded from its file as it is
                r.added, r.removed = candidate.triples, 0
                writes.append(GraphWrite(r.graph, "", "", candidate.path, candidate.triples))
            else:
                if isinstance(candidate, Spooled):
                    lines = candidate.path.read_text(encoding="utf-8").splitlines()
                writes.append(_write(r, lines or [], held))
        r.seconds = seconds[source.display] + time.perf_counter() - t
    return writes, hashes


def spool(
    triples: list[ox.Triple], path: Path, input_hash: str, entities: list[tuple[str, URIRef]]
) -> Spooled:
    """Write a source's triples to `path` as canonical N-Triples lines; what is kept of them.

    Examples:
        >>> import tempfile
        >>> t = ox.Triple(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("a"))
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     kept = spool([t, t], Path(tmp, "a.nt"), "", [])
        ...     print(kept.triples, Path(tmp, "a.nt").read_text(), end="")
        1 <http://x/a> <http://x/p> "a" .
    """
    lines = canonical_lines(triples, ours=True)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines)
    return Spooled(path, len(lines), _content_hash(lines, input_hash), entities)


def _write(report: SourceReport, lines: list[str], stored: list[str]) -> GraphWrite:
    """The write that turns the `stored` lines of a graph into `lines`, its counts on `report`:
    all of them for a new graph, a patch (a few changed rows of a large source write only those
    triples), or the whole content where blank nodes make a patch impossible."""
    if not stored:
        report.added, report.removed = len(lines), 0
        return GraphWrite(report.graph, "\n".join(lines), removed="")
    old, new = set(stored), set(lines)
    report.added, report.removed = len(new - old), len(old - new)
    if _has_bnodes(stored) or _has_bnodes(lines):
        return GraphWrite(report.graph, "\n".join(lines))
    return GraphWrite(
        report.graph, "\n".join(sorted(new - old)), removed="\n".join(sorted(old - new))
    )


def swap(
    store: Store,
    writes: list[GraphWrite],
    *,
    started: str,
    reports: list[SourceReport],
    sources: list[SourceFile],
    hashes: dict[str, str],
    say: Callable[[str], None],
    keys: dict[str, str] | None = None,
) -> str:
    """Write the changed graphs and the run's PROV record in one transaction; returns the run IRI.

    A failed or killed write leaves every graph and its metadata as they were.
    """
    run = run_iri(started)
    inputs = {r.graph: s.input_hash for r, s in zip(reports, sources, strict=True)}
    titles = {r.graph: s.title for r, s in zip(reports, sources, strict=True)}
    say(f"writing {len(writes)} graph(s) at once")
    store.replace_graphs(
        writes,
        meta=run_record(run, started, reports, hashes, inputs, titles, keys),
        meta_drop=[w.graph for w in writes],
    )
    return str(run)
