"""The Python API on the example chain: lookups, analyses with provenance, versions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from stackgraph import KnowledgeGraph
from stackgraph.graph import UnknownEntityError
from stackgraph.graph.errors import StoreError
from tests.conftest import run_cli


@pytest.fixture
def kg(dataset: Path, store_spec: str) -> Iterator[KnowledgeGraph]:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    with KnowledgeGraph.open(store_spec, reload_interval=0.0) as k:
        yield k


def test_resolve_by_slug_name_alias_and_iri(kg: KnowledgeGraph) -> None:
    assert kg.resolve("ex-accelerator") == "ex-accelerator"
    assert kg.resolve("Example X-1") == "ex-accelerator"
    assert kg.resolve("example x1") == "ex-accelerator"
    assert kg.resolve("https://w3id.org/stackgraph/id/ex-hbm") == "ex-hbm"
    with pytest.raises(UnknownEntityError, match="did you mean ex-accelerator") as info:
        kg.resolve("ex-accelerater")
    assert info.value.suggestions[0] == "ex-accelerator"


def test_a_name_prefixed_by_its_maker_or_operator_resolves(kg: KnowledgeGraph) -> None:
    assert kg.resolve("Example Designer X1") == "ex-accelerator"
    assert kg.resolve("ExDes Example Accelerator X1") == "ex-accelerator"
    assert kg.resolve("Example Hyperscaler Example Campus") == "ex-datacenter"
    assert kg.search("ExDes X1")[0]["id"] == "ex-accelerator"
    with pytest.raises(UnknownEntityError):
        kg.resolve("Example Hyperscaler X1")  # not the accelerator's vendor


def test_closures_filter_by_category_and_layer(kg: KnowledgeGraph) -> None:
    table = kg.dependents("ex-hbm-a", categories="accelerator")
    assert [r["id"] for r in table] == ["ex-accelerator"]
    assert table.summary["total"] == 1 and table.summary["categories"] == ["accelerator"]
    assert table.title == "dependents of ex-hbm-a (accelerator)"
    everything = {r["id"] for r in kg.dependents("ex-hbm-a")}
    infra = {r["id"] for r in kg.dependents("ex-hbm-a", layers=["infrastructure"])}
    assert infra == {i for i in everything if kg.info(i).layer == "infrastructure"} != set()
    with pytest.raises(ValueError, match="did you mean accelerator"):
        kg.dependencies("ex-rack", categories=["accelerators"])
    nothing = kg.dependents("ex-hbm-a", categories=[])
    assert len(nothing) == 0 and nothing.title == "dependents of ex-hbm-a (none)"
    with pytest.raises(ValueError, match="unknown layer"):
        kg.search("x", layer="memroy")
    with pytest.raises(ValueError, match="unknown category"):
        kg.chokepoints(3, categories="acelerator")


def test_capacities_of_an_item_and_of_a_holder(kg: KnowledgeGraph) -> None:
    table = kg.capacities("Example CoWoS-L")
    assert table.kind == "capacities" and table.summary == {
        "item": "ex-cowos",
        "records": 1,
        "years": [2025],
        "kinds": {"capacity": 1},
        "spread": [
            {
                "of": "ex-cowos",
                "holder": None,
                "kind": "capacity",
                "year": 2025,
                "unit": "wafer",
                "period": "month",
                "low": 75000.0,
                "high": 80000.0,
                "records": 1,
                "sources": 1,
                "tiers": {"primary": 1},
            }
        ],
    }
    row = table[0]
    assert (row["of"], row["holder"], row["amount"], row["amount_max"]) == (
        "ex-cowos",
        "ex-foundry",
        75000.0,
        80000.0,
    )
    assert (row["unit"], row["period"], row["year"], row["estimated"]) == (
        "wafers",
        "month",
        2025,
        True,
    )
    assert row["source"] == "https://example.org/cowos-capacity"
    # a record written without a kind is a capacity; "wafers" a month is already canonical
    assert (row["kind"], row["canonical_amount"], row["canonical_amount_max"]) == (
        "capacity",
        75000.0,
        80000.0,
    )
    assert (row["canonical_unit"], row["canonical_period"], row["converted"]) == (
        "wafer",
        "month",
        False,
    )
    assert [r["of"] for r in kg.capacities("ex-foundry")] == ["ex-cowos"]  # as holder
    assert len(kg.capacities("ex-cowos", year=2024)) == 0
    assert "75,000" in table.to_text()


def test_capacities_of_a_kind(kg: KnowledgeGraph) -> None:
    assert len(kg.capacities("ex-cowos", kind="capacity")) == 1
    only_demand = kg.capacities("ex-cowos", kind=["demand", "backlog"])
    assert len(only_demand) == 0 and only_demand.summary["kinds"] == {}
    assert only_demand.title == "capacities of ex-cowos (demand, backlog)"
    with pytest.raises(ValueError, match="unknown kind 'capacty'; expected one of capacity"):
        kg.capacities("ex-cowos", kind="capacty")


def test_capacity_command(dataset: Path, store_spec: str) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    text = run_cli("capacities", "Example CoWoS-L", "--store", store_spec)
    assert text.code == 0 and "75,000" in text.stdout and "wafers" in text.stdout
    as_json = run_cli("capacities", "ex-foundry", "--year", "2025", "--json", "--store", store_spec)
    answer = json.loads(as_json.stdout)
    assert [(r["of"], r["amount_max"], r["kind"]) for r in answer["rows"]] == [
        ("ex-cowos", 80000.0, "capacity")
    ]
    assert answer["apart"] == []  # no figure of another kind
    demand = run_cli("capacities", "ex-cowos", "--kind", "demand", "--store", store_spec)
    assert demand.code == 0 and "(none)" in demand.stdout
    wrong = run_cli("capacities", "ex-cowos", "--kind", "capacty", "--store", store_spec)
    assert wrong.code == 2 and "invalid choice: 'capacty'" in wrong.stderr


def test_search_ranks_exact_then_prefix_then_substring(kg: KnowledgeGraph) -> None:
    ids = [r["id"] for r in kg.search("example")]
    assert ids and all(i.startswith("ex-") for i in ids)
    assert kg.search("X1")[0]["id"] == "ex-accelerator"
    assert {r["id"] for r in kg.search("", layer="memory")} == {
        "ex-hbm",
        "ex-hbm-a",
        "ex-hbm-b",
        "ex-memory-a",
        "ex-memory-b",
    }
    assert [r["id"] for r in kg.search("", types=["Facility"])] == ["ex-datacenter", "ex-fab"]


def test_entity_has_attributes_claims_relations_and_provenance(kg: KnowledgeGraph) -> None:
    e = kg.entity("ex-accelerator")
    assert e["name"] == "Example Accelerator X1" and e["layer"] == "compute"
    assert e["attributes"]["vendor"] == "ex-designer"
    assert e["provenance"]["source"] == "https://example.org/x1"
    assert {c["value"] for c in e["claims"] if c["property"] == "hbm_capacity_gb"} == {"180", "192"}
    hbm = next(r for r in e["requirements"] if r["input"] == "ex-hbm")
    assert {s["supplier"]: s["share"] for s in hbm["sources"]} == {"ex-hbm-a": 0.7, "ex-hbm-b": 0.3}
    assert hbm["provenance"]["confidence"] == "high"


def test_impact_blocks_through_the_input_and_explains_with_sources(kg: KnowledgeGraph) -> None:
    table = kg.impact(["ex-cowos=0"])
    status = {r["id"]: r["status"] for r in table}
    assert status == {
        "ex-cowos": "BLOCKED",
        "ex-accelerator": "BLOCKED",
        "ex-rack": "BLOCKED",
        "ex-tray": "BLOCKED",
        "ex-datacenter": "BLOCKED",
    }
    rack = next(r for r in table if r["id"] == "ex-rack")
    assert rack["chain"] == ["ex-rack", "ex-accelerator", "ex-cowos"]
    sources = {f["source"] for step in rack["explanation"] for f in step["facts"]}
    assert {"https://example.org/rack", "https://example.org/x1"} <= sources
    frame = table.to_frame()
    assert list(frame.columns[:6]) == ["id", "name", "layer", "status", "low", "high"]


def test_one_vendor_out_constrains_by_its_share(kg: KnowledgeGraph) -> None:
    table = kg.impact({"Vendor A HBM3E": 0.0})
    by_id = {r["id"]: r for r in table}
    assert by_id["ex-accelerator"]["status"] == "CONSTRAINED"
    assert by_id["ex-accelerator"]["low"] == by_id["ex-accelerator"]["high"] == pytest.approx(0.3)
    both = kg.impact({"ex-hbm-a": 0.0}, substitution=True)
    assert "ex-accelerator" not in {r["id"] for r in both}


def test_operator_outage_blocks_its_facilities(kg: KnowledgeGraph) -> None:
    status = {r["id"]: r["status"] for r in kg.impact({"ex-foundry": 0.0})}
    assert status["ex-fab"] == "BLOCKED" and status["ex-accelerator"] == "BLOCKED"


def test_critical_path_counts_missing_lead_times(kg: KnowledgeGraph) -> None:
    table = kg.critical_path("ex-datacenter")
    # The rack's and the accelerator's quotes (90, 30 days) are shorter than the wait on the
    # node (120) and the fab (90): the inputs decide, and the quotes are not added to them.
    assert table.summary["total_days"] == 120 + 90
    assert table.rows[-1]["cumulative"] == 210
    assert [r["kind"] for r in table][:2] == ["stage", "requirement"]
    assert table.summary["missing_in_closure_count"] > 0
    assert "ex-datacenter" in table.summary["missing_on_path"]


def test_spof_chokepoints_and_closures(kg: KnowledgeGraph) -> None:
    spof = {r["id"] for r in kg.single_points_of_failure("ex-rack")}
    assert {"ex-accelerator", "ex-cowos", "ex-foundry", "ex-node"} <= spof
    assert not {"ex-hbm-a", "ex-hbm-b"} & spof
    top = kg.chokepoints(3)
    assert top[0]["end_products_blocked"] >= top[-1]["end_products_blocked"]
    deps = {r["id"]: r["depth"] for r in kg.dependencies("ex-rack", depth=1)}
    assert deps == {"ex-accelerator": 1}
    assert "ex-datacenter" in {r["id"] for r in kg.dependents("ex-fab")}


def test_subgraph_is_labelled_networkx(kg: KnowledgeGraph) -> None:
    g = kg.subgraph("ex-rack")
    assert isinstance(g, nx.DiGraph)
    labels = {d["id"]: d.get("name") for _, d in g.nodes(data=True)}
    assert labels["ex-accelerator"] == "Example Accelerator X1"


def test_sparql_is_read_only_and_returns_a_frame(kg: KnowledgeGraph) -> None:
    frame = kg.sparql(
        "SELECT ?s WHERE { GRAPH ?g { ?s a <https://w3id.org/stackgraph/ns#Facility> } } ORDER BY ?s"
    )
    assert list(frame["s"]) == [
        "https://w3id.org/stackgraph/id/ex-datacenter",
        "https://w3id.org/stackgraph/id/ex-fab",
    ]
    with pytest.raises(StoreError):
        kg.sparql("DELETE WHERE { ?s ?p ?o }")


def test_new_version_is_seen_without_reopening(
    kg: KnowledgeGraph, dataset: Path, store_spec: str
) -> None:
    before = kg.version
    chain = dataset / "chain.yaml"
    chain.write_text(chain.read_text().replace("name: Example Campus", "name: Example Campus II"))
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    assert kg.version != before
    assert kg.info("ex-datacenter").name == "Example Campus II"


def test_bad_shortages_are_refused(kg: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        kg.impact({"ex-cowos": 1.5})


def test_a_sourced_lead_time_claim_sets_and_cites_the_lead_time(
    dataset: Path, store_spec: str
) -> None:
    (dataset / "lead-times.yaml").write_text(
        "claims:\n"
        "  - {subject: ex-fab, property: lead_time_days, value: '100', unit: days,\n"
        "     source: 'https://example.org/cycle-time', as_of: 2025-06, confidence: medium}\n"
        "  - {subject: ex-rack, property: lead_time_days, value: '14', unit: days,\n"
        "     source: 'https://example.org/old-rack', as_of: 2020, confidence: low}\n"
        "  - {subject: ex-rack, property: stage_time_days, value: '7', unit: days,\n"
        "     source: 'https://example.org/assembly', as_of: 2025, confidence: medium}\n",
        encoding="utf-8",
    )
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    with KnowledgeGraph.open(store_spec) as kg:
        table = kg.critical_path("ex-datacenter")
        # ex-fab had no lead time: the claim gives its quote, which ends the path; ex-rack keeps
        # its own (high) quote of 90 days, shorter than its 7-day stage after its inputs.
        assert table.summary["total_days"] == 7 + 120 + 90 + 100
        fab = table.rows[-1]
        assert (fab["node"], fab["kind"], fab["days"]) == ("ex-fab", "quoted", 100)
        assert fab["provenance"]["source"] == "https://example.org/cycle-time"
        rack = next(r for r in table if r["node"] == "ex-rack")
        assert (rack["kind"], rack["days"]) == ("stage", 7)
        assert rack["provenance"]["source"] == "https://example.org/assembly"
        assert kg.critical_path("ex-rack").summary["total_days"] == 7 + 120 + 90 + 100
