"""One interface over three RDF stores: in memory, Oxigraph on disk (the default) and SPARQL.

A store spec picks one:

- ``memory:``            a pyoxigraph store in memory (tests, notebooks);
- ``oxigraph:PATH``      the embedded Oxigraph store in the folder PATH (created when missing);
- ``sparql:URL``         a SPARQL 1.1 server whose query, update and graph store endpoints are
                         ``URL/query``, ``URL/update`` and ``URL/store`` (``oxigraph serve``).

Writes replace named graphs or patch them (triples out, triples in), and every write is
all-or-nothing: one SPARQL update request, which Oxigraph and a SPARQL 1.1 server apply as one
transaction; for the embedded store, a write that only adds is one transactional ``Store.load``
of N-Quads (no SPARQL text to parse), and a large write goes through a shadow copy swapped in by
one rename (``graph.shadow``). A reader sees the graphs before or after a write, never in
between, and a process killed mid-write leaves the previous graphs intact.
"""

from __future__ import annotations

import datetime
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from graph import shadow
from graph.errors import (
    StoreBusyError,
    StoreDamagedError,
    StoreError,
    StoreSpecError,
    StoreUnavailableError,
)
from graph.namespace import META_GRAPH

__all__ = ["GraphWrite", "OxigraphStore", "SparqlStore", "Store", "open_store"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INT_TYPES = {_XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger")}
_FLOAT_TYPES = {_XSD + t for t in ("double", "float", "decimal")}
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


def _deletions(writes: Iterable[GraphWrite], meta_drop: Iterable[str]) -> list[str]:
    """The SPARQL updates that take out what `writes` replace or remove, and the metadata of
    the subjects `meta_drop`, before anything is added."""
    parts = [f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{s}> ?p ?o }} }}" for s in meta_drop]
    for w in writes:
        if w.removed is None:
            parts.append(f"DROP SILENT GRAPH <{w.graph}>")
        elif w.removed.strip():
            parts.append(f"DELETE DATA {{ GRAPH <{w.graph}> {{\n{w.removed}\n}} }}")
    return parts


def _python(kind: str, value: str, datatype: str | None) -> Value:
    """A SPARQL result term as a plain Python value: IRIs and strings as text, numbers as numbers."""
    if kind != "literal" or not datatype:
        return value
    if datatype in _INT_TYPES:
        return int(value)
    if datatype in _FLOAT_TYPES:
        return float(value)
    if datatype == _XSD + "boolean":
        return value in ("true", "1")
    return value


def _ox_python(term: Any) -> Value:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return _python("literal", term.value, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term.value)


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
        writes = list(writes)
        parts = _deletions(writes, meta_drop)
        for w in writes:
            if w.ntriples.strip():
                parts.append(f"INSERT DATA {{ GRAPH <{w.graph}> {{\n{w.ntriples}\n}} }}")
        if meta.strip():
            parts.append(f"INSERT DATA {{ GRAPH <{META_GRAPH}> {{\n{meta}\n}} }}")
        if parts:
            self.update(" ;\n".join(parts))


class OxigraphStore(Store):
    """The embedded Oxigraph store, on disk or in memory."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.spec = f"oxigraph:{path}" if path else "memory:"
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                if not path.exists():
                    raise StoreUnavailableError(
                        f"there is no store at {path}; run `stackgraph ingest` first"
                    )
                self._store = ox.Store.read_only(str(path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except RuntimeError as exc:
            if "corruption" not in str(exc).lower():
                raise
            raise StoreDamagedError(
                f"the store {path} is damaged ({str(exc)[:300]}); restore a backup or ingest"
                " into a new store"
            ) from exc
        except OSError as exc:
            text = str(exc)
            if "lock" in text.lower() or "resource temporarily unavailable" in text.lower():
                raise StoreBusyError(
                    f"the store {path} is open in another process ({text}); retry later"
                ) from exc
            raise StoreUnavailableError(f"cannot open the store {path}: {text}") from exc

    def select_table(self, query: str) -> tuple[list[str], list[tuple[Value, ...]]]:
        try:
            result = self._store.query(query)
        except SyntaxError as exc:
            raise StoreError(f"not a valid SPARQL query: {exc}") from exc
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("expected a SELECT query")
        names = [v.value for v in result.variables]
        # A solution iterates its terms in the order of the variables (None where unbound).
        return names, [tuple(map(_ox_python, sol)) for sol in result]

    def ask(self, query: str) -> bool:
        return bool(self._store.query(query))

    #: Above this many added triples, a store on disk writes through a shadow copy
    #: (``graph.shadow``): bounded memory instead of one transaction held in memory.
    shadow_above = 100_000

    def replace_graphs(
        self, writes: Iterable[GraphWrite], meta: str = "", meta_drop: Iterable[str] = ()
    ) -> None:
        writes, meta_drop = list(writes), list(meta_drop)
        added = sum(w.ntriples.count("\n") + 1 for w in writes if w.ntriples)
        if (
            added > self.shadow_above
            and self.path is not None
            and not self.read_only
            and shadow.available(self.path.parent)
        ):
            self._shadow_write(writes, meta, meta_drop)
            return
        if not all(self._adds_only(w) for w in writes) or self._holds_meta(meta_drop):
            super().replace_graphs(writes, meta, meta_drop)
            return
        # Only additions: one transactional load of N-Quads, parsed by Oxigraph, no SPARQL.
        text = "".join(
            _as_nquads(w.ntriples, w.graph) for w in [*writes, GraphWrite(META_GRAPH, meta)]
        )
        try:
            self._store.load(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        except OSError as exc:
            raise StoreUnavailableError(f"write to {self.spec} failed: {exc}") from exc

    def _shadow_write(self, writes: list[GraphWrite], meta: str, meta_drop: list[str]) -> None:
        assert self.path is not None
        updates = _deletions(writes, meta_drop)
        chunks = (_as_nquads(w.ntriples, w.graph) for w in [*writes, GraphWrite(META_GRAPH, meta)])
        try:
            built = shadow.build(self._store, self.path, updates, chunks)
            self._store = None  # type: ignore[assignment]  # closes the store before the swap
            try:
                shadow.swap_in(built, self.path)
            finally:
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreUnavailableError(f"write to {self.spec} failed: {exc}") from exc

    def _adds_only(self, write: GraphWrite) -> bool:
        """Whether `write` takes nothing out: a patch that removes nothing, or the content of
        a graph the store lacks."""
        if write.removed is None:
            return not self._store.contains_named_graph(ox.NamedNode(write.graph))
        return not write.removed.strip()

    def _holds_meta(self, subjects: list[str]) -> bool:
        if not subjects:
            return False
        values = " ".join(f"<{s}>" for s in subjects)
        return self.ask(f"ASK {{ GRAPH <{META_GRAPH}> {{ VALUES ?s {{ {values} }} ?s ?p ?o }} }}")

    def update(self, update: str) -> None:
        try:
            self._store.update(update)
        except OSError as exc:
            raise StoreUnavailableError(f"write to {self.spec} failed: {exc}") from exc

    def graph_ntriples(self, graph: str) -> str:
        data = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        return data.decode("utf-8") if data else ""

    def dump_nquads(self) -> str:
        data = self._store.dump(format=ox.RdfFormat.N_QUADS)
        return data.decode("utf-8") if data else ""

    def quads(self, graph: str) -> Iterator[ox.Quad]:
        """Quads of one named graph, without a round trip through text."""
        return iter(self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def close(self) -> None:
        if self.path is not None and not self.read_only and getattr(self, "_store", None):
            self._store.flush()
        self._store = None  # type: ignore[assignment]


class SparqlStore(Store):
    """A SPARQL 1.1 server reached over HTTP (query, update and graph store protocols)."""

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.spec = f"sparql:{self.url}"
        self._client = httpx.Client(timeout=timeout)

    def _post(self, path: str, data: Mapping[str, str], accept: str) -> httpx.Response:
        try:
            response = self._client.post(
                f"{self.url}/{path}", data=dict(data), headers={"Accept": accept}
            )
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {self.url}: {exc}") from exc
        if response.status_code >= 500:
            raise StoreUnavailableError(f"{self.url}/{path} answered {response.status_code}")
        if response.status_code >= 400:
            raise StoreError(f"{self.url}/{path} refused the request: {response.text[:500]}")
        return response

    def select_table(self, query: str) -> tuple[list[str], list[tuple[Value, ...]]]:
        body = self._post("query", {"query": query}, "application/sparql-results+json").json()
        if "results" not in body:
            raise StoreError("expected a SELECT query")
        names = body["head"]["vars"]
        rows = []
        for binding in body["results"]["bindings"]:
            row: list[Value] = []
            for n in names:
                term = binding.get(n)
                if term is None:
                    row.append(None)
                elif term["type"] == "bnode":
                    row.append("_:" + term["value"])
                else:
                    kind = "literal" if term["type"] in ("literal", "typed-literal") else "uri"
                    row.append(_python(kind, term["value"], term.get("datatype")))
            rows.append(tuple(row))
        return names, rows

    def ask(self, query: str) -> bool:
        body = self._post("query", {"query": query}, "application/sparql-results+json").json()
        return bool(body["boolean"])

    def update(self, update: str) -> None:
        self._post("update", {"update": update}, "*/*")

    def graph_ntriples(self, graph: str) -> str:
        try:
            response = self._client.get(
                f"{self.url}/store",
                params={"graph": graph},
                headers={"Accept": "application/n-triples"},
            )
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {self.url}: {exc}") from exc
        if response.status_code == 404:
            return ""
        response.raise_for_status()
        return response.text

    def dump_nquads(self) -> str:
        lines = []
        for graph in self.named_graphs():
            for line in self.graph_ntriples(graph).splitlines():
                if line.strip():
                    lines.append(f"{line.rstrip().removesuffix('.').rstrip()} <{graph}> .")
        return "\n".join(lines) + ("\n" if lines else "")

    def close(self) -> None:
        self._client.close()


def _as_nquads(ntriples: str, graph: str) -> str:
    """N-Triples lines (one triple each, as ``canonical`` writes them) as N-Quads in `graph`."""
    suffix = f" <{graph}> .\n"
    return "".join(
        line.rstrip().removesuffix(".").rstrip() + suffix
        for line in ntriples.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


def default_store_spec() -> str:
    """`STACKGRAPH_STORE`, else the embedded store under the checkout (or the user's data dir)."""
    env = os.environ.get("STACKGRAPH_STORE")
    if env:
        return env
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").exists():
        return f"oxigraph:{root / 'var' / 'store'}"
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return f"oxigraph:{base / 'stackgraph' / 'store'}"


_SPEC = re.compile(r"^(memory|oxigraph|sparql):(.*)$")


def open_store(spec: str | None = None, *, read_only: bool = False) -> Store:
    """Open the store a spec names (default: `default_store_spec()`).

    Raises:
        StoreSpecError: the spec is not one of the three forms.
        StoreBusyError: another process holds the on-disk store.
        StoreUnavailableError: the store cannot be opened or reached.
    """
    spec = spec or default_store_spec()
    match = _SPEC.match(spec)
    if not match:
        raise StoreSpecError(
            f"unknown store spec {spec!r}; expected memory:, oxigraph:PATH or sparql:URL"
        )
    kind, rest = match.groups()
    if kind == "memory":
        return OxigraphStore(None)
    if kind == "oxigraph":
        if not rest:
            raise StoreSpecError("oxigraph: needs a folder, for example oxigraph:var/store")
        return OxigraphStore(Path(rest).expanduser(), read_only=read_only)
    if not rest.startswith(("http://", "https://")):
        raise StoreSpecError(f"sparql: needs an http(s) URL, got {rest!r}")
    return SparqlStore(rest)


def lock_path(spec: str) -> Path:
    """Where the ingest lock of a store lives: beside an on-disk store, else in the temp dir."""
    match = _SPEC.match(spec)
    if match and match.group(1) == "oxigraph":
        path = Path(match.group(2)).expanduser().resolve()
        return path.parent / f".{path.name}.lock"
    import hashlib
    import tempfile

    digest = hashlib.sha256(spec.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"stackgraph-{digest}.lock"


def now() -> str:
    """The current UTC time as an xsd:dateTime lexical form."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
