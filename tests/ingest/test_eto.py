"""The ETO supply-chain connector, on a small fixture written in the dataset's format."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from graph import KnowledgeGraph
from ingest.eto import read_eto
from tests.conftest import run_cli


def test_each_file_maps_onto_its_records(eto: Path) -> None:
    source = read_eto(eto, "eto", max_bytes=2**20)

    assert source.problems == [] and source.name == "eto"
    by_file = Counter((Path(r.file or "").name, r.cls) for r in source.records)
    assert set(by_file) == {
        ("inputs.csv", "Product"),
        ("providers.csv", "Organization"),
        ("sequence.csv", "Requirement"),
        ("sequence.csv", "Claim"),
        ("provision.csv", "Supply"),
        ("provision.csv", "Claim"),
    }
    assert all(r.data["source"].startswith("https://") for r in source.records)


def test_input_hash_follows_the_files(eto: Path) -> None:
    before = read_eto(eto, "eto", max_bytes=2**20).input_hash
    (eto / "stages.csv").write_text((eto / "stages.csv").read_text() + "\n")
    assert read_eto(eto, "eto", max_bytes=2**20).input_hash != before


def test_eto_folder_maps_onto_the_schema(eto: Path, store_spec: str) -> None:
    result = run_cli("ingest", str(eto), "--store", store_spec)
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert [s["graph"] for s in summary["sources"]] == ["https://w3id.org/stackgraph/graph/eto"]
    with KnowledgeGraph.open(store_spec) as kg:
        asml = kg.entity("ASML Holding")
        assert asml["id"] == "eto-provider-p1" and asml["attributes"]["country"] == "NL"
        assert "equipment-vendor" in asml["attributes"]["roles"]
        assert "design-partner" in kg.entity("Synopsys")["attributes"]["roles"]
        assert kg.info("eto-input-n3").category == "equipment"
        assert kg.info("eto-input-n7").layer == "packaging"
        eda = {r["supplier"]: r["share"] for r in kg.sources("eto-input-n2")}
        assert eda == {"eto-provider-p2": 0.32, "eto-provider-p3": 0.30}
        claims = {(c["property"], c["value"]) for c in kg.entity("eto-input-n2")["claims"]}
        assert ("country_share", "USA: 0.96") in claims
        lith = {r["input"] for r in kg.requirements("eto-input-n4")}
        assert lith == {"eto-input-n1", "eto-input-n3", "eto-input-n5"}
        impact = kg.impact({"ASML": 0.0})
        assert {r["id"]: r["status"] for r in impact}["eto-input-n8"] == "BLOCKED"
        resist = kg.impact({"JSR": 0.0})
        assert {r["id"]: r["status"] for r in resist}["eto-input-n8"] == "CONSTRAINED"


@pytest.mark.parametrize("missing", ["providers.csv", "stages.csv"], ids=str)
def test_missing_file_is_named(eto: Path, store_spec: str, missing: str) -> None:
    (eto / missing).unlink()
    result = run_cli("ingest", str(eto), "--store", store_spec)
    if missing == "providers.csv":
        # Without providers.csv the folder is not an ETO folder: its CSVs are read one by one.
        assert result.code == 1
        assert "record" in result.stderr
    else:
        assert result.code == 1
        assert f"{missing}: missing file" in result.stderr


def test_missing_column_is_named(eto: Path, store_spec: str) -> None:
    path = eto / "provision.csv"
    path.write_text(path.read_text().replace("share_provided", "share"))
    result = run_cli("ingest", str(eto), "--store", store_spec)
    assert result.code == 1
    assert "provision.csv:1:" in result.stderr and "share_provided" in result.stderr


def test_bad_share_names_file_line_and_field(eto: Path, store_spec: str) -> None:
    path = eto / "provision.csv"
    path.write_text(
        path.read_text().replace("JSR,P4,Photoresist,N5,0.3", "JSR,P4,Photoresist,N5,about a third")
    )
    result = run_cli("ingest", str(eto), "--store", store_spec)
    assert result.code == 1
    assert "provision.csv:5: field 'share_provided': got 'about a third'" in result.stderr


def test_unknown_reference_names_the_csv_line(eto: Path, store_spec: str) -> None:
    path = eto / "sequence.csv"
    path.write_text(path.read_text() + "Ghost,N99,Lithography,N4,,\n")
    result = run_cli("ingest", str(eto), "--store", store_spec)
    assert result.code == 1
    assert "sequence.csv:8:" in result.stderr and "eto-input-n99" in result.stderr
