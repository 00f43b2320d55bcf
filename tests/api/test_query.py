"""`search`: entities matching a text, filtered, paginated."""

from __future__ import annotations

import pytest

from tests.api._server import Server

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
