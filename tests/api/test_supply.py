"""Supply records of an input, each with its supplier, consumer and provenance."""

from __future__ import annotations

from tests.api._server import Server

SOURCES = """
query ($id: ID!) {
  entity(id: $id) {
    sources { supplier { id } consumer { id } input { id } share qualification
              provenance { estimated } }
  }
}
"""


def test_entity_sources_lists_supply_records(server: Server) -> None:
    sources = server.query(SOURCES, id="ex-hbm")["entity"]["sources"]
    assert {(s["supplier"]["id"], s["consumer"]["id"]) for s in sources} == {
        ("ex-hbm-a", "ex-accelerator"),
        ("ex-hbm-b", "ex-accelerator"),
    }
    assert all(s["provenance"]["estimated"] for s in sources)
