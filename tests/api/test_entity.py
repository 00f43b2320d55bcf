"""`entity`: an entity by slug, name, alias or IRI, its facts and its transitive closures."""

from __future__ import annotations

import pytest

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
    claims = {
        (c["value"], c["provenance"]["sourceUrl"])
        for c in entity["claims"]
        if c["property"] == "hbm_capacity_gb"
    }
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
