"""One current value per fact: the rank of claims, and entity pages that show it."""

from __future__ import annotations

import pytest

from stackgraph import KnowledgeGraph
from stackgraph.graph.claims import AGREES, CURRENT, DISPUTED, SUPERSEDED, precedence, resolve
from stackgraph.graph.snapshot import Provenance


def _p(as_of: str | None, confidence: str = "high", tier: str = "primary") -> Provenance:
    return Provenance("https://example.org/x", as_of, confidence, False, "g", tier)


@pytest.mark.parametrize(
    ("later", "earlier"),
    [
        (_p("2025-03"), _p("2025")),
        (_p("2025", tier="primary"), _p("2025", tier="press")),
        (_p("2025", tier="press"), _p("2025", tier="secondary")),
        (_p("2025", "high"), _p("2025", "medium")),
        (_p("2024", "low", "secondary"), _p(None, "high", "primary")),
    ],
    ids=["valid-time", "primary-over-press", "press-over-secondary", "confidence", "undated-last"],
)
def test_valid_time_then_tier_then_confidence(later: Provenance, earlier: Provenance) -> None:
    assert precedence(later) > precedence(earlier)


def test_every_claim_stays_with_its_status() -> None:
    found = resolve(
        [
            ("old", 8, _p("2024")),
            ("now", 10, _p("2025", "high")),
            ("again", 10, _p("2025", "low")),
            ("other", 12, _p("2025", "medium")),
        ]
    )
    assert found == [("now", CURRENT), ("other", DISPUTED), ("again", AGREES), ("old", SUPERSEDED)]
    assert resolve([]) == []


def test_an_entity_shows_its_current_value_first(example_store: str) -> None:
    with KnowledgeGraph.open(example_store) as kg:
        claims = kg.entity("ex-accelerator")["claims"]
    assert [(c["value"], c["status"]) for c in claims if c["property"] == "hbm_capacity_gb"] == [
        ("192", CURRENT),
        ("180", SUPERSEDED),
    ]
