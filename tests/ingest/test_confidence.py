"""The confidence rule in a real ingest: `high` needs a primary or press source.

A record of confidence high on a secondary or unknown source makes `stackgraph ingest` exit 1,
naming file, line, field, value, the source's tier and the fix; the store stays as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.ingest._cli import export_nt, summary

_RECORD = """\
title: One more organization
entities:
  - id: ex-newcomer
    type: Organization
    name: Example Newcomer
    layer: foundry
    roles: [foundry]
    source: {source}
    as_of: 2025-06
    confidence: {confidence}
"""
_CONFIDENCE_LINE = 10


def _add(dataset: Path, source: str, confidence: str) -> Path:
    path = dataset / "newcomer.yaml"
    path.write_text(_RECORD.format(source=source, confidence=confidence), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("source", "tier", "why"),
    [
        ("https://someone.github.io/notes/fab", "secondary", "github.io: personal and project"),
        ("https://www.reddit.example/r/chips", "unknown", "not in graph/source_tiers.yaml"),
    ],
    ids=["secondary", "unknown"],
)
def test_high_confidence_on_a_weak_source_is_refused_and_the_store_is_unchanged(
    ingested: str, dataset: Path, source: str, tier: str, why: str
) -> None:
    before = export_nt(ingested, "--with-meta")
    _add(dataset, source, "high")

    result = run_cli("ingest", str(dataset), "--store", ingested)

    assert result.code == 1, result.stderr
    assert f"newcomer.yaml:{_CONFIDENCE_LINE}:" in result.stderr
    assert "field 'confidence': got 'high'" in result.stderr
    assert f"is {tier} tier" in result.stderr and why in result.stderr
    assert "lower the confidence to medium" in result.stderr
    assert "cite a primary or press source" in result.stderr
    out = summary(result.stdout)
    assert out["outcome"] == "invalid"
    [problem] = out["problems"]
    assert problem["file"].endswith("newcomer.yaml")
    assert (problem["line"], problem["field"], problem["value"]) == (
        _CONFIDENCE_LINE,
        "confidence",
        "high",
    )
    assert problem["record"] == "Organization 'ex-newcomer'"
    assert export_nt(ingested, "--with-meta") == before


@pytest.mark.parametrize(
    ("source", "confidence"),
    [
        ("https://someone.github.io/notes/fab", "medium"),
        ("https://www.reddit.example/r/chips", "low"),
        ("https://www.trendforce.com/news/fab", "high"),
        ("https://investor.tsmc.com/english/fab", "high"),
    ],
    ids=["secondary-medium", "unknown-low", "press-high", "primary-high"],
)
def test_a_fitting_confidence_ingests(
    ingested: str, dataset: Path, source: str, confidence: str
) -> None:
    _add(dataset, source, confidence)

    result = run_cli("ingest", str(dataset), "--store", ingested)

    assert result.code == 0, result.stderr
    sources = {
        s["source"].rsplit("/", 1)[-1]: s["outcome"] for s in summary(result.stdout)["sources"]
    }
    assert sources["newcomer.yaml"] == "changed"
