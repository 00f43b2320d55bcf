"""`stackgraph deployable` on the bundled data, as a new user asks it: GB200 NVL72 racks in 2026."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stackgraph import KnowledgeGraph
from tests.conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    spec = f"oxigraph:{tmp_path_factory.mktemp('deployable') / 'store'}"
    assert run_cli("ingest", str(ROOT / "data"), "--store", spec).code == 0
    return spec


def _ask(store: str, *args: str) -> dict[str, Any]:
    result = run_cli(
        "deployable", "gb200-nvl72", "--year", "2026", *args, "--json", "--store", store
    )
    assert result.code == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_gb200_nvl72_racks_in_2026_with_what_binds_and_what_bounds_nothing(store: str) -> None:
    answer = _ask(store)
    s = answer["summary"]
    units = s["units"]["gb200-nvl72"]
    assert 0 < units["low"] <= units["high"]
    assert s["unit"]["gb200-nvl72"] == "units of gb200-nvl72 per quarter"
    binding = [r for r in answer["rows"] if r["binding"]]
    assert binding, "a capacity binds"
    for r in binding:
        assert r["layer"] and r["utilisation"] == pytest.approx(1.0)
        assert r["shadow_price_low"] > 0 and r["facts"], r
    assert "packaging" in s["binding_layers"]
    # inputs without a 2026 capacity are named, never silently infinite
    assert {"hbm3e", "tsmc-4np"} <= {u["id"] for u in s["unbounded"]}
    # the packages-per-wafer claim that turns CoWoS-L wafers into B200s is cited
    assert s["conversions"]["b200/cowos-l"]


@pytest.mark.slow
def test_doubling_every_capacity_doubles_the_answer(store: str) -> None:
    base = _ask(store)
    doubled = _ask(store, *(a for r in base["rows"] for a in ("--shortage", f"{r['id']}=2")))
    for k in ("low", "high"):
        assert doubled["summary"]["units"]["gb200-nvl72"][k] == pytest.approx(
            2 * base["summary"]["units"]["gb200-nvl72"][k]
        )


@pytest.mark.slow
def test_a_shortage_lowers_the_answer_only_where_it_binds(store: str) -> None:
    base = _ask(store)["summary"]["units"]["gb200-nvl72"]
    binding = next(r["id"] for r in _ask(store)["rows"] if r["binding"])
    cut = _ask(store, "--shortage", f"{binding}=0.8")["summary"]
    assert cut["units"]["gb200-nvl72"]["low"] == pytest.approx(0.8 * base["low"])
    assert cut["lost"]["gb200-nvl72"]["low"] == pytest.approx(0.2 * base["low"])
    # HBM3E has no 2026 capacity figure: a factor has nothing to scale, and the answer says so
    other = _ask(store, "--shortage", "hbm3e=0.8")["summary"]
    assert other["units"]["gb200-nvl72"] == base
    assert "nothing to scale" in other["shortages"][0]["applied"]


@pytest.mark.slow
def test_the_same_answer_from_python_and_the_text_report(store: str, tmp_path: Path) -> None:
    with KnowledgeGraph.open(store) as kg:
        table = kg.deployable("GB200 NVL72", year=2026, shortages={"CoWoS-L": 0.8})
    assert table.summary["units"] == _ask(store, "--shortage", "cowos-l=0.8")["summary"]["units"]
    text = run_cli("deployable", "GB200 NVL72", "--year", "2026", "--store", store).stdout
    assert "binds: packaging - cowos-l" in text
    assert "unbounded by the data" in text


@pytest.mark.slow
def test_an_allocation_caps_what_the_targets_get(store: str) -> None:
    free = _ask(store)["summary"]["units"]["gb200-nvl72"]
    capped = _ask(store, "--allocation", "NVIDIA")
    assert capped["summary"]["units"]["gb200-nvl72"]["high"] <= free["high"]
    bound = next(r for r in capped["rows"] if r["binding"])
    assert bound["holder"] == "nvidia"
    assert all("allocation" in f["iri"] for f in bound["facts"])


def test_a_deployable_table_draws_its_layers_and_what_a_shortage_costs(store: str) -> None:
    with KnowledgeGraph.open(store) as kg:
        table = kg.deployable("gb200-nvl72", year=2026, shortages=["cowos-l=0.5"])
    fig = table.plot()
    bars, waterfall = fig.axes
    assert bars.get_yticklabels()[0].get_text() == "packaging"  # the binding layer first
    assert [t.get_text() for t in waterfall.get_xticklabels()] == ["baseline", "lost", "scenario"]
    heights = [p.get_height() for p in waterfall.patches]
    assert heights[0] > 0 and heights[1] == pytest.approx(heights[0] / 2)
