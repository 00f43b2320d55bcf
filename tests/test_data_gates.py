"""The quality gates of the bundled data (ingest/audit.py) and the answers to the core question,
asked as a new user would: "what breaks if CoWoS or HBM runs short, for whom, and how sure"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stackgraph import KnowledgeGraph
from stackgraph.ingest.audit import findings, hbm_products
from tests.conftest import ROOT, Result, run_cli

DATA = ROOT / "data"
GATES = [
    "hbm-without-packaging",
    "same-category-alternatives",
    "part-counted-twice",
    "capacity-without-kind",
    "high-confidence-weak-source",
]


def run_cli_module(module: str, *args: str) -> Result:
    """Run ``python -m module`` in a subprocess, as a scheduled job would."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="module")
def kg(bundled_kg: KnowledgeGraph) -> KnowledgeGraph:
    """The bundled data (``tests/conftest.py``, ingested once per session)."""
    return bundled_kg


@pytest.fixture(scope="module")
def found(kg: KnowledgeGraph) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {g: [] for g in GATES}
    for f in findings(kg):
        out[f.gate].append(f"{f.subject}: {f.detail}")
    return out


@pytest.mark.parametrize("gate", GATES)
def test_the_bundled_data_keeps_the_gate(found: dict[str, list[str]], gate: str) -> None:
    assert found[gate] == []


def _impact(bundled: str, shortage: str) -> dict[str, dict[str, object]]:
    result = run_cli("impact", shortage, "--json", "--limit", "100000", "--store", bundled)
    assert result.code == 0, result.stderr
    return {r["id"]: r for r in json.loads(result.stdout)["rows"]}


def test_a_cowos_outage_blocks_every_cowos_packaged_accelerator_and_spares_the_rest(
    kg: KnowledgeGraph, bundled: str
) -> None:
    snap = kg.snapshot()
    cowos = {"cowos", *(e for e in snap.entities if e.startswith("cowos-"))}
    packaged = {
        p for p in hbm_products(snap) if any(r.input in cowos for r in snap.graph.requirements(p))
    }
    rows = _impact(bundled, "CoWoS=0")
    status = {i: r["status"] for i, r in rows.items()}
    named = {"trainium2", "trainium3", "tpu-v6e", "maia-200", "rubin-ultra", "mi450"}
    assert named <= packaged, named - packaged
    assert {p: status.get(p, "OK") for p in packaged} == dict.fromkeys(packaged, "BLOCKED")
    for site in ("project-rainier-indiana", "meta-prometheus"):
        assert status.get(site) in ("BLOCKED", "CONSTRAINED"), site
    wafer_scale = [e for e in ("cerebras-wse-3", "groq-lpu") if e in snap.entities]
    assert wafer_scale and all(e not in status for e in wafer_scale)


def test_an_hbm_vendor_outage_never_splits_unsourced_shares_evenly(bundled: str) -> None:
    rows = _impact(bundled, "SK hynix HBM3E=0")
    assert rows
    for row in rows.values():
        for step in row["explanation"]:  # type: ignore[attr-defined]
            for used in step["shares"]:
                if used["share"] is not None:
                    assert used["provenance"]["source"].startswith("http"), (row["id"], used)


def test_losing_one_fleet_constrains_a_service_that_runs_on_several(bundled: str) -> None:
    rows = _impact(bundled, "Cerebras CS-3=0")
    api = rows["openai-api"]
    assert api["status"] == "CONSTRAINED", api
    assert 0 < api["low"] <= api["high"] < 1  # type: ignore[operator]


def test_the_cowos_capacity_of_2026_shows_the_spread_of_sourced_estimates(bundled: str) -> None:
    result = run_cli(
        "capacity", "CoWoS", "--year", "2026", "--kind", "capacity", "--json", "--store", bundled
    )
    assert result.code == 0, result.stderr
    rows = [
        r
        for r in json.loads(result.stdout)["rows"]
        if r["canonical_unit"] == "wafer" and r["canonical_period"] == "month"
    ]
    sources = {r["source"] for r in rows}
    amounts = [r["canonical_amount"] for r in rows] + [
        r["canonical_amount_max"] for r in rows if r["canonical_amount_max"]
    ]
    assert len(sources) >= 3, sources
    assert max(amounts) >= 1.3 * min(amounts)  # estimates disagree, and each is kept
    assert all(r["unit"] != "chips" for r in json.loads(result.stdout)["rows"])
    (spread,) = [g for g in json.loads(result.stdout)["summary"]["spread"] if g["unit"] == "wafer"]
    assert (spread["low"], spread["high"]) == (min(amounts), max(amounts))
    text = run_cli("capacities", "CoWoS", "--year", "2026", "--store", bundled).stdout
    assert (
        f"cowos capacity 2026: {min(amounts):,.0f} to {max(amounts):,.0f} wafer per month" in text
    )


EXTRA = """\
title: Alternatives written as requirements
entities:
  - {id: ex-fleet-a, type: Product, name: Fleet A, layer: systems, category: system,
     source: "https://example.org/a", as_of: 2025, confidence: medium}
  - {id: ex-fleet-b, type: Product, name: Fleet B, layer: systems, category: system,
     source: "https://example.org/b", as_of: 2025, confidence: medium}
  - {id: ex-hbm-chip, type: Product, name: Chip with HBM, layer: compute, category: accelerator,
     source: "https://example.org/c", as_of: 2025, confidence: medium}
  - {id: ex-service, type: Product, name: A model service, layer: harness, category: service,
     source: "https://example.org/s", as_of: 2025, confidence: medium}
  - {id: ex-pod, type: Product, name: A pod of racks, layer: systems, category: system,
     source: "https://example.org/p", as_of: 2025, confidence: medium}
requirements:
  - {item: ex-pod, input: ex-rack, quantity: 2, unit: racks, source: "https://example.org/p",
     as_of: 2025, confidence: low}
  - {item: ex-pod, input: ex-accelerator, quantity: 144, unit: GPUs,
     source: "https://example.org/p", as_of: 2025, confidence: low}
  - {item: ex-service, input: ex-fleet-a, source: "https://example.org/s", as_of: 2025,
     confidence: low}
  - {item: ex-service, input: ex-fleet-b, source: "https://example.org/s", as_of: 2025,
     confidence: low}
  - {item: ex-hbm-chip, input: ex-hbm, source: "https://example.org/c", as_of: 2025,
     confidence: low}
"""


def test_the_audit_names_each_violation_and_fails(dataset: Path) -> None:
    (dataset / "alternatives.yaml").write_text(EXTRA, encoding="utf-8")
    result = run_cli_module("stackgraph.ingest.audit", str(dataset))
    assert result.code == 1, result.stderr
    assert "hbm-without-packaging: 1\n  ex-hbm-chip:" in result.stdout
    assert "ex-service: requires 2 inputs of system without a quantity" in result.stdout
    # the pod's accelerators are in its racks: stated twice, the deployable answer would halve
    assert "part-counted-twice: 1\n  ex-pod: states 144 of ex-accelerator directly" in result.stdout
    assert "\n  ex-accelerator:" not in result.stdout.split("\n\n")[0]  # packaged, quantities given
    assert "capacity-without-kind: 1" in result.stdout  # the example's capacity predates kinds


def test_the_audit_passes_data_that_keeps_every_gate(dataset: Path) -> None:
    text = (dataset / "chain.yaml").read_text(encoding="utf-8")
    (dataset / "chain.yaml").write_text(
        text.replace(
            "{of: ex-cowos, holder: ex-foundry,",
            "{of: ex-cowos, holder: ex-foundry, kind: capacity,",
        ),
        encoding="utf-8",
    )
    result = run_cli_module("stackgraph.ingest.audit", str(dataset))
    assert result.code == 0, result.stdout + result.stderr
    assert result.stdout.startswith("every gate holds")
    assert "HBM-using products with vendor shares: 1 of 1" in result.stdout


def test_the_audit_command_checks_a_store_as_a_scheduled_job_would(
    bundled: str, found: dict[str, list[str]]
) -> None:
    result = run_cli("audit", "--json", "--store", bundled)
    report = json.loads(result.stdout)
    assert result.code == (1 if any(found.values()) else 0), result.stderr
    assert sorted({f["gate"] for f in report["findings"]}) == sorted(g for g in GATES if found[g])
    names = [m["name"] for m in report["measures"]]
    assert names[0] == "HBM-using products with vendor shares"
    assert all(0 <= m["part"] <= m["whole"] for m in report["measures"])
    text = run_cli("audit", "--store", bundled)
    assert "HBM-using products with vendor shares:" in text.stdout
