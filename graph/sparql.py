"""`SparqlStore`: a SPARQL 1.1 server reached over HTTP, and where its endpoints are.

A ``sparql:URL`` spec names the server one of three ways (`endpoints`):

- a base URL: queries go to ``URL/query``, updates to ``URL/update`` and graph reads to the
  graph store protocol at ``URL/store`` (``oxigraph serve``);
- an endpoint whose path ends in ``/sparql``: queries and updates both go there, and a graph is
  read by a ``SELECT`` (Virtuoso, Neptune);
- a query endpoint with ``?update=...`` (and optionally ``&store=...``), each resolved against
  it: ``sparql:http://host:7200/repositories/sg?update=sg/statements`` (GraphDB).

The server is tested against ``oxigraph serve`` and Virtuoso Open Source 7. Where Virtuoso
departs from SPARQL 1.1 (it says it is Virtuoso in its ``Server`` header), this module bends,
and says so where it does; callers see one store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from stackgraph.graph._store import XSD, GraphWrite, Store, Value, python_value, write_operations
from stackgraph.graph.errors import StoreError, StoreSpecError, StoreUnavailableError

__all__ = ["Endpoints", "SparqlStore", "endpoints"]

_RESULTS = "application/sparql-results+json"
_PROLOGUE = re.compile(r"^\s*((?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*)", re.I)
_QUERY_FORM = re.compile(
    r"^(?:\s|#[^\n]*\n)*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s+<[^>]*>)(?:\s|#[^\n]*\n)*)*"
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.I,
)
_SERVICE = "http://www.w3.org/ns/sparql-service-description#Service"
_VIRTUOSO_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#")


@dataclass(frozen=True)
class Endpoints:
    """Where a SPARQL server takes queries, updates and graph store requests (`store` is None
    where graphs are read by a query)."""

    query: str
    update: str
    store: str | None


def endpoints(url: str) -> Endpoints:
    """The endpoints of the server a ``sparql:`` spec names (see the module's docstring).

    Examples:
        >>> endpoints("http://127.0.0.1:7878").update
        'http://127.0.0.1:7878/update'
        >>> endpoints("http://127.0.0.1:8890/sparql")
        Endpoints(query='http://127.0.0.1:8890/sparql', update='http://127.0.0.1:8890/sparql', store=None)
        >>> endpoints("http://h:7200/repositories/sg?update=sg/statements").update
        'http://h:7200/repositories/sg/statements'

    Raises:
        StoreSpecError: a ``store=`` without ``update=``, or an option given twice.
    """
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    options = {k: v for k, v in pairs if k in ("update", "store")}
    if len(options) != sum(k in ("update", "store") for k, _ in pairs):
        raise StoreSpecError(f"sparql:{url} names an endpoint twice; give update= and store= once")
    rest = urlencode([(k, v) for k, v in pairs if k not in options])
    query = urlunsplit(parts._replace(query=rest)).rstrip("/")
    if options:
        if "update" not in options:
            raise StoreSpecError(
                f"sparql:{url} gives store= without update=; expected QUERY_URL?update=URL"
            )
        store = options.get("store")
        return Endpoints(query, urljoin(query, options["update"]), store and urljoin(query, store))
    if parts.path.rstrip("/").endswith("/sparql"):
        return Endpoints(query, query, None)
    return Endpoints(f"{query}/query", f"{query}/update", f"{query}/store")


class SparqlStore(Store):
    """A SPARQL 1.1 server reached over HTTP (query and update protocols; the graph store
    protocol where the server has one)."""

    #: Virtuoso compiles each ``INSERT DATA``/``DELETE DATA`` into SQL and refuses one past its
    #: parser's stack (about 5,000 triples) or 10,000 lines of generated SQL ("SP031"), which
    #: long literals reach with fewer triples: data goes in operations of this many triples.
    virtuoso_triples_per_operation = 500
    #: Virtuoso refuses a request text over 10 MB ("string session is longer than 10Mb").
    virtuoso_request_bytes = 8_000_000

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.spec = f"sparql:{self.url}"
        self.endpoints = endpoints(url)
        self._client = httpx.Client(timeout=timeout)
        self._server: str | None = None

    # ------------------------------------------------------------------ HTTP

    def _request(self, method: str, url: str, accept: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, url, headers={"Accept": accept}, **kwargs)
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {url}: {exc}") from exc
        self._server = response.headers.get("server", "")
        if response.status_code >= 500:
            raise StoreUnavailableError(
                f"{url} answered {response.status_code}: {response.text[:500]}"
            )
        if response.status_code >= 400 and response.status_code != 404:
            raise StoreError(f"{url} refused the request: {response.text[:500]}")
        return response

    def _query(self, query: str) -> httpx.Response:
        # An endpoint that takes updates as well (Virtuoso's /sparql runs an update sent as a
        # query) must not get one from a read: a query starts with a query form.
        if self.endpoints.query == self.endpoints.update and not _QUERY_FORM.match(query):
            raise StoreError(
                f"not a query (expected SELECT, ASK, CONSTRUCT or DESCRIBE): {query[:200]!r}"
            )
        response = self._request("POST", self.endpoints.query, _RESULTS, data={"query": query})
        if response.status_code == 404:
            raise StoreError(f"{self.endpoints.query} is not a SPARQL query endpoint (404)")
        return response

    @property
    def virtuoso(self) -> bool:
        """Whether the server is Virtuoso (asked once, by the ``Server`` header it answers with)."""
        if self._server is None:
            self._query("ASK {}")
        return bool(self._server and self._server.startswith("Virtuoso/"))

    # ------------------------------------------------------------------ reads

    def _bindings(self, query: str) -> tuple[list[str], list[dict[str, Any]]]:
        response = self._query(query)
        body = response.json()
        if "results" not in body:
            raise StoreError("expected a SELECT query")
        names: list[str] = body["head"]["vars"]
        bindings: list[dict[str, Any]] = body["results"]["bindings"]
        # Virtuoso cuts every answer at its ResultSetMaxRows (10,000 by default) and says so
        # only in this header: read such an answer again, a page of that size at a time.
        cap = response.headers.get("x-sparql-maxrows")
        if cap and cap.isdigit() and len(bindings) >= int(cap) > 0:
            bindings = self._pages(query, names, int(cap))
        return names, bindings

    def _pages(self, query: str, names: list[str], size: int) -> list[dict[str, Any]]:
        """Every row of `query`, `size` at a time: the query as a subquery, ordered by all of
        its variables so that the pages neither overlap nor miss a row."""
        end = m.end() if (m := _PROLOGUE.match(query)) else 0
        prologue, body = query[:end], query[end:]
        order = " ".join(f"?{n}" for n in names)
        rows: list[dict[str, Any]] = []
        while True:
            offset = len(rows)
            page = (
                f"{prologue}SELECT * WHERE {{ {{ SELECT * WHERE {{ {{ {body} }} }}"
                f" ORDER BY {order} }} }} LIMIT {size} OFFSET {offset}"
            )
            found = self._query(page).json()["results"]["bindings"]
            rows.extend(found)
            if len(found) < size:
                return rows

    def select_table(self, query: str) -> tuple[list[str], list[tuple[Value, ...]]]:
        names, bindings = self._bindings(query)
        rows = [tuple(_value(b.get(n)) for n in names) for b in bindings]
        return names, rows

    def ask(self, query: str) -> bool:
        return bool(self._query(query).json()["boolean"])

    def _own_graphs(self) -> str:
        """A filter on ``?g`` that leaves out the graphs Virtuoso keeps for itself (its RDF
        views, the LDP vocabulary and its service description), none where the server is
        another."""
        if not self.virtuoso:
            return ""
        listed = ", ".join(f"<{g}>" for g in _VIRTUOSO_GRAPHS)
        return (
            f" FILTER(?g NOT IN ({listed}))"
            f" FILTER NOT EXISTS {{ GRAPH ?g {{ ?service a <{_SERVICE}> }} }}"
        )

    def named_graphs(self) -> list[str]:
        rows = self.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}{self._own_graphs()} }}"
            " ORDER BY ?g"
        )
        return [str(r[0]) for r in rows]

    def triple_count(self, graph: str | None = None) -> int:
        if graph:
            where = f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        else:
            where = f"GRAPH ?g {{ ?s ?p ?o }}{self._own_graphs()}"
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(rows[0][0] or 0)

    def graph_ntriples(self, graph: str) -> str:
        # Virtuoso's graph store protocol cuts a graph at ResultSetMaxRows too, with no word
        # of it: read it by a (paged) query.
        if self.endpoints.store is None or self.virtuoso:
            _, rows = self._bindings(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            return "".join(f"{_nt(r['s'])} {_nt(r['p'])} {_nt(r['o'])} .\n" for r in rows)
        response = self._request(
            "GET", self.endpoints.store, "application/n-triples", params={"graph": graph}
        )
        return "" if response.status_code == 404 else response.text

    def dump_nquads(self) -> str:
        lines = []
        for graph in self.named_graphs():
            for line in self.graph_ntriples(graph).splitlines():
                if line.strip():
                    lines.append(f"{line.rstrip().removesuffix('.').rstrip()} <{graph}> .")
        return "\n".join(lines) + ("\n" if lines else "")

    # ------------------------------------------------------------------ writes

    def update(self, update: str) -> None:
        self._post_update(update)

    def _post_update(self, update: str) -> None:
        response = self._request("POST", self.endpoints.update, "*/*", data={"update": update})
        if response.status_code == 404:
            raise StoreError(f"{self.endpoints.update} is not a SPARQL update endpoint (404)")

    def replace_graphs(
        self, writes: Iterable[GraphWrite], meta: str = "", meta_drop: Iterable[str] = ()
    ) -> None:
        if not self.virtuoso:
            super().replace_graphs(writes, meta, meta_drop)
            return
        # Virtuoso refuses a blank node in INSERT DATA ("not allowed in a constant clause").
        operations = write_operations(
            writes,
            meta,
            meta_drop,
            per_operation=self.virtuoso_triples_per_operation,
            blank_nodes_in_template=True,
        )
        # Virtuoso runs one request as one transaction (an abort takes back all of it), but
        # refuses one over 10 MB. A larger write goes in several requests, in order: the
        # metadata of the graphs it changes is deleted in the first and written in the last,
        # so a write that stops between them leaves those graphs without a content hash and
        # the next ingest compares them with the source and completes them.
        for request in _requests(operations, self.virtuoso_request_bytes):
            self._post_update(request)

    def close(self) -> None:
        self._client.close()


def _requests(operations: list[str], limit: int) -> list[str]:
    """`operations` joined into update requests of at most `limit` bytes each (an operation
    longer than that goes alone)."""
    requests: list[str] = []
    current: list[str] = []
    size = 0
    for op in operations:
        n = len(op.encode("utf-8")) + 3
        if current and size + n > limit:
            requests.append(" ;\n".join(current))
            current, size = [], 0
        current.append(op)
        size += n
    if current:
        requests.append(" ;\n".join(current))
    return requests


def _value(term: Mapping[str, str] | None) -> Value:
    """A term of a SPARQL JSON result as a plain Python value."""
    if term is None:
        return None
    if term["type"] == "bnode":
        return "_:" + term["value"]
    kind = "literal" if term["type"] in ("literal", "typed-literal") else "uri"
    return python_value(kind, term["value"], term.get("datatype"))


def _nt(term: Mapping[str, str]) -> str:
    """A term of a SPARQL JSON result in N-Triples, in Oxigraph's spelling."""
    value, kind = term["value"], term["type"]
    if kind == "uri":
        return str(ox.NamedNode(value))
    if kind == "bnode":
        # Labels are the server's own ("nodeID://b1" on Virtuoso): any stable valid label does.
        return str(ox.BlankNode("b" + value.encode("utf-8").hex()))
    if term.get("xml:lang"):
        return str(ox.Literal(value, language=term["xml:lang"]))
    datatype = term.get("datatype")
    if not datatype:
        return str(ox.Literal(value))
    if datatype == XSD + "boolean":
        # Virtuoso answers a boolean as 1 or 0.
        value = {"1": "true", "0": "false"}.get(value, value)
    return str(ox.Literal(value, datatype=ox.NamedNode(datatype)))
