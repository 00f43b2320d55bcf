"""`impact`: statuses, explanations, summary, substitution, ordering and pages."""

from __future__ import annotations

import pytest

from tests.api._server import Server

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
