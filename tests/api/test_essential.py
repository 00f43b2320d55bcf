"""`singlePointsOfFailure` and `chokepoints`."""

from __future__ import annotations

from tests.api._server import Server


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
