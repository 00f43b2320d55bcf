"""The ETO Chip Explorer connector, on a small fixture written in the real release's format.

The fixture carries the traits of the published files: a provider id repeated once per alias,
shares as percentages (``1.0`` is 1%), three-letter country codes, shares of whole stages,
types of an input (``is_type_of``), empty shares, countries and years.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from stackgraph import KnowledgeGraph
from stackgraph.ingest.eto import LICENSE, eto_version, read_eto
from tests.conftest import run_cli


def test_each_file_maps_onto_its_records(eto: Path) -> None:
    source = read_eto(eto, "eto", max_bytes=2**20)

    assert source.problems == [] and source.name == "eto" and source.external
    by_file = Counter((Path(r.file or "").name, r.cls) for r in source.records)
    assert set(by_file) == {
        ("stages.csv", "Product"),
        ("inputs.csv", "Product"),
        ("inputs.csv", "Requirement"),
        ("providers.csv", "Organization"),
        ("sequence.csv", "Requirement"),
        ("sequence.csv", "Claim"),
        ("provision.csv", "Supply"),
        ("provision.csv", "Claim"),
    }
    assert by_file["providers.csv", "Organization"] == 8  # one per provider id, not per alias
    for record in source.records:
        assert record.data["source"].startswith("https://")
        assert record.data["license"] == LICENSE
        assert record.data["source_version"].startswith(("commit ", "files sha256:"))


def test_percentages_countries_and_aliases_as_eto_defines_them(eto: Path) -> None:
    records = read_eto(eto, "eto", max_bytes=2**20).records
    shares = {
        (r.data["input"], r.data["supplier"]): r.data.get("share")
        for r in records
        if r.cls == "Supply"
    }
    assert shares["eto-input-n5", "eto-provider-p13"] == 0.01  # "1.0" is 1%
    assert shares["eto-input-n3", "eto-provider-p10"] == 1.0
    assert shares["eto-input-n5", "eto-provider-p14"] is None  # named without a figure
    orgs = {r.data["id"]: r.data for r in records if r.cls == "Organization"}
    assert orgs["eto-provider-p10"]["country"] == "NL"  # NLD
    assert orgs["eto-provider-p14"]["aliases"] == ["TOK", "Tokyo Ohka"]
    assert "country" not in orgs["eto-provider-p16"]  # "Various countries"
    assert "country" not in orgs["eto-provider-p17"]  # empty cell
    stage = {
        (r.data["subject"], r.data["property"], r.data["value"])
        for r in records
        if r.cls == "Claim"
    }
    assert ("eto-stage-s1", "country_share_us", "0.51") in stage
    assert ("eto-stage-s2", "country_share_other", "0.07") in stage


def test_version_is_the_commit_of_a_checkout(eto: Path) -> None:
    assert eto_version(eto, "ab" * 32) == "files sha256:" + "ab" * 6
    run = ["git", "-C", str(eto)]
    subprocess.run([*run, "init", "-q"], check=True)
    subprocess.run([*run, "add", "."], check=True)
    subprocess.run(
        [*run, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "release"],
        check=True,
    )
    version = eto_version(eto, "ab" * 32)
    assert version.startswith("commit ") and version.endswith(")")


def test_eto_folder_maps_onto_the_schema(eto: Path, store_spec: str) -> None:
    result = run_cli("ingest", str(eto), "--store", store_spec)
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert [s["graph"] for s in summary["sources"]] == ["https://w3id.org/stackgraph/graph/eto"]
    with KnowledgeGraph.open(store_spec) as kg:
        asml = kg.entity("ASML Holding N.V.")
        assert asml["id"] == "eto-provider-p10" and asml["attributes"]["country"] == "NL"
        assert asml["attributes"]["license"] == LICENSE
        assert "design-partner" in kg.entity("Synopsys")["attributes"]["roles"]
        assert "material-vendor" in kg.entity("JSR")["attributes"]["roles"]
        assert kg.info("eto-input-n3").category == "equipment"
        assert kg.info("eto-input-n3").layer == "foundry"  # goes into a fabrication process
        assert kg.info("eto-input-n7").layer == "packaging"  # goes into an ATP process
        assert kg.info("eto-input-n9").layer == "compute"
        eda = {r["supplier"]: r["share"] for r in kg.sources("eto-input-n1")}
        assert eda == {"eto-provider-p11": 0.32, "eto-provider-p12": 0.30}
        claims = {(c["property"], c["value"]) for c in kg.entity("eto-input-n1")["claims"]}
        assert ("country_share_us", "0.96") in claims
        lith = {r["input"] for r in kg.requirements("eto-input-n4")}
        assert lith == {"eto-input-n0", "eto-input-n2", "eto-input-n5"}
        assert {r["input"] for r in kg.requirements("eto-input-n2")} == {"eto-input-n3"}
        status = {r["id"]: r["status"] for r in kg.impact({"ASML": 0.0})}
        assert status["eto-input-n8"] == "BLOCKED"  # the EUV type reaches the chip
        assert status["eto-stage-s2"] == "BLOCKED"  # and the fabrication stage
        resist = {r["id"]: r["status"] for r in kg.impact({"JSR": 0.0})}
        assert resist["eto-input-n8"] in ("CONSTRAINED", "POSSIBLY_CONSTRAINED")


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


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "provision.csv",
            "JSR,P13,Photoresists,N5,1.0",
            "JSR,P13,Photoresists,N5,about a third",
            "provision.csv:5: field 'share_provided': got 'about a third'; expected a percentage",
        ),
        (
            "provision.csv",
            "JSR,P13,Photoresists,N5,1.0",
            "JSR,P13,Photoresists,N5,130",
            "provision.csv:5: field 'share_provided': got '130'; expected a percentage from 0 to 100",
        ),
        (
            "providers.csv",
            "JSR,JSR Corporation,P13,organization,JPN",
            "JSR,JSR Corporation,P13,organization,Nippon",
            "providers.csv:11: field 'country': got 'Nippon'; expected an ISO 3166-1 alpha-3",
        ),
        (
            "providers.csv",
            "ASML,ASML Holding N.V.,P10,organization,NLD",
            "ASML,ASML Holding N.V.,P10,organization,USA",
            "providers.csv:8: field 'country': got 'USA', but line 7 gives 'NLD'",
        ),
        (
            "sequence.csv",
            "Photoresists,N5,Photolithography,N4",
            "Photoresists,N5,Photolithography,N44",
            "sequence.csv:7: field 'goes_into_id': got 'N44', which no table defines",
        ),
        (
            "provision.csv",
            "Ibiden,P17,Packaging materials,N7",
            "Ibiden,P71,Packaging materials,N7",
            "provision.csv:9: field 'provider_id': got 'P71', which no table defines",
        ),
    ],
    ids=[
        "share-words",
        "share-over-100",
        "country",
        "alias-rows-disagree",
        "sequence-id",
        "provider-id",
    ],
)
def test_bad_input_names_file_line_field_and_expectation(
    eto: Path, store_spec: str, file: str, old: str, new: str, expected: str
) -> None:
    path = eto / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    result = run_cli("ingest", str(eto), "--store", store_spec)
    assert result.code == 1
    assert expected in result.stderr, result.stderr
