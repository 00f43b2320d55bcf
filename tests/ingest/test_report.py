"""The JSON summary of a run, the last line on stdout that a scheduler reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stackgraph.ingest.problems import Problem
from stackgraph.ingest.report import IngestReport, SourceReport
from tests.conftest import run_cli
from tests.ingest._cli import summary

_SOURCE_KEYS = {"source", "graph", "outcome", "triples", "added", "removed", "seconds"}


@pytest.mark.parametrize(
    ("problems", "keys"),
    [
        ([], {"outcome", "store", "run", "seconds", "sources"}),
        (
            [Problem("a.yaml", 1, "bad")],
            {"outcome", "store", "run", "seconds", "sources", "problems"},
        ),
    ],
    ids=["no-problems", "problems-counted"],
)
def test_summary_keys(problems: list[Problem], keys: set[str]) -> None:
    report = IngestReport(
        "memory:", "invalid", [SourceReport("a.yaml", "g")], problems, seconds=1.23456
    )
    out = report.to_dict()
    assert set(out) == keys
    assert out["seconds"] == 1.235 and set(out["sources"][0]) == _SOURCE_KEYS
    assert out.get("problems", 0) == len(problems)
    assert json.loads(json.dumps(out)) == out


def test_cli_prints_the_summary_last(dataset: Path, store_spec: str) -> None:
    result = run_cli("ingest", str(dataset), "--store", store_spec)
    out = summary(result.stdout)
    assert result.code == 0, result.stderr
    assert out["outcome"] == "changed" and out["store"] == store_spec
    assert out["run"].startswith("https://w3id.org/stackgraph/graph/run/")
    assert [set(s) for s in out["sources"]] == [_SOURCE_KEYS] * 3
