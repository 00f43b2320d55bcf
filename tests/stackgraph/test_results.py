"""`Table`: typed rows with a title, shown as text, HTML, DataFrames and JSON-ready dicts."""

from __future__ import annotations

import json

import pytest

from stackgraph import Table
from stackgraph.graph import rows

STEPS = [
    rows.PathStep("rack", "Rack", "item", None, 14, 14, True, None),
    rows.PathStep("rack/chip", "rack/chip", "requirement", "rack/chip", 0, 14, False, None),
]
SUPPLY = rows.Source("fab", 0.5, "qualified", None, None)
REQUIREMENT = rows.Requirement("chip/node", "node", 2.0, 120, [SUPPLY], None)


def test_an_empty_table_keeps_its_columns() -> None:
    table = Table("nothing", [], columns=rows.Capacity.fields(), kind="capacities")
    assert list(table.to_frame().columns) == list(rows.Capacity.fields())
    assert "(none)" in table.to_text()


def test_text_html_and_frame_show_every_row() -> None:
    table = Table("critical path of rack: 14 days", STEPS, kind="critical_path")
    text = table.to_text(["node", "days"])
    assert text.splitlines()[0] == "critical path of rack: 14 days"
    assert "rack/chip" in text and "<table>" in table._repr_html_()
    assert table.to_frame()["days"].tolist() == [14, 0]


def test_to_dicts_is_plain_json() -> None:
    table = Table("requirements of chip", [REQUIREMENT], kind="requirements")
    plain = table.to_dicts()
    assert plain[0]["sources"] == [
        {
            "supplier": "fab",
            "share": 0.5,
            "qualification": "qualified",
            "lead_time_days": None,
            "provenance": None,
        }
    ]
    assert json.loads(json.dumps(plain)) == plain


def test_tables_compare_by_everything_they_show() -> None:
    a = Table("t", STEPS, summary={"total_days": 14}, kind="critical_path")
    assert a == Table("t", list(STEPS), summary={"total_days": 14}, kind="critical_path")
    assert a != Table("t", STEPS, summary={"total_days": 15}, kind="critical_path")


def test_raw_is_a_deprecated_name_for_the_rows() -> None:
    table = Table("t", STEPS)
    with pytest.warns(DeprecationWarning, match="rows"):
        assert table.raw == STEPS
