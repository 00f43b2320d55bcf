"""Capacities of an item or held by an organisation, with their provenance."""

from __future__ import annotations

from tests.api._server import Server


def test_capacities_with_provenance(server: Server) -> None:
    document = """
    query ($id: ID!, $y: Int) {
      entity(id: $id) {
        capacities(year: $y) {
          of { id } holder { id } amount amountMax unit period year kind
          canonicalAmount canonicalAmountMax canonicalUnit canonicalPeriod converted
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
            "kind": "capacity",
            "canonicalAmount": 75000.0,
            "canonicalAmountMax": 80000.0,
            "canonicalUnit": "wafer",
            "canonicalPeriod": "month",
            "converted": False,
            "provenance": {
                "sourceUrl": "https://example.org/cowos-capacity",
                "estimated": True,
                "confidence": "medium",
            },
        }
    ]
    assert server.query(document, id="ex-foundry", y=2024)["entity"]["capacities"] == []
