"""One interface over three RDF stores: in memory, Oxigraph on disk (the default) and SPARQL.

A store spec picks one:

- ``memory:``            a pyoxigraph store in memory (tests, notebooks);
- ``oxigraph:PATH``      the embedded Oxigraph store in the folder PATH (created when missing);
- ``sparql:URL``         a SPARQL 1.1 server: ``URL/query``, ``URL/update`` and ``URL/store``
                         (``oxigraph serve``), one ``.../sparql`` endpoint (Virtuoso), or
                         ``QUERY_URL?update=URL`` (``stackgraph.graph.sparql``).

Writes replace named graphs or patch them (triples out, triples in), and every write is
all-or-nothing: one SPARQL update request, which Oxigraph and a SPARQL 1.1 server apply as one
transaction; for the embedded store, a write that only adds is one transactional ``Store.load``
of N-Quads (no SPARQL text to parse), and a large write goes through a shadow copy swapped in by
one rename (``stackgraph.graph.shadow``). A reader sees the graphs before or after a write, never in
between, and a process killed mid-write leaves the previous graphs intact (on Virtuoso, for a
write that fits one request of 8 MB; ``SparqlStore.replace_graphs`` says what a larger one does).
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from stackgraph.graph import shadow
from stackgraph.graph._store import GraphWrite, Store, Value, deletion_updates, python_value
from stackgraph.graph.errors import (
    StoreBusyError,
    StoreDamagedError,
    StoreError,
    StoreSpecError,
    StoreUnavailableError,
)
from stackgraph.graph.namespace import META_GRAPH
from stackgraph.graph.sparql import SparqlStore

__all__ = ["GraphWrite", "OxigraphStore", "SparqlStore", "Store", "Value", "open_store"]


def _ox_python(term: Any) -> Value:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return python_value("literal", term.value, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term.value)


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
    #: (``stackgraph.graph.shadow``): bounded memory instead of one transaction held in memory.
    shadow_above = 100_000

    def replace_graphs(
        self, writes: Iterable[GraphWrite], meta: str = "", meta_drop: Iterable[str] = ()
    ) -> None:
        writes, meta_drop = list(writes), list(meta_drop)
        added = sum(w.ntriples.count("\n") + 1 if w.ntriples else w.triples for w in writes)
        if (
            (added > self.shadow_above or any(w.path for w in writes))
            and self.path is not None
            and not self.read_only
            and shadow.available(self.path.parent)
        ):
            self._shadow_write(writes, meta, meta_drop)
            return
        writes = [w.read() for w in writes]
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
        updates = deletion_updates(writes, meta_drop)
        inline = [w for w in writes if w.path is None]
        files = [(w.path, w.graph) for w in writes if w.path is not None]
        chunks = (_as_nquads(w.ntriples, w.graph) for w in [*inline, GraphWrite(META_GRAPH, meta)])
        try:
            built = shadow.build(self._store, self.path, updates, chunks, files)
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
