"""The CLI's lookups and analyses: one word each, as in Python and GraphQL; old words warn."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize(
    ("command", "args", "first_id"),
    [
        ("single-points-of-failure", ["ex-rack"], "ex-accelerator"),
        ("capacities", ["Example CoWoS-L"], None),
        ("dependents", ["ex-cowos", "--category", "accelerator"], "ex-accelerator"),
        ("chokepoints", ["--top", "2"], "ex-abf-substrate"),
        ("impact", ["ex-cowos=0"], None),
        ("critical-path", ["ex-datacenter"], None),
        ("search", ["hbm"], "ex-hbm"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_command_answers_as_json(
    example_store: str, command: str, args: list[str], first_id: str | None
) -> None:
    result = run_cli(command, *args, "--json", "--store", example_store)
    assert result.code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["rows"] and answer["title"]
    if first_id is not None:
        assert answer["rows"][0]["id"] == first_id
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("old", "new", "args"),
    [
        ("spof", "single-points-of-failure", ["ex-rack", "--json"]),
        ("capacity", "capacities", ["ex-cowos", "--json"]),
        ("show", "entity", ["ex-rack"]),
    ],
    ids=["spof", "capacity", "show"],
)
def test_old_command_names_still_answer_with_a_notice(
    example_store: str, old: str, new: str, args: list[str]
) -> None:
    before = run_cli(old, *args, "--store", example_store)
    after = run_cli(new, *args, "--store", example_store)
    assert before.code == after.code == 0
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert f"stackgraph {old} is deprecated; use stackgraph {new}" in before.stderr
    assert after.stderr == ""


def test_entity_shows_claims_current_first(example_store: str) -> None:
    result = run_cli("entity", "Example X-1", "--store", example_store)
    claims = json.loads(result.stdout)["claims"]
    assert [(c["value"], c["status"]) for c in claims if c["property"] == "hbm_capacity_gb"] == [
        ("192", "current"),
        ("180", "superseded"),
    ]


@pytest.mark.parametrize("command", ["critical-path", "single-points-of-failure"])
def test_an_analysis_that_meets_a_cycle_says_so_in_one_line(
    command: str, dataset: Path, store_spec: str
) -> None:
    (dataset / "cycle.yaml").write_text(
        "requirements:\n  - {item: ex-cowos, input: ex-rack, source: 'https://example.org/x',"
        " as_of: 2025, confidence: low}\n"
    )
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    result = run_cli(command, "ex-rack", "--json", "--store", store_spec)
    assert result.code == 1
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: ")
    error = json.loads(result.stdout)
    assert error["kind"] == "CycleError" and "cycle" in error["error"]


def test_one_cycle_does_not_stop_the_chokepoints_of_every_other_product(
    dataset: Path, store_spec: str
) -> None:
    (dataset / "cycle.yaml").write_text(
        "requirements:\n  - {item: ex-cowos, input: ex-rack, source: 'https://example.org/x',"
        " as_of: 2025, confidence: low}\n"
    )
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    result = run_cli("chokepoints", "--json", "--store", store_spec)
    assert result.code == 0, result.stderr
    assert isinstance(json.loads(result.stdout)["rows"], list)
