"""Problems say where (file, line, record, field) and what was expected; errors are typed."""

from __future__ import annotations

import json
from datetime import date

import pytest

from stackgraph.graph.errors import StackgraphError
from stackgraph.ingest.problems import IngestError, InvalidInputError, Problem, UsageError


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (Problem("a.yaml", None, "is empty"), "a.yaml: is empty"),
        (Problem("a.yaml", 3, "bad", field="layer"), "a.yaml:3: field 'layer': bad"),
        (
            Problem("a.yaml", 3, "bad", field="id", record="Organization 'x'"),
            "a.yaml:3: Organization 'x' field 'id': bad",
        ),
    ],
    ids=["file-only", "line-and-field", "with-record"],
)
def test_problem_reads_as_file_line_record_field(problem: Problem, text: str) -> None:
    assert str(problem) == text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("x", "x"),
        (3, 3),
        (None, None),
        ([1, 2], "[1, 2]"),
        (date(2025, 1, 2), "datetime.date(2025, 1, 2)"),
    ],
    ids=["str", "int", "none", "list", "date"],
)
def test_problem_value_is_always_json(value: object, written: object) -> None:
    out = Problem("a.yaml", 1, "bad", value=value).to_dict()
    assert out["value"] == written
    assert json.loads(json.dumps(out)) == out


def test_errors_share_one_base() -> None:
    for error in (UsageError("x"), InvalidInputError([Problem("a", 1, "b")])):
        assert isinstance(error, IngestError) and isinstance(error, StackgraphError)
    assert str(InvalidInputError([Problem("a", 1, "b")] * 2)) == "2 problem(s) in the input"
