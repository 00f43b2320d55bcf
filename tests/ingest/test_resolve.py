"""Entity resolution across sources: the ETO fixture loaded beside organizations of ours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stackgraph import KnowledgeGraph
from tests.conftest import run_cli

OURS = """\
title: Ours - the organizations and a product the ETO fixture also names
entities:
  - id: asml
    type: Organization
    name: ASML
    aliases: [ASML Holding N.V.]
    layer: foundry
    roles: [equipment-vendor]
    country: NL
    source: https://www.asml.com/en/company
    as_of: 2025
    confidence: medium
  - id: intel
    type: Organization
    name: Intel Corporation
    layer: compute
    roles: [designer, foundry]
    country: US
    source: https://www.intel.com/content/www/us/en/company-overview/company-overview.html
    as_of: 2025
    confidence: medium
  - id: jsr
    type: Organization
    name: JSR
    layer: foundry
    roles: [material-vendor]
    country: US
    source: https://www.jsr.co.jp/jsr_e/company/
    as_of: 2025
    confidence: medium
  - id: photolithography
    type: Product
    name: Photolithography
    layer: foundry
    category: process-step
    source: https://www.asml.com/en/technology
    as_of: 2025
    confidence: medium
  - id: tok
    type: Organization
    name: Tokyo Ohka Kogyo Co., Ltd.
    layer: foundry
    roles: [material-vendor]
    country: JP
    source: https://www.tok.co.jp/eng/company
    as_of: 2025
    confidence: medium
"""


@pytest.fixture
def both(tmp_path: Path, eto: Path) -> tuple[Path, Path]:
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "ours.yaml").write_text(OURS, encoding="utf-8")
    return ours, eto


def test_one_company_from_two_sources_is_one_entity(
    both: tuple[Path, Path], store_spec: str
) -> None:
    ours, eto = both
    result = run_cli("ingest", str(ours), str(eto), "--store", store_spec)
    assert result.code == 0, result.stderr
    with KnowledgeGraph.open(store_spec) as kg:
        for ref, native in (("asml", "P10"), ("intel", "P15"), ("tok", "P14")):
            entity = kg.entity(ref)
            graphs = {c["provenance"]["graph"].rsplit("/", 1)[-1] for c in entity["claims"]}
            assert entity["provenance"]["graph"].endswith("/ours") and "eto" in graphs
            same = [c for c in entity["claims"] if c["property"] == "same_as"]
            assert [c["value"] for c in same] == [f"eto:{native}"]
        assert [s["supplier"] for s in kg.sources("eto-input-n3")] == ["asml"]
        status = {r["id"]: r["status"] for r in kg.impact({"asml": 0.0})}
        assert status["eto-input-n8"] == "BLOCKED"
        # JSR: the same name in another country stays apart, under a qualified name
        assert kg.entity("JSR")["id"] == "jsr"
        assert kg.entity("eto-provider-p13")["name"] == "JSR (eto P13)"
        # a product of ETO whose name we hold keeps its own id, under a qualified name
        assert kg.entity("Photolithography")["id"] == "photolithography"
        assert kg.entity("eto-input-n4")["name"] == "Photolithography (eto N4)"


def test_disagreeing_countries_stay_claims_under_the_claim_rules(
    both: tuple[Path, Path], store_spec: str
) -> None:
    ours, eto = both
    (ours / "ours.yaml").write_text(OURS.replace("country: NL", "country: DE"), encoding="utf-8")
    decisions = "decisions:\n- {source: eto, external: P10, decision: same, entity: asml}\n"
    (ours / "resolutions.yaml").write_text(decisions, encoding="utf-8")
    assert run_cli("ingest", str(ours), str(eto), "--store", store_spec).code == 0
    with KnowledgeGraph.open(store_spec) as kg:
        asml = kg.entity("asml")
        assert asml["attributes"]["country"] == "DE"
        countries = [
            (c["value"], c["status"]) for c in asml["claims"] if c["property"] == "country"
        ]
        assert countries == [("NL", "current")]
        same = next(c for c in asml["claims"] if c["property"] == "same_as")
        assert same["provenance"]["source"].startswith("https://eto.tech/")


def test_resolve_reports_what_it_could_not_decide(both: tuple[Path, Path]) -> None:
    ours, eto = both
    result = run_cli("resolve", str(ours), str(eto), "--store", "memory:")
    assert result.code == 0, result.stderr
    assert "1 uncertain" in result.stdout
    assert "eto P13 'JSR' (JP)" in result.stdout and "~ jsr 0.70" in result.stdout
    assert "{source: eto, external: P13, decision: same, entity: jsr}" in result.stdout

    as_json = run_cli("resolve", str(ours), str(eto), "--store", "memory:", "--json")
    report = json.loads(as_json.stdout)
    outcome = {r["external"]: (r["outcome"], r["entity"]) for r in report["resolutions"]}
    assert outcome["P10"] == ("merged", "asml") and outcome["P14"] == ("merged", "tok")
    assert outcome["P13"] == ("uncertain", "jsr") and outcome["P11"][0] == "new"
    jsr = next(r for r in report["resolutions"] if r["external"] == "P13")
    assert jsr["candidates"][0] == {
        "entity": "jsr",
        "score": 0.7,
        "method": "same name 'JSR'; countries differ (JP, US)",
    }


@pytest.mark.parametrize(
    ("decision", "outcome"),
    [("decision: same, entity: jsr", "confirmed"), ("decision: different", "rejected")],
    ids=["same", "different"],
)
def test_a_persons_decision_is_kept_as_data(
    both: tuple[Path, Path], store_spec: str, decision: str, outcome: str
) -> None:
    ours, eto = both
    text = f"decisions:\n- {{source: eto, external: P13, {decision}, note: checked}}\n"
    (ours / "resolutions.yaml").write_text(text, encoding="utf-8")
    report = json.loads(
        run_cli("resolve", str(ours), str(eto), "--store", "memory:", "--json").stdout
    )
    assert report["counts"]["uncertain"] == 0 and report["counts"][outcome] == 1
    assert run_cli("ingest", str(ours), str(eto), "--store", store_spec).code == 0
    with KnowledgeGraph.open(store_spec) as kg:
        suppliers = {s["supplier"] for s in kg.sources("eto-input-n5")}
        assert ("jsr" in suppliers) == (outcome == "confirmed")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "decisions:\n- {source: eto, external: P13, decision: maybe}\n",
            "resolutions.yaml:2: field 'decision': got 'maybe'; expected same or different",
        ),
        (
            "decisions:\n- {source: eto, external: P13, decision: same}\n",
            "resolutions.yaml:2: field 'entity': is required with decision 'same'",
        ),
        (
            "decisions:\n- {source: eto, external: P13, decision: same, entity: nobody}\n",
            "field 'entity': names the entity 'nobody', which is no organization of the graph",
        ),
    ],
    ids=["decision", "entity-missing", "entity-unknown"],
)
def test_bad_decisions_are_named(
    both: tuple[Path, Path], store_spec: str, text: str, expected: str
) -> None:
    ours, eto = both
    (ours / "resolutions.yaml").write_text(text, encoding="utf-8")
    result = run_cli("ingest", str(ours), str(eto), "--store", store_spec)
    assert result.code == 1
    assert expected in result.stderr, result.stderr


def test_two_records_of_one_company_supply_once(both: tuple[Path, Path], store_spec: str) -> None:
    ours, eto = both
    path = eto / "providers.csv"
    path.write_text(path.read_text() + "Shin-Etsu,,P18,organization,JPN\n", encoding="utf-8")
    path = eto / "provision.csv"
    row = "Shin-Etsu,P18,Photoresists,N5,2.0,2025,\n"
    path.write_text(path.read_text() + row, encoding="utf-8")
    decisions = "decisions:\n- {source: eto, external: P18, decision: same, entity: tok}\n"
    (ours / "resolutions.yaml").write_text(decisions, encoding="utf-8")
    assert run_cli("ingest", str(ours), str(eto), "--store", store_spec).code == 0
    with KnowledgeGraph.open(store_spec) as kg:
        tok = [s for s in kg.sources("eto-input-n5") if s["supplier"] == "tok"]
        assert len(tok) == 1 and tok[0]["share"] is None  # one share unknown: the sum is too


def test_an_external_source_alone_matches_the_stored_entities(
    both: tuple[Path, Path], store_spec: str
) -> None:
    ours, eto = both
    decisions = ours / "resolutions.yaml"
    decisions.write_text(
        "decisions:\n- {source: eto, external: P13, decision: same, entity: jsr}\n"
    )
    assert run_cli("ingest", str(ours), "--store", store_spec).code == 0
    result = run_cli("ingest", str(eto), str(decisions), "--store", store_spec)
    assert result.code == 0, result.stderr
    with KnowledgeGraph.open(store_spec) as kg:
        assert {s["supplier"] for s in kg.sources("eto-input-n5")} >= {"jsr", "tok"}
        assert [s["supplier"] for s in kg.sources("eto-input-n3")] == ["asml"]
