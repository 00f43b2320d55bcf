"""`RemoteKnowledgeGraph`: the same calls as `KnowledgeGraph`, answered by a running API server.

    >>> remote = KnowledgeGraph.connect(url)        # e.g. "http://127.0.0.1:8000/graphql"
    >>> remote.impact({"ex-cowos": 0.0}) == kg.impact({"ex-cowos": 0.0})
    True
    >>> remote.close()

Results are the same `Table`s, with the same columns, as the local API's; the analyses run on
the server (and are cached there per graph version). Pages are fetched until complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx

from stackgraph import client
from stackgraph.client import Client, entity_row
from stackgraph.graph import payloads, rows
from stackgraph.graph.analysis import DependencyGraphBuilder
from stackgraph.graph.answers import Bound, DeployAnswer
from stackgraph.graph.arguments import Shortage
from stackgraph.graph.errors import UnknownEntityError
from stackgraph.graph.snapshot import EntityInfo
from stackgraph.transport import RemoteError, Transport

__all__ = ["RemoteError", "RemoteKnowledgeGraph"]

_BATCH = 20  # entities per request: under the server's alias limit
_EXPLAINED_PAGE = 40  # affected items per request: their explanations count towards the cost limit


class RemoteKnowledgeGraph(Client):
    """A client of the GraphQL API with the Python API's calls (those of `Client`)."""

    def __init__(self, url: str, **options: Any) -> None:
        """A client of the server at `url` (its /graphql endpoint).

        `options` are those of `Transport`: `timeout` (s), `headers`, and `page_size`, the rows
        a long listing is fetched by (at most the server's `MAX_PAGE_SIZE`).
        """
        self.url = url
        self._transport = Transport(url, **options)

    @property
    def page_size(self) -> int:
        """Rows asked for per request when a listing is paged."""
        return self._transport.page_size

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> RemoteKnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ lookup

    def resolve(self, ref: str) -> str:
        """The id of an entity named by id, IRI, name, alias or maker-prefixed name."""
        return self.info(ref).id

    def info(self, ref: str) -> EntityInfo:
        """Name, types, layer, category and aliases of an entity."""
        return payloads.info(self._entity(ref, "")[1])

    def _entity(self, ref: str, fields: str, **args: Any) -> tuple[str, dict[str, Any]]:
        """The entity `ref` with `fields` beside its own, and its id."""
        params = "".join(f", ${k}: {t}" for k, (t, _) in args.items())
        data = self._transport.query(
            f"query($id: ID!{params}) {{ entity(id: $id) {{ {payloads.ENTITY} {fields} }} }}",
            {"id": ref, **{k: v for k, (_, v) in args.items()}},
        )["entity"]
        if data is None:
            raise UnknownEntityError(ref, [])
        return data["id"], data

    def _search(
        self, text: str, types: Sequence[str], layer: str | None, category: str | None, limit: int
    ) -> tuple[list[rows.Entity], int]:
        answers = self._transport.pages(
            "query($t: String!, $ty: [String!], $l: String, $c: String, $f: Int, $a: String) {"
            " search(text: $t, types: $ty, layer: $l, category: $c, first: $f, after: $a) {"
            f" totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {payloads.ENTITY} }} }} }} }}",
            {"t": text, "ty": list(types) or None, "l": layer, "c": category},
            lambda data: data["search"],
            limit or None,
        )
        found = [
            entity_row(payloads.info(e["node"]))
            for data in answers
            for e in data["search"]["edges"]
        ]
        return found[: limit or None], answers[-1]["search"]["totalCount"]

    def _details(self, ref: str) -> client.EntityAnswer:
        _, e = self._entity(
            ref,
            f"provenance {{ {payloads.PROVENANCE} }} attributes {{ name typedValue }}"
            f" claims {{ property status typedValue unit provenance {{ {payloads.PROVENANCE} }} }}",
        )
        attributes: dict[str, list[Any]] = {}
        for a in e["attributes"]:
            attributes.setdefault(a["name"], []).append(a["typedValue"])
        return client.EntityAnswer(
            info=payloads.info(e),
            attributes={k: v[0] if len(v) == 1 else v for k, v in sorted(attributes.items())},
            provenance=payloads.fact(e["provenance"]),
            claims=[
                {
                    "property": c["property"],
                    "status": c["status"].lower(),
                    "value": c["typedValue"],
                    "unit": c["unit"],
                    "provenance": payloads.fact(c["provenance"]),
                }
                for c in e["claims"]
            ],
        )

    def _requirements(self, ref: str) -> tuple[str, list[rows.Requirement]]:
        slug, e = self._entity(
            ref,
            f"requirements {{ {payloads.REQUIREMENT} }}",
        )
        return slug, [payloads.requirement(r) for r in e["requirements"]]

    def _sources(self, ref: str) -> tuple[str, list[rows.Supply]]:
        slug, e = self._entity(
            ref,
            f"sources {{ {payloads.SUPPLY} }}",
        )
        return slug, [payloads.supply(s) for s in e["sources"]]

    def _capacities(self, ref: str, year: int | None) -> tuple[str, list[rows.Capacity]]:
        slug, e = self._entity(
            ref,
            f"capacities(year: $y) {{ {payloads.CAPACITY} }}",
            y=("Int", year),
        )
        # in the server's order, which is the local one
        return slug, [payloads.capacity(c) for c in e["capacities"]]

    # ------------------------------------------------------------------ analyses

    def _impact(self, shortages: dict[str, float], substitution: bool) -> client.ImpactAnswer:
        wanted = [{"id": k, "availability": v} for k, v in shortages.items()]
        answers = self._transport.pages(
            # `first` written out: the server prices a page by it, and explanations are costly
            "query($s: [ShortageInput!]!, $sub: Boolean!, $a: String) {"
            " impact(shortages: $s, substitution: $sub,"
            f" first: {min(self.page_size, _EXPLAINED_PAGE)}, after: $a) {{"
            " version shortages { entity { id } availability } cycles"
            f" summary {{ {payloads.COUNTS} byLayer {{ layer {payloads.COUNTS} }} }}"
            f" pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {payloads.AFFECTED} }} }} }} }}",
            {"s": wanted, "sub": substitution},
            lambda data: data["impact"],
        )
        found = [
            payloads.affected(edge["node"]) for data in answers for edge in data["impact"]["edges"]
        ]
        head = answers[0]["impact"]
        return client.ImpactAnswer(
            shortages={s["entity"]["id"]: s["availability"] for s in head["shortages"]},
            rows=found,
            counts=payloads.counts(head["summary"]),
            counts_by_layer={b["layer"]: payloads.counts(b) for b in head["summary"]["byLayer"]},
            cycles=head["cycles"],
            version=head["version"],
        )

    def _deployable(self, plan: client.DeployPlan) -> DeployAnswer:
        data = self._transport.query(
            "query($t: [TargetInput!]!, $y: Int, $p: String!, $s: [String!], $sub: Boolean!,"
            " $al: ID) { deployable(targets: $t, year: $y, per: $p, shortages: $s,"
            " substitution: $sub, allocation: $al) {"
            " summary capacities { id name layer holder unit per capacityLow capacityHigh used"
            " utilisation shadowPriceLow shadowPriceHigh binding"
            f" facts {{ {payloads.PROVENANCE} }} }} }} }}",
            {
                "t": [{"id": k, "units": v} for k, v in plan.targets.items()],
                "y": plan.year,
                "p": plan.per,
                "s": [f"{ref}={_value(s)}" for ref, s in plan.shortages],
                "sub": plan.substitution,
                "al": plan.allocation,
            },
        )["deployable"]
        return DeployAnswer(
            rows=[
                Bound(
                    id=c["id"],
                    name=c["name"],
                    layer=c["layer"],
                    holder=c["holder"],
                    unit=c["unit"],
                    per=c["per"],
                    capacity_low=c["capacityLow"],
                    capacity_high=c["capacityHigh"],
                    used=c["used"],
                    utilisation=c["utilisation"],
                    shadow_price_low=c["shadowPriceLow"],
                    shadow_price_high=c["shadowPriceHigh"],
                    binding=c["binding"],
                    facts=payloads.facts(c["facts"]),
                )
                for c in data["capacities"]
            ],
            summary=data["summary"],
        )

    def _critical_path(self, ref: str) -> client.PathAnswer:
        data = self._transport.query(
            "query($id: ID!) { criticalPath(id: $id) { entity { id } totalDays missingInClosureCount"
            f" missingLeadTimes {{ node }} steps {{ {payloads.PATH_STEP} }} }} }}",
            {"id": ref},
        )["criticalPath"]
        return client.PathAnswer(
            item=data["entity"]["id"],
            total_days=data["totalDays"],
            steps=[payloads.path_step(s) for s in data["steps"]],
            missing_on_path=[m["node"] for m in data["missingLeadTimes"]],
            missing_in_closure_count=data["missingInClosureCount"],
        )

    def _single_points_of_failure(self, ref: str) -> tuple[str, list[rows.SinglePoint]]:
        slug, _ = self._entity(ref, "")
        found = self._transport.query(
            f"query($id: ID!) {{ singlePointsOfFailure(id: $id) {{ {payloads.SINGLE_POINT} }} }}",
            {"id": slug},
        )["singlePointsOfFailure"]
        return slug, [payloads.single_point(s) for s in found]

    def _chokepoints(self, top: int, categories: list[str] | None) -> list[rows.Chokepoint]:
        found = self._transport.query(
            "query($f: Int, $c: [String!]) { chokepoints(first: $f, categories: $c) {"
            f" {payloads.CHOKEPOINT} }} }}",
            {"f": top, "c": categories},
        )["chokepoints"]
        return [payloads.chokepoint(c) for c in found]

    def _closure(self, walk: client.Walk) -> client.ClosureAnswer:
        answers = self._transport.pages(
            "query($id: ID!, $d: Int, $f: Int, $a: String, $l: [String!], $c: [String!])"
            f" {{ entity(id: $id) {{ id {walk.direction}(depth: $d, first: $f, after: $a,"
            " layers: $l, categories: $c) { totalCount pageInfo { hasNextPage endCursor }"
            f" edges {{ {payloads.REACHED} }} }} }} }}",
            {"id": walk.ref, "d": walk.depth, "l": walk.layers, "c": walk.categories},
            lambda data: data["entity"][walk.direction],
            walk.limit,
        )
        reached = [
            payloads.reached(e) for data in answers for e in data["entity"][walk.direction]["edges"]
        ]
        return client.ClosureAnswer(
            item=answers[0]["entity"]["id"],
            reached=reached[: walk.limit],
            total=answers[-1]["entity"][walk.direction]["totalCount"],
        )

    # ------------------------------------------------------------------ graphs

    def subgraph(self, refs: str | Sequence[str], depth: int | None = None) -> nx.DiGraph:
        """The labelled networkx graph of the dependencies of `refs`, as the local one.

        Fetched level by level, a batch of items per request, into the same dependency graph
        the local client projects, so both draw the same networkx graph.
        """
        builder = DependencyGraphBuilder()
        frontier = [self.resolve(r) for r in ([refs] if isinstance(refs, str) else list(refs))]
        seen: set[str] = set()
        level = 0
        while frontier and (depth is None or level <= depth):
            batch = [i for i in dict.fromkeys(frontier) if i not in seen]
            seen.update(batch)
            frontier = []
            for start in range(0, len(batch), _BATCH):
                for e in self._requirements_of(batch[start : start + _BATCH]):
                    payloads.add_item(builder, e)
                    if depth is not None and level >= depth:
                        continue
                    for r in e["requirements"]:
                        payloads.add_item(builder, r["input"])
                        k = builder.add_requirement(
                            e["id"],
                            r["input"]["id"],
                            quantity=r["quantity"],
                            lead_time_days=r["leadTimeDays"],
                            fact=(r["provenance"] or {}).get("iri"),
                            id=r["id"],
                        )
                        frontier.append(r["input"]["id"])
                        for src in r["sources"]:
                            payloads.add_item(builder, src["supplier"])
                            builder.add_source(
                                k,
                                src["supplier"]["id"],
                                share=src["share"],
                                lead_time_days=src["leadTimeDays"],
                                fact=(src["provenance"] or {}).get("iri"),
                            )
                            frontier.append(src["supplier"]["id"])
            level += 1
        return builder.build().to_networkx()

    def _requirements_of(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Each item with its requirements and their qualified sources, in one request."""
        brief = (
            "id iri name layer category leadTimeDays leadTimeProvenance { iri }"
            " stageTimeDays stageTimeProvenance { iri }"
        )
        fields = (
            f"{brief} requirements {{ id quantity leadTimeDays provenance {{ iri }} input {{ {brief} }}"
            f" sources {{ share leadTimeDays provenance {{ iri }} supplier {{ {brief} }} }} }}"
        )
        parts = " ".join(f"e{k}: entity(id: $id{k}) {{ {fields} }}" for k in range(len(ids)))
        params = ", ".join(f"$id{k}: ID!" for k in range(len(ids)))
        data = self._transport.query(
            f"query({params}) {{ {parts} }}", {f"id{k}": i for k, i in enumerate(ids)}
        )
        return [data[f"e{k}"] for k in range(len(ids)) if data.get(f"e{k}")]

    def graph_info(self) -> dict[str, Any]:
        """Version, counts and sources with their last ingest run."""
        data = self._transport.query(
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


def _value(s: Shortage) -> str:
    return f"{s.factor!r}" if s.factor is not None else f"{s.amount!r} {s.unit}"
