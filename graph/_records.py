"""Records read property by property: one scan per property, joined in Python by record.

The projection once read each record type with one SPARQL query of OPTIONALs; Oxigraph answers
an OPTIONAL with one index lookup per row, dearer than reading the same triples by a scan. Here the
`rdf:type` triples of the record classes are read once (which records there are, in which
graph), then each property by one scan of its index (``?x <p> ?v``), kept in a `Column` keyed
by record, and the columns are joined by record in `Records.rows`.

The join answers what the SPARQL query answered, ``GRAPH ?g { ?x a C ; <core> ?v . OPTIONAL
{ ?x <p> ?w } ... }`` outside the metadata graph: one row per graph that types the record, per
combination of its values in that graph (a core property with none there gives no row, an
optional one gives None), with the record's provenance in that graph. A record that ingest
wrote has one graph and one value per property: it takes the fast path, one dict lookup per
column. Only the order of the rows of one record with several values is Python's here
(Oxigraph's before, which SPARQL leaves open).

While at most `PER_GRAPH_MAX` graphs hold records, each property is scanned graph by graph
(``GRAPH <g> { ... }``): one scan that names the graph of every triple takes a third longer
(each name is decoded again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import product

from stackgraph.graph.namespace import META_GRAPH, PROV, SG, slug_of
from stackgraph.graph.snapshot import Provenance
from stackgraph.graph.store import Store, Value
from stackgraph.graph.tiers import tier_of

__all__ = ["PER_GRAPH_MAX", "Column", "Records", "Row"]

PER_GRAPH_MAX = 64
"""Up to this many graphs with records, properties are scanned graph by graph; past it, by one
scan that names the graph of every triple."""

_PROVENANCE = (PROV.wasDerivedFrom, SG.asOf, SG.confidence, SG.estimated)

Row = tuple[str, str, tuple[Value, ...], Provenance]
"""A record's IRI, its class, its values (in the order of the columns asked) and provenance."""


class Column:
    """The values of one property, by record (a position in `Records`) and graph.

    A record's one value in its only graph is in `one`; every other case, all of the values of
    that record in that graph are in `more`.
    """

    __slots__ = ("more", "one")

    def __init__(self) -> None:
        self.one: dict[int, Value] = {}
        self.more: dict[tuple[int, str], list[Value]] = {}


class Records:
    """The records of some classes in the data graphs, numbered, with their graphs and
    provenance; `column` reads a property of them, `rows` joins columns by record.

    Args:
        store: The store to read (every named graph but the metadata graph).
        classes: The IRIs of the record classes.
        per_graph_max: Up to this many graphs with records, scan graph by graph; default
            `PER_GRAPH_MAX`.
    """

    def __init__(
        self, store: Store, classes: Sequence[str], per_graph_max: int | None = None
    ) -> None:
        self._store = store
        self.iris: list[str] = []
        self._index: dict[str, int] = {}
        self._class: list[str] = []
        self._home: list[str] = []
        self._of_class: dict[str, list[int]] = {c: [] for c in classes}
        # Records typed more than once (another class, another graph): every (class, graph).
        self._pairs: dict[int, list[tuple[str, str]]] = {}
        # Records whose rows need the general join (several graphs or values).
        self._irregular: set[int] = set()
        self._masks: dict[tuple[str, ...], bytearray] = {}
        self._slugs: dict[str, str] = {}
        types = " ".join(f"<{c}>" for c in classes)
        found = sorted(
            (str(g), str(t))
            for t, g in store.select(
                f"SELECT DISTINCT ?t ?g WHERE {{ GRAPH ?g {{ ?x a ?t }} VALUES ?t {{ {types} }}"
                f" FILTER(?g != <{META_GRAPH}>) }}"
            )
        )
        self._graphs = {g: g for g, _ in found}
        self._graphs_of: dict[str, list[str]] = {c: [] for c in classes}
        for g, t in found:
            self._graphs_of[t].append(self._graphs[g])
        # A blank node names no graph in a query: those stores are read by the other scan.
        most = PER_GRAPH_MAX if per_graph_max is None else per_graph_max
        self._per_graph = len(self._graphs) <= most and not any(
            g.startswith("_:") for g in self._graphs
        )
        for c in classes:
            for g, rows in self._scan("?x", f"?x a <{c}>", (c,)):
                for (x,) in rows:
                    self._add(str(x), c, g)
        self._provenance_columns = [self.column(p, classes) for p in _PROVENANCE]
        self._provenances: dict[tuple[str | None, str | None, str | None, bool, str], Provenance]
        self._provenances = {}
        self._provenance = [self._provenance_of(i, g) for i, g in enumerate(self._home)]
        for col in self._provenance_columns:
            # Kept only for the records that take the general join.
            col.one = {i: v for i, v in col.one.items() if i in self._irregular}

    # ------------------------------------------------------------------ reading

    def _scan(
        self, variables: str, pattern: str, classes: Sequence[str]
    ) -> Iterator[tuple[str, list[tuple[Value, ...]]]]:
        """The solutions of `pattern` in the graphs with records of `classes`, graph by graph."""
        if self._per_graph:
            for g in sorted({g for c in classes for g in self._graphs_of[c]}):
                yield (
                    g,
                    self._store.select(
                        f"SELECT {variables} WHERE {{ GRAPH <{g}> {{ {pattern} }} }}"
                    ),
                )
            return
        by_graph: dict[str, list[tuple[Value, ...]]] = {g: [] for g in self._graphs}
        for row in self._store.select(
            f"SELECT {variables} ?g WHERE {{ GRAPH ?g {{ {pattern} }} FILTER(?g != <{META_GRAPH}>) }}"
        ):
            rows = by_graph.get(str(row[-1]))
            if rows is not None:
                rows.append(row[:-1])
        yield from by_graph.items()

    def _add(self, x: str, c: str, g: str) -> None:
        i = self._index.get(x)
        if i is None:
            i = self._index[x] = len(self.iris)
            self.iris.append(x)
            self._class.append(c)
            self._home.append(g)
            self._of_class[c].append(i)
            return
        pairs = self._pairs.setdefault(i, [(self._class[i], self._home[i])])
        if all(pc != c for pc, _ in pairs):
            self._of_class[c].append(i)
        pairs.append((c, g))
        self._irregular.add(i)

    def column(
        self,
        prop: str,
        classes: Sequence[str],
        convert: Callable[[Value], Value] | None = None,
        where: str = "",
        among: Column | None = None,
    ) -> Column:
        """Read the property `prop` of the records of `classes`, by one scan.

        Args:
            prop: The property's IRI.
            classes: The classes of the records to read it of.
            convert: Applied to every value kept (it must not raise).
            where: A FILTER on the value ``?v``, in SPARQL.
            among: Read it only of the records with a value in this column.

        Returns:
            The values of the records, in the graphs that type them; the others are dropped.
        """
        col, index, home, pairs = Column(), self._index, self._home, self._pairs
        keep = self._mask(tuple(classes))
        if among is not None:
            keep = bytearray(len(keep))
            for k in (*among.one, *(k for k, _ in among.more)):
                keep[k] = 1
        for g, rows in self._scan("?x ?v", f"?x <{prop}> ?v {where}", classes):
            for x, v in rows:
                i = index.get(str(x))
                if i is None or not keep[i]:
                    continue
                if convert is not None:
                    v = convert(v)
                if i in pairs:
                    if any(pg == g for _, pg in pairs[i]):
                        col.more.setdefault((i, g), []).append(v)
                elif g != home[i]:
                    continue  # a triple beside the record, in a graph that does not type it
                elif i in self._irregular and (i, g) in col.more:
                    col.more[(i, g)].append(v)
                elif i in col.one:
                    col.more[(i, g)] = [col.one.pop(i), v]
                    self._irregular.add(i)
                else:
                    col.one[i] = v
        return col

    def _mask(self, classes: tuple[str, ...]) -> bytearray:
        """The records of `classes`, as one byte per record."""
        mask = self._masks.get(classes)
        if mask is None:
            mask = self._masks[classes] = bytearray(len(self.iris))
            for c in classes:
                for i in self._of_class[c]:
                    mask[i] = 1
        return mask

    def slug(self, value: Value) -> str:
        """`stackgraph.graph.namespace.slug_of` of a reference, each slug held once."""
        iri = str(value)
        s = self._slugs.get(iri)
        if s is None:
            s = self._slugs[iri] = slug_of(iri)
        return s

    # ------------------------------------------------------------------ joining

    def rows(
        self, classes: Sequence[str], core: Sequence[Column], optional: Sequence[Column] = ()
    ) -> Iterator[Row]:
        """The rows of the records of `classes`, sorted by IRI, with the values of the `core`
        columns (a record without one gives no row) and of the `optional` ones (None)."""
        wanted = sorted({i for c in classes for i in self._of_class[c]}, key=self.iris.__getitem__)
        columns = (*core, *optional)
        n = len(core)
        for i in wanted:
            if i in self._irregular:
                yield from self._joined(i, classes, core, optional)
                continue
            values = tuple(col.one.get(i) for col in columns)
            if all(v is not None for v in values[:n]):
                yield self.iris[i], self._class[i], values, self._provenance[i]

    def _joined(
        self, i: int, classes: Sequence[str], core: Sequence[Column], optional: Sequence[Column]
    ) -> Iterator[Row]:
        """The rows of a record with several graphs, classes or values: the product of its
        values in each graph that types it with one of `classes`."""
        for c, g in self._pairs.get(i, [(self._class[i], self._home[i])]):
            if c not in classes:
                continue
            # A core column without a value makes the product empty: no row.
            lists = [self._values(col, i, g) for col in core]
            lists += [self._values(col, i, g) or [None] for col in optional]
            for values in product(*lists):
                for p in self._provenances_of(i, g):
                    yield self.iris[i], c, values, p

    def _values(self, col: Column, i: int, g: str) -> list[Value]:
        more = col.more.get((i, g))
        if more is not None:
            return more
        return [col.one[i]] if i in col.one else []

    # ------------------------------------------------------------------ provenance

    def _provenances_of(self, i: int, g: str) -> list[Provenance]:
        cols = self._provenance_columns
        if i not in self._pairs and not any((i, g) in col.more for col in cols):
            return [self._provenance[i]]
        lists = [self._values(col, i, g) or [None] for col in cols]
        return [self._make_provenance(values, g) for values in product(*lists)]

    def _provenance_of(self, i: int, g: str) -> Provenance:
        return self._make_provenance([col.one.get(i) for col in self._provenance_columns], g)

    def _make_provenance(self, values: Sequence[Value], g: str) -> Provenance:
        """The provenance of source, as-of, confidence and estimated `values` in the graph `g`;
        one `Provenance` per distinct value, which the records of one page share."""
        src, asof, conf, est = values
        key = (
            None if src is None else str(src),
            None if asof is None else str(asof),
            None if conf is None else str(conf),
            bool(est),
            g,
        )
        p = self._provenances.get(key)
        if p is None:
            source = key[0]
            p = self._provenances[key] = Provenance(*key, tier=tier_of(source))
        return p
