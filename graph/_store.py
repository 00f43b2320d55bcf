"""The store interface: an RDF dataset of named graphs, its writes (`GraphWrite`) and the plain
Python values its queries answer with. The stores themselves are in ``stackgraph.graph.store`` (memory and
Oxigraph on disk) and ``stackgraph.graph.sparql`` (a SPARQL 1.1 server)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from stackgraph.graph.namespace import META_GRAPH

__all__ = [
    "XSD",
    "GraphWrite",
    "Store",
    "Value",
    "deletion_updates",
    "python_value",
    "write_operations",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
_INT_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger")}
_FLOAT_TYPES = {XSD + t for t in ("double", "float", "decimal")}
Value = str | int | float | bool | None


@dataclass(frozen=True)
class GraphWrite:
    """A change to one named graph.

    Without ``removed``, ``ntriples`` is the graph's new content (empty drops the graph). With
    ``removed``, the write is a patch: those triples go, ``ntriples`` come, the rest stays (a
    patch names no blank node, which SPARQL's ``DELETE DATA`` cannot match).
    """

    graph: str
    ntriples: str
    removed: str | None = None
    path: Path | None = None
    """The new content is this file of `triples` N-Triples lines instead (a large graph, that
    the embedded store's bulk loader reads from disk, not from memory)."""
    triples: int = 0

    def read(self) -> GraphWrite:
        """The same write with the content of its file as ``ntriples``."""
        text = self.ntriples if self.path is None else self.path.read_text(encoding="utf-8")
        return GraphWrite(self.graph, text, self.removed)


def deletion_updates(
    writes: Iterable[GraphWrite], meta_drop: Iterable[str], per_operation: int | None = None
) -> list[str]:
    """The SPARQL updates that take out what `writes` replace or remove, and the metadata of
    the subjects `meta_drop`, before anything is added (`per_operation`: at most that many
    triples in one ``DELETE DATA``)."""
    parts = [f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{s}> ?p ?o }} }}" for s in meta_drop]
    for w in writes:
        if w.removed is None:
            parts.append(f"DROP SILENT GRAPH <{w.graph}>")
        else:
            parts.extend(_data("DELETE", w.graph, w.removed, per_operation))
    return parts


def write_operations(
    writes: Iterable[GraphWrite],
    meta: str = "",
    meta_drop: Iterable[str] = (),
    per_operation: int | None = None,
    *,
    blank_nodes_in_template: bool = False,
) -> list[str]:
    """The SPARQL update operations of `Store.replace_graphs`, in order: every deletion, then
    the graphs' new triples, then the metadata.

    Args:
        writes: the graphs to replace or patch.
        meta: N-Triples for the metadata graph.
        meta_drop: subjects whose metadata goes first.
        per_operation: at most this many triples in one ``INSERT DATA`` or ``DELETE DATA``.
        blank_nodes_in_template: triples with a blank node go in one ``INSERT { } WHERE { }``
            per graph (for a server that refuses blank nodes in ``INSERT DATA``), unsplit so
            that a blank node stays one node.
    """
    writes = [w.read() for w in writes]
    parts = deletion_updates(writes, meta_drop, per_operation)
    for w in [*writes, GraphWrite(META_GRAPH, meta)]:
        text = w.ntriples
        if blank_nodes_in_template:
            held = [line.startswith("_:") or "> _:" in line for line in text.splitlines()]
            if any(held):
                lines = text.splitlines()
                text = "\n".join(x for x, h in zip(lines, held, strict=True) if not h)
                body = "\n".join(x for x, h in zip(lines, held, strict=True) if h)
                parts.append(f"INSERT {{ GRAPH <{w.graph}> {{\n{body}\n}} }} WHERE {{ }}")
        parts.extend(_data("INSERT", w.graph, text, per_operation))
    return parts


def _data(verb: str, graph: str, ntriples: str, per_operation: int | None) -> list[str]:
    """``INSERT DATA`` or ``DELETE DATA`` of the triples `ntriples` in `graph`, in operations of
    at most `per_operation` triples (N-Triples hold one triple a line)."""
    if not ntriples.strip():
        return []
    if per_operation is None:
        chunks = [ntriples]
    else:
        lines = [line for line in ntriples.splitlines() if line.strip()]
        chunks = [
            "\n".join(lines[i : i + per_operation]) for i in range(0, len(lines), per_operation)
        ]
    return [f"{verb} DATA {{ GRAPH <{graph}> {{\n{chunk}\n}} }}" for chunk in chunks]


def python_value(kind: str, value: str, datatype: str | None) -> Value:
    """A SPARQL result term as a plain Python value: IRIs and strings as text, numbers as numbers."""
    if kind != "literal" or not datatype:
        return value
    if datatype in _INT_TYPES:
        return int(value)
    if datatype in _FLOAT_TYPES:
        return float(value)
    if datatype == XSD + "boolean":
        return value in ("true", "1")  # Virtuoso answers 1 or 0
    return value


class Store(ABC):
    """An RDF dataset of named graphs that analyses read and ingest writes."""

    spec: str

    def select(self, query: str) -> list[tuple[Value, ...]]:
        """Run a SPARQL SELECT and return its rows as tuples of plain Python values."""
        return self.select_table(query)[1]

    @abstractmethod
    def select_table(self, query: str) -> tuple[list[str], list[tuple[Value, ...]]]:
        """Run a SPARQL SELECT: the variable names and the rows."""

    @abstractmethod
    def ask(self, query: str) -> bool:
        """Run a SPARQL ASK."""

    @abstractmethod
    def update(self, update: str) -> None:
        """Run a SPARQL update as one transaction."""

    @abstractmethod
    def graph_ntriples(self, graph: str) -> str:
        """The content of one named graph as N-Triples."""

    @abstractmethod
    def dump_nquads(self) -> str:
        """The whole dataset as N-Quads."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the store."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ shared on top

    def named_graphs(self) -> list[str]:
        """IRIs of the non-empty named graphs, sorted."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
        return [str(r[0]) for r in rows]

    def triple_count(self, graph: str | None = None) -> int:
        """Triples in one named graph, or in all of them."""
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(rows[0][0] or 0)

    def replace_graphs(
        self, writes: Iterable[GraphWrite], meta: str = "", meta_drop: Iterable[str] = ()
    ) -> None:
        """Replace or patch named graphs and their metadata, all in one transaction.

        Args:
            writes: graphs to replace (an empty content drops the graph) or to patch.
            meta: N-Triples to add to the metadata graph in the same transaction.
            meta_drop: subjects whose metadata triples are deleted first.
        """
        parts = write_operations(writes, meta, meta_drop)
        if parts:
            self.update(" ;\n".join(parts))
