"""One item under a scenario (`impact --target`), and entities named by a unique word."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from stackgraph import KnowledgeGraph
from stackgraph.client import Client
from stackgraph.graph import AmbiguousEntityError, UnknownEntityError
from tests.api._server import Server
from tests.conftest import run_cli


@pytest.fixture(params=["local", "remote"])
def client(request: pytest.FixtureRequest, example_store: str) -> Iterator[Client]:
    if request.param == "local":
        with KnowledgeGraph.open(example_store) as kg:
            yield kg
    else:
        server: Server = request.getfixturevalue("server")
        with KnowledgeGraph.connect(server.graphql) as remote:
            yield remote


def test_impact_on_a_target_is_its_row_of_the_whole_scenario(client: Client) -> None:
    whole = {r.id: r for r in client.impact({"Vendor A HBM3E": 0})}
    (row,) = client.impact({"Vendor A HBM3E": 0}, target="Example Rack NVL72")
    assert dict(row) == dict(whole["ex-rack"])
    assert row.chain[0] == "ex-rack" and row.chain[-1] == "ex-hbm-a"
    table = client.impact({"ex-hbm-a": 0}, target="ex-rack")
    assert table.title == "impact of ex-hbm-a=0 on ex-rack"
    assert table.summary["target"] == "ex-rack" and table.summary["counts"]["BLOCKED"] >= 1


def test_a_target_the_scenario_does_not_reach_is_ok_with_no_chain(client: Client) -> None:
    (row,) = client.impact({"ex-hbm-a": 0}, target="ex-foundry")
    assert (row.id, row.status, row.low, row.high, row.chain, row.explanation) == (
        "ex-foundry",
        "OK",
        1.0,
        1.0,
        [],
        [],
    )


def test_an_unknown_target_is_refused_with_suggestions(client: Client) -> None:
    with pytest.raises(UnknownEntityError):
        client.impact({"ex-hbm-a": 0}, target="no-such-rack")


def test_cli_impact_target_shows_status_range_chain_and_sources(bundled: str) -> None:
    result = run_cli(
        "impact", "cowos=0", "--target", "gb200-nvl72", "--store", bundled, env={"COLUMNS": "200"}
    )
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "impact of cowos=0 on gb200-nvl72"
    assert lines[1] == "NVIDIA GB200 NVL72 (gb200-nvl72, systems): BLOCKED, available 0"
    chain = next(line for line in lines if line.startswith("chain: "))
    assert chain.startswith("chain: gb200-nvl72 → ") and chain.endswith(" → cowos")
    assert any(line.strip().startswith("source: https://") for line in lines)
    assert "each shortage alone" not in result.stdout  # one shortage: nothing to split


def test_cli_impact_target_with_several_shortages_gives_each_alone(bundled: str) -> None:
    result = run_cli(
        "impact", "cowos-l=0.5", "sk-hynix-hbm3e", "--target", "gb200-nvl72", "--json",
        "--store", bundled,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    answer = json.loads(result.stdout)
    (row,) = answer["rows"]
    assert row["id"] == "gb200-nvl72" and row["status"] == "CONSTRAINED"
    assert set(answer["alone"]) == {"cowos-l=0.5", "sk-hynix-hbm3e=0"}
    assert answer["alone"]["cowos-l=0.5"]["chain"][-1] == "cowos-l"
    assert row["high"] <= min(r["high"] for r in answer["alone"].values())
    text = run_cli(
        "impact", "cowos-l=0.5", "sk-hynix-hbm3e", "--target", "gb200-nvl72", "--store", bundled
    ).stdout
    assert "each shortage alone:\n  cowos-l=0.5: CONSTRAINED, available 0.5" in text


def test_cli_impact_target_not_reached(bundled: str) -> None:
    result = run_cli("impact", "cowos-l=0", "--target", "tsmc", "--store", bundled)
    assert result.code == 0, result.stderr
    assert "TSMC (tsmc, foundry): OK, available 1\nno shortage of cowos-l=0 reaches it" in (
        result.stdout
    )


# ---------------------------------------------------------------- a unique word of a name


def test_a_unique_word_of_a_name_names_its_entity(example_store: str) -> None:
    with KnowledgeGraph.open(example_store) as kg:
        assert kg.resolve("Rack") == kg.resolve("rack") == "ex-rack"
        assert kg.resolve("Example Rack NVL72") == "ex-rack"  # a whole name still comes first
        with pytest.raises(AmbiguousEntityError) as info:
            kg.resolve("Vendor")
    assert info.value.suggestions == ["ex-hbm-a", "ex-hbm-b", "ex-memory-a", "ex-memory-b"]
    assert str(info.value) == (
        "'Vendor' is a word of several names: ex-hbm-a, ex-hbm-b, ex-memory-a, ex-memory-b;"
        " give an id or a whole name"
    )


def test_cli_abilene_is_stargate_abilene(bundled: str) -> None:
    result = run_cli("critical-path", "Abilene", "--json", "--store", bundled)
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["item"] == "stargate-abilene"
    target = run_cli("impact", "cowos-l=0", "--target", "Abilene", "--json", "--store", bundled)
    assert json.loads(target.stdout)["rows"][0]["id"] == "stargate-abilene"


def test_cli_an_ambiguous_word_lists_the_candidates(bundled: str) -> None:
    result = run_cli("critical-path", "Stargate", "--store", bundled)
    assert result.code == 2
    assert result.stderr.startswith("error: 'Stargate' is a word of several names: ")
    assert "stargate-abilene" in result.stderr and "give an id or a whole name" in result.stderr
    assert "Traceback" not in result.stderr
