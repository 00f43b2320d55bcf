"""The ETO connector on the real published files, beside the bundled data.

ETO's data is CC BY-NC 4.0 and is never committed here: set ``STACKGRAPH_ETO_DIR`` to the
``data/`` folder of a checkout of georgetown-cset/eto-chip-explorer to run these tests
(``-s`` prints the figures). Without it they are skipped, saying so.
"""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from stackgraph import KnowledgeGraph
from stackgraph.ingest.countries import alpha2
from tests.conftest import ROOT, run_cli

_DIR = os.environ.get("STACKGRAPH_ETO_DIR", "")
ETO = Path(_DIR) if _DIR else None
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        ETO is None or not (ETO / "providers.csv").is_file(),
        reason="set STACKGRAPH_ETO_DIR to the data/ folder of ETO's eto-chip-explorer repository"
        " (not bundled: CC BY-NC 4.0) to test the connector on the real files",
    ),
]
DATA = ROOT / "data"
EUV_TOOLS = ("euv-lithography", "high-na-euv", "eto-input-n20")
LOGIC = ("accelerator", "inference-accelerator", "cpu", "die")
SAME_AS = "https://w3id.org/stackgraph/ns#"


def _rows(name: str) -> list[dict[str, str]]:
    assert ETO is not None
    with (ETO / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store holding the bundled data and the ETO release, ingested by the CLI."""
    spec = f"oxigraph:{tmp_path_factory.mktemp('eto-release') / 'store'}"
    result = run_cli("ingest", str(DATA), str(ETO), "--store", spec, timeout=600)
    assert result.code == 0, result.stderr[-4000:]
    return spec


def _entity_of(kg: KnowledgeGraph) -> dict[str, str]:
    """ETO's provider id -> the entity it is in the graph (its own, or ours it merged into)."""
    found = kg.sparql(
        "SELECT ?s ?v WHERE { GRAPH ?g { ?c a <"
        + SAME_AS
        + "Claim> ; <"
        + SAME_AS
        + "subject> ?s ;"
        " <" + SAME_AS + 'property> "same_as" ; <' + SAME_AS + "value> ?v } }"
    )
    merged = {
        str(v).split(":", 1)[1]: str(s).rsplit("/", 1)[-1] for s, v in found.itertuples(index=False)
    }
    return {
        row["provider_id"]: merged.get(
            row["provider_id"], f"eto-provider-{row['provider_id'].lower()}"
        )
        for row in _rows("providers.csv")
        if row["provider_type"] == "organization"
    }


def test_shares_per_input_sum_to_at_most_one_where_etos_do(release: str) -> None:
    kinds = {r["provider_id"]: r["provider_type"] for r in _rows("providers.csv")}
    eto_sum: dict[str, float] = defaultdict(float)
    for row in _rows("provision.csv"):
        if kinds[row["provider_id"]] == "organization" and row["share_provided"]:
            eto_sum[row["provided_id"]] += float(row["share_provided"])
    over = 0
    with KnowledgeGraph.open(release) as kg:
        for ident, total in sorted(eto_sum.items()):
            ours = sum(s["share"] or 0.0 for s in kg.sources(f"eto-input-{ident.lower()}"))
            assert ours == pytest.approx(total / 100, abs=1e-6), ident
            if total <= 100:
                assert ours <= 1 + 1e-9, ident
            else:
                over += 1
    print(f"\n{len(eto_sum)} inputs with shares; {over} over 100% in ETO's own figures (rounding)")


def test_every_organisation_eto_gives_a_country_has_one(release: str) -> None:
    with KnowledgeGraph.open(release) as kg:
        entity_of = _entity_of(kg)
        given = 0
        for row in _rows("providers.csv"):
            code = alpha2(row["country"]) if row["provider_type"] == "organization" else None
            if code is None:
                continue
            given += 1
            entity = kg.entity(entity_of[row["provider_id"]])
            claimed = {c["value"] for c in entity["claims"] if c["property"] == "country"}
            assert entity["attributes"].get("country") == code or code in claimed, row
    print(f"\n{given} organisation rows with a country, each kept")


def test_an_asml_outage_blocks_every_euv_node_logic_chip(release: str) -> None:
    with KnowledgeGraph.open(release) as kg:
        chips = {r["id"] for tool in EUV_TOOLS for r in kg.dependents(tool, categories=LOGIC)}
        status = {r["id"]: r["status"] for r in kg.impact({"asml": 0.0})}
    assert "eto-input-n99" in chips and len(chips) > 10
    assert {c: status.get(c, "OK") for c in chips} == dict.fromkeys(chips, "BLOCKED")
    print(f"\nasml=0 blocks all {len(chips)} logic chips that need EUV")
    cli = run_cli("impact", "asml=0", "--store", release, "--json")
    assert cli.code == 0 and '"eto-input-n99"' in cli.stdout


@pytest.mark.parametrize(
    ("name", "slug", "native"),
    [("TSMC", "tsmc", "P34"), ("Samsung", "samsung-electronics", "P35"),
     ("Intel", "intel", "P9"), ("ASML", "asml", "P88")],
    ids=["tsmc", "samsung", "intel", "asml"],
)  # fmt: skip
def test_etos_and_our_companies_are_one_entity(
    release: str, name: str, slug: str, native: str
) -> None:
    with KnowledgeGraph.open(release) as kg:
        entity = kg.entity(name)
        assert entity["id"] == slug
        assert not entity["provenance"]["graph"].endswith("/eto")
        eto = [c for c in entity["claims"] if c["provenance"]["graph"].endswith("/eto")]
        assert ("same_as", f"eto:{native}") in {(c["property"], c["value"]) for c in eto}
        assert all(c["provenance"]["source"].startswith("https://") for c in eto)
        hits = [r for r in kg.search(name, types=["Organization"]) if r["name"] == name]
        assert [r["id"] for r in hits] in ([], [slug])
        assert _entity_of(kg)[native] == slug


def test_the_report_lists_what_it_could_not_decide() -> None:
    bare = run_cli("resolve", *[str(p) for p in sorted(DATA.glob("*.yaml")) if p.name != "resolutions.yaml"], str(ETO), "--store",
                   "memory:", "--json", timeout=600)  # fmt: skip
    assert bare.code == 0, bare.stderr[-2000:]
    undecided = json.loads(bare.stdout)
    uncertain = [r for r in undecided["resolutions"] if r["outcome"] == "uncertain"]
    assert uncertain and all(r["candidates"] for r in uncertain)
    decided = json.loads(
        run_cli("resolve", str(DATA), str(ETO), "--store", "memory:", "--json", timeout=600).stdout
    )
    left = {r["external"] for r in decided["resolutions"] if r["outcome"] == "uncertain"}
    assert left < {r["external"] for r in uncertain}
    print(
        f"\nwithout decisions: {undecided['counts']}; with data/resolutions.yaml: {decided['counts']}"
    )
