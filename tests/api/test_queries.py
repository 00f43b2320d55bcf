"""Every root field over HTTP with the gql client, on the example data."""

from __future__ import annotations

import pytest

from graph import KnowledgeGraph
from tests.api._server import Server

ENTITY = """
query ($id: ID!) {
  entity(id: $id) {
    id iri name aliases types layer category
    provenance { iri sourceUrl asOf confidence estimated graph }
    attributes { name value }
    claims { property value unit provenance { sourceUrl asOf confidence } }
    requirements {
      id quantity leadTimeDays item { id } input { id name }
      sources { supplier { id } share leadTimeDays qualification provenance { sourceUrl } }
      provenance { sourceUrl estimated }
    }
    sources { supplier { id } consumer { id } input { id } share qualification
              provenance { estimated } }
  }
}
"""


@pytest.mark.parametrize(
    "ref",
    [
        "ex-accelerator",
        "Example Accelerator X1",
        "X1",
        "example x-1",
        "https://w3id.org/stackgraph/id/ex-accelerator",
    ],
    ids=["slug", "name", "alias", "alias-folded", "iri"],
)
def test_entity_resolves_slug_name_alias_and_iri(server: Server, ref: str) -> None:
    entity = server.query(ENTITY, id=ref)["entity"]
    assert entity["id"] == "ex-accelerator"
    assert entity["iri"] == "https://w3id.org/stackgraph/id/ex-accelerator"
    assert entity["aliases"] == ["Example X-1", "X1"]
    assert entity["types"] == ["Product"]
    assert (entity["layer"], entity["category"]) == ("compute", "accelerator")


def test_entity_has_facts_with_provenance(server: Server) -> None:
    entity = server.query(ENTITY, id="ex-accelerator")["entity"]
    assert entity["provenance"]["sourceUrl"] == "https://example.org/x1"
    assert entity["provenance"]["confidence"] == "high"
    assert entity["provenance"]["graph"].endswith("/graph/chain")
    attributes = {a["name"]: a["value"] for a in entity["attributes"]}
    assert attributes["vendor"] == "ex-designer"
    assert attributes["leadTimeDays"] == "30"
    claims = {(c["value"], c["provenance"]["sourceUrl"]) for c in entity["claims"]}
    assert claims == {("180", "https://example.org/press"), ("192", "https://example.org/teardown")}
    requirements = {r["input"]["id"]: r for r in entity["requirements"]}
    assert set(requirements) == {"ex-abf-substrate", "ex-cowos", "ex-hbm", "ex-node"}
    hbm = requirements["ex-hbm"]
    assert hbm["quantity"] == 8 and hbm["item"]["id"] == "ex-accelerator"
    assert {(s["supplier"]["id"], s["share"]) for s in hbm["sources"]} == {
        ("ex-hbm-a", 0.7),
        ("ex-hbm-b", 0.3),
    }
    assert all(s["qualification"] == "qualified" for s in hbm["sources"])
    assert requirements["ex-node"]["leadTimeDays"] == 120


def test_entity_sources_lists_supply_records(server: Server) -> None:
    sources = server.query(ENTITY, id="ex-hbm")["entity"]["sources"]
    assert {(s["supplier"]["id"], s["consumer"]["id"]) for s in sources} == {
        ("ex-hbm-a", "ex-accelerator"),
        ("ex-hbm-b", "ex-accelerator"),
    }
    assert all(s["provenance"]["estimated"] for s in sources)


SEARCH = """
query ($text: String!, $types: [String!], $layer: String, $first: Int, $after: String) {
  search(text: $text, types: $types, layer: $layer, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name layer types } }
  }
}
"""


def test_search_pages_through_every_match_once(server: Server) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = server.query(SEARCH, text="ex", first=4, after=after)["search"]
        seen += [e["node"]["id"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] == 18
    assert pages == 5


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"text": "hbm", "layer": "memory"}, {"ex-hbm", "ex-hbm-a", "ex-hbm-b"}),
        ({"text": "", "types": ["Facility"]}, {"ex-fab", "ex-datacenter"}),
        ({"text": "Hynix"}, set()),
    ],
    ids=["layer", "types", "none"],
)
def test_search_filters(server: Server, variables: dict[str, object], expected: set[str]) -> None:
    page = server.query(SEARCH, **variables)["search"]
    assert {e["node"]["id"] for e in page["edges"]} == expected
    assert page["totalCount"] == len(expected)


CLOSURE = """
query ($id: ID!, $depth: Int, $first: Int, $after: String) {
  entity(id: $id) {
    dependencies(depth: $depth, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor depth path node { id } via { iri sourceUrl } }
    }
    dependents { totalCount edges { depth path node { id } } }
  }
}
"""


def test_dependencies_paginate_with_depth_and_path(server: Server) -> None:
    first = server.query(CLOSURE, id="ex-rack", first=3)["entity"]["dependencies"]
    assert first["pageInfo"]["hasNextPage"]
    rest = server.query(CLOSURE, id="ex-rack", first=50, after=first["pageInfo"]["endCursor"])[
        "entity"
    ]["dependencies"]
    edges = first["edges"] + rest["edges"]
    assert len(edges) == first["totalCount"] == rest["totalCount"]
    assert edges[0]["depth"] == 1 and edges[0]["node"]["id"] == "ex-accelerator"
    assert edges[0]["path"] == ["ex-rack", "ex-accelerator"]
    assert edges[0]["via"][0]["sourceUrl"] == "https://example.org/rack"
    assert all(e["path"][-1] == e["node"]["id"] for e in edges)
    shallow = server.query(CLOSURE, id="ex-rack", depth=1)["entity"]["dependencies"]
    assert [e["node"]["id"] for e in shallow["edges"]] == ["ex-accelerator"]


def test_dependents(server: Server) -> None:
    dependents = server.query(CLOSURE, id="ex-hbm-a")["entity"]["dependents"]
    ids = {e["node"]["id"] for e in dependents["edges"]}
    assert {"ex-accelerator", "ex-rack", "ex-datacenter", "ex-tray"} <= ids


def test_closures_filtered_by_category_and_layer(server: Server) -> None:
    document = """
    query ($id: ID!, $c: [String!], $l: [String!]) {
      entity(id: $id) {
        dependents(categories: $c, layers: $l) { totalCount edges { depth path node { id } } }
      }
    }"""
    found = server.query(document, id="Vendor A HBM3E", c=["accelerator"])["entity"]["dependents"]
    assert found["totalCount"] == 1
    edge = found["edges"][0]
    assert edge["node"]["id"] == "ex-accelerator" and edge["path"][0] == "ex-hbm-a"
    both = server.query(document, id="ex-hbm-a", c=["accelerator", "datacenter"])["entity"]
    assert {e["node"]["id"] for e in both["dependents"]["edges"]} == {
        "ex-accelerator",
        "ex-datacenter",
    }
    memory = server.query(document, id="ex-accelerator", l=["compute"])["entity"]["dependents"]
    assert all(e["node"]["id"] != "ex-datacenter" for e in memory["edges"])


def test_capacities_with_provenance(server: Server) -> None:
    document = """
    query ($id: ID!, $y: Int) {
      entity(id: $id) {
        capacities(year: $y) {
          of { id } holder { id } amount amountMax unit period year
          provenance { sourceUrl estimated confidence }
        }
      }
    }"""
    found = server.query(document, id="ex-cowos")["entity"]["capacities"]
    assert found == [
        {
            "of": {"id": "ex-cowos"},
            "holder": {"id": "ex-foundry"},
            "amount": 75000.0,
            "amountMax": 80000.0,
            "unit": "wafers",
            "period": "month",
            "year": 2025,
            "provenance": {
                "sourceUrl": "https://example.org/cowos-capacity",
                "estimated": True,
                "confidence": "medium",
            },
        }
    ]
    assert server.query(document, id="ex-foundry", y=2024)["entity"]["capacities"] == []


IMPACT = """
query ($s: [ShortageInput!]!, $sub: Boolean, $first: Int, $after: String, $order: ImpactOrder) {
  impact(shortages: $s, substitution: $sub, first: $first, after: $after, orderBy: $order) {
    version substitution totalCount
    shortages { entity { id } availability }
    summary { blocked constrained ok byLayer { layer blocked constrained ok } }
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        entity { id } status availability layer rootCause { id }
        bindingRequirement { id input { id } provenance { sourceUrl } }
        explanation { entity { id } availability requirement via cause
                      facts { iri sourceUrl asOf confidence estimated graph } }
      }
    }
  }
}
"""


def test_impact_statuses_explanations_and_summary(server: Server) -> None:
    result = server.query(IMPACT, s=[{"id": "Vendor A HBM3E", "availability": 0}])["impact"]
    nodes = {e["node"]["entity"]["id"]: e["node"] for e in result["edges"]}
    assert nodes["ex-hbm-a"]["status"] == "BLOCKED"
    accelerator = nodes["ex-accelerator"]
    assert accelerator["status"] == "CONSTRAINED"
    assert accelerator["availability"] == pytest.approx(0.3)
    assert accelerator["bindingRequirement"]["id"] == "ex-accelerator/ex-hbm"
    assert accelerator["rootCause"]["id"] == "ex-hbm-a"
    chain = [s["entity"]["id"] for s in nodes["ex-datacenter"]["explanation"]]
    assert chain == ["ex-datacenter", "ex-rack", "ex-accelerator", "ex-hbm-a"]
    facts = accelerator["explanation"][0]["facts"]
    assert {f["sourceUrl"] for f in facts} == {"https://example.org/x1", "https://example.org/hbm"}
    summary = result["summary"]
    assert (summary["blocked"], summary["constrained"]) == (1, 4)
    assert summary["blocked"] + summary["constrained"] + summary["ok"] == 18
    memory = next(c for c in summary["byLayer"] if c["layer"] == "memory")
    assert memory["blocked"] == 1
    assert result["totalCount"] == 5
    assert result["shortages"] == [{"entity": {"id": "ex-hbm-a"}, "availability": 0.0}]


def test_impact_substitution_lets_the_other_source_cover(server: Server) -> None:
    result = server.query(IMPACT, s=[{"id": "ex-hbm-a", "availability": 0}], sub=True)["impact"]
    assert result["substitution"] is True
    assert [e["node"]["entity"]["id"] for e in result["edges"]] == ["ex-hbm-a"]


@pytest.mark.parametrize(
    ("order", "key"),
    [
        ({"field": "AVAILABILITY", "direction": "ASC"}, lambda n: n["availability"]),
        ({"field": "ID", "direction": "DESC"}, lambda n: n["entity"]["id"]),
        ({"field": "LAYER", "direction": "ASC"}, lambda n: n["layer"] or ""),
        (
            {"field": "STATUS", "direction": "ASC"},
            lambda n: ["BLOCKED", "CONSTRAINED", "OK"].index(n["status"]),
        ),
    ],
    ids=["availability", "id-desc", "layer", "status"],
)
def test_impact_is_sortable_and_paginated(
    server: Server, order: dict[str, str], key: object
) -> None:
    shortage = [{"id": "ex-cowos", "availability": 0.5}, {"id": "ex-hbm-a", "availability": 0}]
    nodes: list[dict[str, object]] = []
    after = None
    while True:
        page = server.query(IMPACT, s=shortage, first=2, after=after, order=order)["impact"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(nodes) == page["totalCount"]
    keys = [key(n) for n in nodes]  # type: ignore[operator]
    assert keys == sorted(keys, reverse=order["direction"] == "DESC")


CRITICAL = """
query ($id: ID!) {
  criticalPath(id: $id) {
    entity { id } totalDays missingInClosureCount
    steps { kind node entity { id } requirement days cumulative leadTimeKnown
            provenance { sourceUrl } }
    missingLeadTimes { kind node requirement }
  }
}
"""


def test_critical_path(server: Server) -> None:
    path = server.query(CRITICAL, id="ex-datacenter")["criticalPath"]
    assert path["totalDays"] == 330
    assert path["steps"][-1]["cumulative"] == 330
    assert sum(s["days"] for s in path["steps"]) == 330
    node_step = next(s for s in path["steps"] if s["node"] == "ex-accelerator/ex-node")
    assert (node_step["kind"], node_step["days"], node_step["entity"]) == ("requirement", 120, None)
    assert node_step["provenance"]["sourceUrl"] == "https://example.org/x1"
    assert {"kind": "item", "node": "ex-datacenter", "requirement": None} in path[
        "missingLeadTimes"
    ]


def test_single_points_of_failure(server: Server) -> None:
    found = server.query(
        'query { singlePointsOfFailure(id: "ex-rack") { entity { id } path facts { iri } } }'
    )["singlePointsOfFailure"]
    ids = [f["entity"]["id"] for f in found]
    assert ids[0] == "ex-accelerator"
    assert {"ex-cowos", "ex-fab"} <= set(ids)
    assert "ex-hbm-a" not in ids  # two qualified HBM sources: neither alone blocks the rack
    fab = next(f for f in found if f["entity"]["id"] == "ex-fab")
    assert fab["path"] == ["ex-rack", "ex-accelerator", "ex-fab"]
    assert fab["facts"][-1]["iri"].endswith("/supply/ex-node/ex-fab/-")


def test_chokepoints(server: Server) -> None:
    query = """
      query ($first: Int, $cats: [String!]) {
        chokepoints(first: $first, categories: $cats) {
          entity { id } endProductsBlocked score endProducts { id }
        }
      }
    """
    top = server.query(query, first=3)["chokepoints"]
    assert len(top) == 3
    assert top[0]["endProductsBlocked"] == 2
    assert {p["id"] for p in top[0]["endProducts"]} == {"ex-datacenter", "ex-tray"}
    only_dc = server.query(query, first=3, cats=["datacenter"])["chokepoints"]
    assert all([p["id"] for p in c["endProducts"]] == ["ex-datacenter"] for c in only_dc)


def test_graph_info(server: Server, example_store: str) -> None:
    info = server.query(
        """{ graphInfo { version entities requirements supplies
             entitiesByType { type count }
             sources { graph file title triples lastRun { iri generatedAt } } } }"""
    )["graphInfo"]
    with KnowledgeGraph.open(example_store) as kg:
        expected = kg.graph_info()
    assert info["version"] == expected["version"]
    assert (info["entities"], info["requirements"], info["supplies"]) == (
        expected["entities"],
        expected["requirements"],
        expected["supplies"],
    )
    assert info["entities"] == 18
    assert {t["type"]: t["count"] for t in info["entitiesByType"]} == {
        "Facility": 2,
        "Organization": 6,
        "Product": 10,
    }
    files = {s["file"].rsplit("/", 1)[-1]: s for s in info["sources"]}
    assert set(files) == {"chain.yaml", "extra.csv", "vocab.ttl"}
    assert files["chain.yaml"]["triples"] > 0
    assert files["chain.yaml"]["lastRun"]["iri"]
    assert len(info["version"]) == 16
