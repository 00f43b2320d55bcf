"""`RemoteKnowledgeGraph`: the same calls as `KnowledgeGraph`, answered by a running API server.

    >>> kg = KnowledgeGraph.connect("http://127.0.0.1:8000/graphql")   # doctest: +SKIP
    >>> kg.impact({"cowos-l": 0.0}).to_frame()                         # doctest: +SKIP

Results are the same `Table`s, with the same columns, as the local API's; the analyses run on
the server (and are cached there per graph version). Pages are fetched until complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import httpx
import networkx as nx

from graph import vocabulary
from graph.errors import StackgraphError, StoreUnavailableError, UnknownEntityError
from graph.knowledge import (
    IMPACT_COLUMNS,
    capacity_table,
    closure_table,
    impact_title,
    name_list,
    parse_shortages,
)
from graph.projection import EntityInfo
from graph.results import Table

__all__ = ["RemoteError", "RemoteKnowledgeGraph"]

_PROV = "iri sourceUrl asOf confidence estimated graph"
_ENTITY = "id iri name aliases types layer category"
_PAGE = 100
_BATCH = 20  # entities per request: under the server's alias limit
_RESTARTS = 5  # listings restarted when the graph changes between pages


class RemoteError(StackgraphError):
    """The server answered with an error; `code` is its `extensions.code`."""

    def __init__(self, message: str, code: str | None = None) -> None:
        self.code = code
        super().__init__(message)


def _prov(p: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "iri": p.get("iri"),
        "source": p.get("sourceUrl"),
        "as_of": p.get("asOf"),
        "confidence": p.get("confidence"),
        "estimated": bool(p.get("estimated")),
        "graph": p.get("graph"),
    }


class RemoteKnowledgeGraph:
    """A client of the GraphQL API with the Python API's calls."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
        page_size: int = _PAGE,
    ) -> None:
        """A client of the server at `url`; long listings are fetched `page_size` rows a request
        (at most the server's `MAX_PAGE_SIZE`)."""
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        self.url = url
        self.page_size = page_size
        self._client = httpx.Client(timeout=timeout, headers=dict(headers or {}))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteKnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = self._client.post(
                self.url, json={"query": query, "variables": dict(variables or {})}
            )
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach {self.url}: {exc}") from exc
        if response.status_code >= 500:
            raise StoreUnavailableError(f"{self.url} answered {response.status_code}")
        body = response.json()
        for error in body.get("errors") or []:
            ext = error.get("extensions") or {}
            if ext.get("code") == "NOT_FOUND":
                raise UnknownEntityError(
                    str(ext.get("id") or variables or ""), list(ext.get("suggestions") or [])
                )
            if ext.get("code") == "BAD_USER_INPUT":
                raise ValueError(error.get("message"))
            raise RemoteError(error.get("message", "error"), ext.get("code"))
        data: dict[str, Any] = body["data"]
        return data

    def _pages(
        self,
        query: str,
        variables: Mapping[str, Any],
        connection: Callable[[dict[str, Any]], dict[str, Any]],
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every answer of a paged query (`$a` is the cursor) until the last page or `limit` edges.

        A cursor belongs to one graph version; when an ingest lands between two pages the
        server refuses the next cursor (`STALE_CURSOR`) and the listing starts again, so the
        pages always come from one version.
        """
        for _ in range(_RESTARTS):
            answers: list[dict[str, Any]] = []
            after, seen = None, 0
            try:
                while True:
                    data = self._query(query, {**variables, "f": self.page_size, "a": after})
                    answers.append(data)
                    page = connection(data)
                    seen += len(page["edges"])
                    done = not page["pageInfo"]["hasNextPage"] or not page["edges"]
                    if done or (limit is not None and seen >= limit):
                        return answers
                    after = page["pageInfo"]["endCursor"]
            except RemoteError as exc:
                if exc.code != "STALE_CURSOR":
                    raise
        raise RemoteError(
            f"the graph changed {_RESTARTS} times while paging; try again later", "STALE_CURSOR"
        )

    # ------------------------------------------------------------------ lookup

    def resolve(self, ref: str) -> str:
        """The slug of an entity named by slug, IRI, name or alias."""
        return self.info(ref).id

    def info(self, ref: str) -> EntityInfo:
        """Name, types, layer and category of an entity."""
        data = self._query(f"query($id: ID!) {{ entity(id: $id) {{ {_ENTITY} }} }}", {"id": ref})
        e = data["entity"]
        if e is None:
            raise UnknownEntityError(ref, [])
        return EntityInfo(
            id=e["id"],
            iri=e["iri"],
            name=e["name"],
            types=tuple(e["types"]),
            layer=e["layer"],
            category=e["category"],
            aliases=tuple(e["aliases"]),
        )

    def search(
        self,
        text: str = "",
        *,
        types: Sequence[str] = (),
        layer: str | None = None,
        category: str | None = None,
        limit: int | None = 50,
    ) -> Table:
        """Entities whose id, name or alias matches `text`, best first."""
        vocabulary.check("layer", name_list(layer))
        vocabulary.check("category", name_list(category))
        answers = self._pages(
            "query($t: String!, $ty: [String!], $l: String, $c: String, $f: Int, $a: String) {"
            " search(text: $t, types: $ty, layer: $l, category: $c, first: $f, after: $a) {"
            f" totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {_ENTITY} }} }} }} }}",
            {"t": text, "ty": list(types) or None, "l": layer, "c": category},
            lambda data: data["search"],
            limit or None,
        )
        total = answers[-1]["search"]["totalCount"]
        rows = [
            {
                "id": n["id"],
                "name": n["name"],
                "types": n["types"],
                "layer": n["layer"],
                "category": n["category"],
                "aliases": n["aliases"],
            }
            for data in answers
            for n in (e["node"] for e in data["search"]["edges"])
        ]
        return Table(
            f"search {text!r}", rows[: limit or None], summary={"total": total}, kind="search"
        )

    def entity(self, ref: str) -> dict[str, Any]:
        """Everything known about one entity: attributes, claims, relations, provenance."""
        data = self._query(
            f"query($id: ID!) {{ entity(id: $id) {{ {_ENTITY} provenance {{ {_PROV} }}"
            f" attributes {{ name value }} claims {{ property value unit provenance {{ {_PROV} }} }}"
            f" requirements {{ id input {{ id }} quantity leadTimeDays provenance {{ {_PROV} }}"
            f"   sources {{ supplier {{ id }} share qualification leadTimeDays provenance {{ {_PROV} }} }} }}"
            f" sources {{ supplier {{ id }} consumer {{ id }} share qualification leadTimeDays provenance {{ {_PROV} }} }} }} }}",
            {"id": ref},
        )["entity"]
        if data is None:
            raise UnknownEntityError(ref, [])
        attributes: dict[str, Any] = {}
        for a in data["attributes"]:
            attributes.setdefault(a["name"], []).append(a["value"])
        return {
            "id": data["id"],
            "name": data["name"],
            "types": data["types"],
            "layer": data["layer"],
            "category": data["category"],
            "aliases": data["aliases"],
            "iri": data["iri"],
            "attributes": {k: v[0] if len(v) == 1 else v for k, v in attributes.items()},
            "provenance": _prov(data["provenance"]),
            "claims": [
                {
                    "property": c["property"],
                    "value": c["value"],
                    "unit": c["unit"],
                    "provenance": _prov(c["provenance"]),
                }
                for c in data["claims"]
            ],
            "requirements": [
                {
                    "id": r["id"],
                    "input": r["input"]["id"],
                    "quantity": r["quantity"],
                    "lead_time_days": r["leadTimeDays"],
                    "provenance": _prov(r["provenance"]),
                    "sources": [
                        {
                            "supplier": s["supplier"]["id"],
                            "share": s["share"],
                            "qualification": s["qualification"],
                            "lead_time_days": s["leadTimeDays"],
                            "provenance": _prov(s["provenance"]),
                        }
                        for s in r["sources"]
                    ],
                }
                for r in data["requirements"]
            ],
            "sources": [
                {
                    "supplier": s["supplier"]["id"],
                    "consumer": (s["consumer"] or {}).get("id"),
                    "share": s["share"],
                    "qualification": s["qualification"],
                    "lead_time_days": s["leadTimeDays"],
                    "provenance": _prov(s["provenance"]),
                }
                for s in data["sources"]
            ],
        }

    def capacities(self, ref: str, *, year: int | None = None) -> Table:
        """Sourced capacity figures of an item or held by it, as `KnowledgeGraph.capacities`."""
        data = self._query(
            "query($id: ID!, $y: Int) { entity(id: $id) { id capacities(year: $y) {"
            " of { id name } holder { id name } amount amountMax unit period year note"
            f" provenance {{ {_PROV} }} }} }} }}",
            {"id": ref, "y": year},
        )["entity"]
        if data is None:
            raise UnknownEntityError(ref, [])
        rows = []
        for c in data["capacities"]:
            p = _prov(c["provenance"]) or {}
            rows.append(
                {
                    "of": c["of"]["id"],
                    "of_name": c["of"]["name"],
                    "holder": None if c["holder"] is None else c["holder"]["id"],
                    "holder_name": None if c["holder"] is None else c["holder"]["name"],
                    "year": c["year"],
                    "amount": c["amount"],
                    "amount_max": c["amountMax"],
                    "unit": c["unit"],
                    "period": c["period"],
                    "estimated": bool(p.get("estimated")),
                    "confidence": p.get("confidence"),
                    "as_of": p.get("as_of"),
                    "source": p.get("source"),
                    "note": c["note"],
                }
            )
        return capacity_table(data["id"], rows, year)  # in the server's order, as local

    # ------------------------------------------------------------------ analyses

    def impact(
        self, shortages: Mapping[str, float] | Iterable[str], *, substitution: bool = False
    ) -> Table:
        """Items blocked or constrained by shortages, with the chain of facts that explains each."""
        wanted = [{"id": k, "availability": v} for k, v in parse_shortages(shortages).items()]
        rows: list[dict[str, Any]] = []
        answers = self._pages(
            "query($s: [ShortageInput!]!, $sub: Boolean!, $f: Int, $a: String) {"
            " impact(shortages: $s, substitution: $sub, first: $f, after: $a) {"
            " version shortages { entity { id } availability } cycles"
            " summary { blocked constrained ok byLayer { layer blocked constrained ok } }"
            " pageInfo { hasNextPage endCursor } edges { node { entity { id name category }"
            " status availability layer bindingRequirement { id } rootCause { id } chain"
            f" explanation {{ entity {{ id }} availability requirement via cause facts {{ {_PROV} }} }} }} }} }} }}",
            {"s": wanted, "sub": substitution},
            lambda data: data["impact"],
        )
        head = answers[0]["impact"]
        for data in answers:
            for edge in data["impact"]["edges"]:
                n = edge["node"]
                rows.append(
                    {
                        "id": n["entity"]["id"],
                        "name": n["entity"]["name"],
                        "layer": n["layer"],
                        "category": n["entity"]["category"],
                        "status": n["status"],
                        "availability": n["availability"],
                        "binding_requirement": (n["bindingRequirement"] or {}).get("id"),
                        "root_cause": (n["rootCause"] or {}).get("id"),
                        "chain": n["chain"],
                        "explanation": [
                            {
                                "item": s["entity"]["id"],
                                "availability": s["availability"],
                                "requirement": s["requirement"],
                                "via": s["via"],
                                "cause": s["cause"],
                                "facts": [_prov(f) for f in s["facts"]],
                            }
                            for s in n["explanation"]
                        ],
                    }
                )
        order = {"BLOCKED": 0, "CONSTRAINED": 1, "OK": 2}
        rows.sort(key=lambda r: (order[r["status"]], r["availability"], r["id"]))
        resolved = {s["entity"]["id"]: s["availability"] for s in head["shortages"]}
        summary = {
            "shortages": resolved,
            "substitution": substitution,
            "counts": {
                "BLOCKED": head["summary"]["blocked"],
                "CONSTRAINED": head["summary"]["constrained"],
                "OK": head["summary"]["ok"],
            },
            "counts_by_layer": {
                str(b["layer"]): {
                    "BLOCKED": b["blocked"],
                    "CONSTRAINED": b["constrained"],
                    "OK": b["ok"],
                }
                for b in head["summary"]["byLayer"]
            },
            "cycles": head["cycles"],
            "version": head["version"],
        }
        return Table(
            impact_title(resolved),
            rows,
            columns=IMPACT_COLUMNS,
            summary=summary,
            kind="impact",
        )

    def critical_path(self, ref: str) -> Table:
        """The lead-time path that decides how long an item takes, step by step in days."""
        data = self._query(
            "query($id: ID!) { criticalPath(id: $id) { entity { id } totalDays missingInClosureCount"
            " missingLeadTimes { node } steps { kind node entity { name } requirement days cumulative"
            f" leadTimeKnown provenance {{ {_PROV} }} }} }} }}",
            {"id": ref},
        )["criticalPath"]
        rows = [
            {
                "node": s["node"],
                "name": (s["entity"] or {}).get("name") or s["node"],
                "kind": s["kind"],
                "requirement": s["requirement"],
                "days": s["days"],
                "cumulative": s["cumulative"],
                "lead_time_known": s["leadTimeKnown"],
                "provenance": _prov(s["provenance"]),
            }
            for s in data["steps"]
        ]
        slug = data["entity"]["id"]
        summary = {
            "item": slug,
            "total_days": data["totalDays"],
            "missing_on_path": [m["node"] for m in data["missingLeadTimes"]],
            "missing_in_closure_count": data["missingInClosureCount"],
        }
        return Table(
            f"critical path of {slug}: {data['totalDays']} days",
            rows,
            summary=summary,
            kind="critical_path",
        )

    def single_points_of_failure(self, ref: str) -> Table:
        """Items whose loss alone blocks `ref`."""
        found = self._query(
            "query($id: ID!) { singlePointsOfFailure(id: $id) { entity { id name layer category } path"
            f" facts {{ {_PROV} }} }} }}",
            {"id": ref},
        )["singlePointsOfFailure"]
        rows = [
            {
                "id": s["entity"]["id"],
                "name": s["entity"]["name"],
                "layer": s["entity"]["layer"],
                "category": s["entity"]["category"],
                "path": s["path"],
                "facts": [_prov(f) for f in s["facts"]],
            }
            for s in found
        ]
        return Table(f"single points of failure of {ref}", rows, summary={"item": ref}, kind="spof")

    def chokepoints(self, top: int = 10, *, categories: str | Sequence[str] | None = None) -> Table:
        """Items ranked by how many end products they alone can block."""
        categories = vocabulary.check("category", name_list(categories))
        found = self._query(
            "query($f: Int, $c: [String!]) { chokepoints(first: $f, categories: $c) {"
            " entity { id name layer category } endProductsBlocked endProducts { id } } }",
            {"f": top, "c": list(categories) if categories else None},
        )["chokepoints"]
        rows = [
            {
                "id": c["entity"]["id"],
                "name": c["entity"]["name"],
                "layer": c["entity"]["layer"],
                "category": c["entity"]["category"],
                "end_products_blocked": c["endProductsBlocked"],
                "end_products": [e["id"] for e in c["endProducts"]],
            }
            for c in found
        ]
        return Table(f"top {top} chokepoints", rows, kind="chokepoints")

    def _closure(
        self,
        ref: str,
        depth: int | None,
        limit: int,
        field: str,
        layers: str | Sequence[str] | None,
        categories: str | Sequence[str] | None,
    ) -> Table:
        wanted = {
            "layers": vocabulary.check("layer", name_list(layers)),
            "categories": vocabulary.check("category", name_list(categories)),
        }
        answers = self._pages(
            "query($id: ID!, $d: Int, $f: Int, $a: String, $l: [String!], $c: [String!])"
            f" {{ entity(id: $id) {{ id {field}(depth: $d, first: $f, after: $a,"
            " layers: $l, categories: $c) { totalCount pageInfo { hasNextPage endCursor }"
            " edges { depth path node { id name layer category } } } } }",
            {"id": ref, "d": depth, "l": wanted["layers"], "c": wanted["categories"]},
            lambda data: data["entity"][field],
            limit,
        )
        slug = answers[0]["entity"]["id"]
        total = answers[-1]["entity"][field]["totalCount"]
        rows = [
            {
                "id": e["node"]["id"],
                "label": e["node"]["name"],
                "layer": e["node"]["layer"],
                "category": e["node"]["category"],
                "depth": e["depth"],
                "path": e["path"],
            }
            for data in answers
            for e in data["entity"][field]["edges"]
        ]
        return closure_table(field, slug, rows[:limit], total, depth, wanted)

    def dependencies(
        self,
        ref: str,
        depth: int | None = None,
        limit: int = 10_000,
        *,
        layers: str | Sequence[str] | None = None,
        categories: str | Sequence[str] | None = None,
    ) -> Table:
        """Everything an item needs, transitively, with a path to each (filters as local)."""
        return self._closure(ref, depth, limit, "dependencies", layers, categories)

    def dependents(
        self,
        ref: str,
        depth: int | None = None,
        limit: int = 10_000,
        *,
        layers: str | Sequence[str] | None = None,
        categories: str | Sequence[str] | None = None,
    ) -> Table:
        """Everything that needs an item, transitively, with a path to each (filters as local)."""
        return self._closure(ref, depth, limit, "dependents", layers, categories)

    def subgraph(self, refs: str | Sequence[str], depth: int | None = None) -> nx.DiGraph:
        """The labelled networkx graph of the dependencies of `refs`, as `KnowledgeGraph.subgraph`.

        Items and requirements are nodes (`kind` item or requirement); edges are `requires`
        (item to requirement), `input` and `source` (requirement to item). Fetched level by
        level, a batch of items per request.
        """
        g = nx.DiGraph()
        frontier = [self.resolve(r) for r in ([refs] if isinstance(refs, str) else list(refs))]
        seen: set[str] = set()
        level = 0
        while frontier and (depth is None or level <= depth):
            batch = [i for i in dict.fromkeys(frontier) if i not in seen]
            seen.update(batch)
            frontier = []
            for start in range(0, len(batch), _BATCH):
                for e in self._requirements_of(batch[start : start + _BATCH]):
                    self._add_item(g, e)
                    if depth is not None and level >= depth:
                        continue
                    for r in e["requirements"]:
                        self._add_item(g, r["input"])
                        g.add_node(
                            r["id"],
                            kind="requirement",
                            id=r["id"],
                            label=None,
                            layer=None,
                            category=None,
                            item=e["id"],
                            input=r["input"]["id"],
                            quantity=r["quantity"],
                            lead_time_days=r["leadTimeDays"],
                            fact=(r["provenance"] or {}).get("iri"),
                        )
                        g.add_edge(e["id"], r["id"], kind="requires")
                        g.add_edge(r["id"], r["input"]["id"], kind="input")
                        frontier.append(r["input"]["id"])
                        for src in r["sources"]:
                            self._add_item(g, src["supplier"])
                            g.add_edge(
                                r["id"],
                                src["supplier"]["id"],
                                kind="source",
                                share=src["share"],
                                lead_time_days=src["leadTimeDays"],
                                fact=(src["provenance"] or {}).get("iri"),
                            )
                            frontier.append(src["supplier"]["id"])
            level += 1
        return g

    @staticmethod
    def _add_item(g: nx.DiGraph, e: Mapping[str, Any]) -> None:
        if e["id"] not in g:
            g.add_node(
                e["id"],
                kind="item",
                id=e["id"],
                label=e["name"],
                layer=e["layer"],
                category=e["category"],
                lead_time_days=None,
                fact=e.get("iri"),
            )

    def _requirements_of(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Each item with its requirements and their qualified sources, in one request."""
        brief = "id iri name layer category"
        fields = (
            f"{brief} requirements {{ id quantity leadTimeDays provenance {{ iri }} input {{ {brief} }}"
            f" sources {{ share leadTimeDays provenance {{ iri }} supplier {{ {brief} }} }} }}"
        )
        parts = " ".join(f"e{k}: entity(id: $id{k}) {{ {fields} }}" for k in range(len(ids)))
        params = ", ".join(f"$id{k}: ID!" for k in range(len(ids)))
        data = self._query(
            f"query({params}) {{ {parts} }}", {f"id{k}": i for k, i in enumerate(ids)}
        )
        return [data[f"e{k}"] for k in range(len(ids)) if data.get(f"e{k}")]

    def graph_info(self) -> dict[str, Any]:
        """Version, counts and sources with their last ingest run."""
        data = self._query(
            "{ graphInfo { version entities requirements supplies entitiesByType { type count }"
            " sources { graph file title triples lastRun { iri generatedAt } } } }"
        )["graphInfo"]
        return {
            "version": data["version"],
            "entities": data["entities"],
            "entities_by_type": {t["type"]: t["count"] for t in data["entitiesByType"]},
            "requirements": data["requirements"],
            "supplies": data["supplies"],
            "sources": [
                {
                    "graph": s["graph"],
                    "file": s["file"],
                    "triples": s["triples"],
                    "run": (s["lastRun"] or {}).get("iri"),
                    "generated": (s["lastRun"] or {}).get("generatedAt"),
                    "title": s["title"],
                }
                for s in data["sources"]
            ],
        }

    def sparql(self, query: str) -> Any:
        """Not offered over the API: SPARQL needs the store itself (`KnowledgeGraph.open`)."""
        raise RemoteError(
            "the GraphQL API does not run SPARQL; open the store with KnowledgeGraph.open(spec)"
            " or query its SPARQL endpoint directly",
            "UNSUPPORTED",
        )
