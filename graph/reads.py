"""Reading every record of one shape from a store: one SPARQL query, or scans of its indexes.

The projection (`graph.projection`) reads records of a few shapes — a type, the predicates every
record of it has, those it may have — each with its provenance. Over SPARQL that is one query
with a left join per optional predicate; Oxigraph evaluates those joins record by record, which
grows faster than the data (at 100k synthetic items a snapshot took many minutes). The embedded
store is read instead by one index scan per predicate (``quads_for_pattern``), joined here on
(record, graph): linear in the quads read. Both give the same rows, which a test checks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.namespace import META_GRAPH, PROV, SG
from graph.store import OxigraphStore, Store, Value, _ox_python

__all__ = ["PROVENANCE", "Columns", "Shape", "read"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

PROVENANCE = (str(PROV.wasDerivedFrom), str(SG.asOf), str(SG.confidence), str(SG.estimated))
"""The predicates of a record's provenance: source, as-of, confidence, estimated."""

Row = tuple[Value, ...]


@dataclass(frozen=True)
class Shape:
    """The records to read: of one of `types`, with every `required` predicate, and the
    plain-literal values `fixed` (predicate, value); `optional` predicates may be missing."""

    types: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    typed: bool = False
    """Whether each row gives the record's type after the record."""


def read(
    store: Store, shape: Shape, *, scan: bool | None = None, columns: Columns | None = None
) -> list[Row]:
    """Every record of `shape` in the data graphs (not the metadata graph), sorted by record.

    Each row is ``(record, [type,] *required, *optional, source, as_of, confidence, estimated,
    graph)``, values as plain Python values (None where missing); a record in two graphs gives
    a row for each. `scan` chooses index scans (default: for the embedded store); `columns`
    keeps the scans of the provenance predicates for the next shapes of the same read.
    """
    if scan is None:
        scan = isinstance(store, OxigraphStore)
    rows = _scan(store, shape, columns or Columns()) if scan else _query(store, shape)
    rows.sort(key=lambda row: str(row[0]))
    return rows


def _query(store: Store, shape: Shape) -> list[Row]:
    names = [f"?v{i}" for i in range(len(shape.required) + len(shape.optional))]
    req, opt = names[: len(shape.required)], names[len(shape.required) :]
    types = " ".join(f"<{t}>" for t in shape.types)
    where = [f"?x a ?t . VALUES ?t {{ {types} }}"]
    where += [f"?x <{p}> {v} ." for p, v in zip(shape.required, req, strict=True)]
    where += [f'?x <{p}> "{value}" .' for p, value in shape.fixed]
    where += [f"OPTIONAL {{ ?x <{p}> {v} }}" for p, v in zip(shape.optional, opt, strict=True)]
    prov = ["?src", "?asof", "?conf", "?est"]
    where += [f"OPTIONAL {{ ?x <{p}> {v} }}" for p, v in zip(PROVENANCE, prov, strict=True)]
    head = ["?x", *(["?t"] if shape.typed else []), *names, *prov, "?g"]
    query = (
        f"SELECT {' '.join(head)} WHERE {{ GRAPH ?g {{ {' '.join(where)} }}"
        f" FILTER(?g != <{META_GRAPH}>) }}"
    )
    return store.select(query)


_Key = tuple[Any, Any]


class Columns:
    """The values of the provenance predicates by (record, graph), scanned once per read."""

    def __init__(self) -> None:
        self._columns: dict[str, dict[_Key, Any]] = {}

    def get(self, store: OxigraphStore, predicate: str) -> dict[_Key, Any]:
        if predicate not in self._columns:
            self._columns[predicate] = {
                (q.subject, q.graph_name): q.object for q in store.match(predicate)
            }
        return self._columns[predicate]


def _scan(store: Store, shape: Shape, cache: Columns) -> list[Row]:
    assert isinstance(store, OxigraphStore)
    meta = ox.NamedNode(str(META_GRAPH))
    found: dict[_Key, list[Any]] = defaultdict(list)  # (record, graph) -> types
    for t in shape.types:
        for q in store.match(predicate=_RDF_TYPE, obj=ox.NamedNode(t)):
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != meta:
                found[(q.subject, q.graph_name)].append(q.object)
    for p, value in shape.fixed:
        has = {(q.subject, q.graph_name) for q in store.match(predicate=p, obj=ox.Literal(value))}
        found = defaultdict(list, {k: v for k, v in found.items() if k in has})
    columns = []
    for p in (*shape.required, *shape.optional):
        column: dict[_Key, Any] = {}
        for q in store.match(predicate=p):
            key = (q.subject, q.graph_name)
            if key in found:
                column[key] = q.object
        columns.append(column)
    columns += [cache.get(store, p) for p in PROVENANCE]
    needed = columns[: len(shape.required)]
    rows: list[Row] = []
    for key, types in found.items():
        if not all(key in c for c in needed):
            continue
        values = tuple(_ox_python(c.get(key)) for c in columns)
        for t in types:  # as the query does: a row per type the record has
            head = (_ox_python(key[0]), *((_ox_python(t),) if shape.typed else ()))
            rows.append((*head, *values, _ox_python(key[1])))
    return rows
