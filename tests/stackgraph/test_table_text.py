"""What the CLI's tables look like: chains wrap to the terminal (or not, with --wide), one
column name for an entity's name, the capacity table's columns, search by category, and the
port of `make serve`."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from stackgraph import KnowledgeGraph
from tests.conftest import ROOT, run_cli


def _chain_column(text: str) -> tuple[int, int, list[str]]:
    """Where the status and chain columns start (from the header) and the lines of the table."""
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("id "))
    return header.index("status"), header.index("chain"), lines[lines.index(header) + 2 :]


def test_chains_wrap_at_arrows_to_the_terminal_width(bundled: str) -> None:
    result = run_cli("impact", "cowos-l=0", "--store", bundled, env={"COLUMNS": "110"})
    assert result.code == 0, result.stderr
    status, start, body = _chain_column(result.stdout.partition("\n\n")[0])
    table = [line for line in body if not line.startswith("...")]
    assert all(len(line) <= 110 for line in table)
    wide = json.loads(run_cli("impact", "cowos-l=0", "--json", "--store", bundled).stdout)
    chains, current = [], ""
    for line in table:
        cell = line[start:]
        if line[status:start].strip() and current:  # a new row (a status never wraps)
            chains.append(current)
            current = ""
        # an id longer than the column breaks after one of its hyphens, never elsewhere
        current = current + cell if current.endswith("-") else f"{current} {cell}".strip()
    chains.append(current)
    expected = [" → ".join(r["chain"]) for r in wide["rows"]][: len(chains)]
    assert chains == expected  # every chain whole: nothing cut, words only at arrows
    assert any(line[start:].endswith(" →") for line in table)  # some did wrap


def test_wide_prints_each_chain_on_one_line(bundled: str) -> None:
    result = run_cli("impact", "cowos-l=0", "--wide", "--store", bundled, env={"COLUMNS": "60"})
    assert result.code == 0, result.stderr
    rows = json.loads(run_cli("impact", "cowos-l=0", "--json", "--store", bundled).stdout)["rows"]
    longest = max((r for r in rows), key=lambda r: len(r["chain"]))
    assert any(line.endswith(" → ".join(longest["chain"])) for line in result.stdout.splitlines())


def test_search_by_category(example_store: str) -> None:
    result = run_cli("search", "--category", "accelerator", "--json", "--store", example_store)
    assert result.code == 0, result.stderr
    found = json.loads(result.stdout)["rows"]
    assert [r["id"] for r in found] == ["ex-accelerator"]
    text = run_cli("search", "example", "--category", "accelerator", "--store", example_store)
    assert text.stdout.splitlines()[3].split()[:2] == ["ex-accelerator", "Example"]
    wrong = run_cli("search", "--category", "acelerator", "--store", example_store)
    assert wrong.code == 2 and "accelerator" in wrong.stderr


def test_capacity_table_has_source_as_of_and_estimated(bundled: str) -> None:
    result = run_cli("capacities", "CoWoS", "--year", "2026", "--store", bundled)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[1].split()
    assert header == [
        "holder", "year", "kind", "amount", "as_given", "as_of", "confidence", "tier",
        "estimated", "source",
    ]  # fmt: skip
    notes = lines[lines.index("sources:") + 1 :]
    assert notes and all(n.startswith("  [") and "] https://" in n for n in notes)
    assert "  [1] https://" in notes[0]
    wide = run_cli("capacities", "CoWoS", "--year", "2026", "--wide", "--store", bundled).stdout
    assert "sources:" not in wide and "wafer/month" in wide
    as_json = json.loads(
        run_cli("capacities", "CoWoS", "--year", "2026", "--json", "--store", bundled).stdout
    )
    for row in as_json["rows"]:
        assert row["source"] in wide and row["as_of"] in wide
    table = wide.partition("\n\n")[0].splitlines()[3:]
    estimated = [line.split()[-2] for line in table]
    assert set(estimated) <= {"yes", "no"} and estimated


def test_a_name_is_called_name_in_every_table(example_store: str) -> None:
    with KnowledgeGraph.open(example_store) as kg:
        tables = [
            kg.search("example"),
            kg.impact({"ex-hbm-a": 0}),
            kg.impact({"ex-hbm-a": 0}, target="ex-rack"),
            kg.critical_path("ex-datacenter"),
            kg.single_points_of_failure("ex-rack"),
            kg.chokepoints(5),
            kg.dependencies("ex-rack"),
            kg.dependents("ex-hbm-a"),
            kg.capacities("ex-cowos"),
            kg.requirements("ex-rack"),
            kg.sources("ex-hbm"),
            kg.deployable("ex-rack", year=2025),
        ]
        graph = kg.subgraph("ex-rack")
    for table in tables:
        columns = set(table.to_frame().columns) | {k for r in table.to_dicts() for k in r}
        assert "label" not in columns, table.title
    assert all("label" not in attrs for _, attrs in graph.nodes(data=True))
    assert {"name"} <= {k for _, attrs in graph.nodes(data=True) for k in attrs}
    for command in (
        ["search", "example"],
        ["impact", "ex-hbm-a=0"],
        ["chokepoints"],
        ["dependencies", "ex-rack"],
        ["single-points-of-failure", "ex-rack"],
    ):
        shown = run_cli(*command, "--store", example_store).stdout.splitlines()[1].split()
        assert "label" not in shown and "name" in shown, command


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("given", "host", "port"),
    [
        ([], "127.0.0.1", "8000"),
        (["PORT=8080"], "127.0.0.1", "8080"),
        (["HOST=0.0.0.0", "PORT=9"], "0.0.0.0", "9"),
    ],
    ids=["default", "port", "host-and-port"],
)
def test_make_serve_takes_a_port_and_a_host(given: list[str], host: str, port: str) -> None:
    shown = subprocess.run(
        ["make", "-n", "serve", *given], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert f"stackgraph serve --host {host} --port {port}" in shown
    assert f"http://{host}:{port}/graphql" in shown
