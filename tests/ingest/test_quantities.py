"""Units, periods and kinds at ingest: real runs refuse each mistake with file, line, field and
what would be right, exit 1 and leave the store as it was; the bundled data follows the rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from stackgraph.graph.units import KINDS, RATE_KINDS, STOCK_KINDS, parse_unit
from tests.conftest import ROOT, run_cli
from tests.ingest._cli import Ingested, export_nt, ingest_examples, summary

_SOURCE = "source: https://example.org/units\n    as_of: 2026\n    confidence: low"
_TURBINE = f"""entities:
  - id: ex-turbine
    type: Product
    name: Example gas turbine
    layer: infrastructure
    category: power-equipment
    {_SOURCE}
"""


def _capacity(fields: str) -> str:
    return f"capacities:\n  - of: ex-turbine\n    holder: ex-foundry\n{fields}    {_SOURCE}\n"


CASES: dict[str, tuple[str, str, str]] = {
    # name: (records, field, what the message says)
    "unknown-unit": (
        _capacity(
            "    kind: capacity\n    amount: 10\n    unit: 12-inch wafers\n    period: month\n"
        ),
        "unit",
        "got '12-inch wafers', which is not a unit of the vocabulary; closest: wafer;"
        " expected a count (wafer, die, package",
    ),
    "rate-without-period": (
        _capacity("    kind: capacity\n    amount: 10\n    unit: units\n    year: 2026\n"),
        "period",
        "is missing: a capacity figure in 'units' is an amount per period; give period: month,"
        " quarter or year",
    ),
    "backlog-as-capacity": (
        _capacity("    kind: capacity\n    amount: 100\n    unit: GW\n    year: 2026\n"),
        "kind",
        "got 'capacity' in 'GW' with no period for 'ex-turbine', a power-equipment: only a"
        " facility or an energy supply has a power capacity of its own",
    ),
    "backlog-in-the-note": (
        _capacity(
            "    kind: capacity\n    amount: 70\n    unit: units\n    period: year\n"
            "    note: order backlog through 2030\n"
        ),
        "kind",
        "got 'capacity', but the note speaks of 'backlog': orders not yet delivered are kind:"
        " backlog",
    ),
    "stock-with-period": (
        _capacity("    kind: backlog\n    amount: 100\n    unit: GW\n    period: year\n"),
        "period",
        "got 'year', but a backlog is a stock at a date and has no period: drop `period`",
    ),
    "money": (
        _capacity("    kind: shipments\n    amount: 10\n    unit: USD\n    period: year\n"),
        "unit",
        "got 'USD', a money amount, which is never a shipments figure",
    ),
    "requirement-unknown-unit": (
        "requirements:\n  - item: ex-rack\n    input: ex-turbine\n    quantity: 8\n"
        f"    unit: stakcs\n    {_SOURCE}\n",
        "unit",
        "got 'stakcs', which is not a unit of the vocabulary; closest: stack",
    ),
    "requirement-quantity-without-unit": (
        f"requirements:\n  - item: ex-rack\n    input: ex-turbine\n    quantity: 8\n    {_SOURCE}\n",
        "unit",
        "is missing: the quantity 8 needs a unit",
    ),
}


def _line_of(text: str, field: str) -> int:
    """The line of `field` in the last record of `text`, or of the record when it is missing."""
    lines = text.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("  - "))
    for i in range(start, len(lines)):
        if lines[i].lstrip("- ").startswith(f"{field}:"):
            return i + 1
    return start + 1


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    return ingest_examples(tmp_path_factory.mktemp("quantities"))


@pytest.mark.parametrize("case", list(CASES), ids=str)
def test_a_mistake_is_refused_and_nothing_changes(
    case: str, ingested: Ingested, tmp_path: Path
) -> None:
    store_spec = ingested.copy(tmp_path / "store")
    records, field, message = CASES[case]
    text = _TURBINE + records
    with ingested.adding("units.yaml", text.encode("utf-8")):
        result = run_cli("ingest", str(ingested.sources), "--store", store_spec)

    assert result.code == 1, result.stderr
    problems = summary(result.stdout)["problems"]
    assert [(Path(p["file"]).name, p["line"], p["field"]) for p in problems] == [
        ("units.yaml", _line_of(text, field), field)
    ], problems
    assert message in problems[0]["message"]
    assert f"units.yaml:{_line_of(text, field)}:" in result.stderr
    assert sorted(export_nt(store_spec, "--with-meta").splitlines()) == ingested.triples


def test_what_the_rules_allow(dataset: Path, store_spec: str) -> None:
    """A power capacity of a facility, power-rated output per year, stocks without a period, a
    record without a kind (a capacity), and a fraction of a wafer per package."""
    fields = [
        "    of: ex-datacenter\n    kind: capacity\n    amount: 1200\n    unit: MW\n",
        "    of: ex-turbine\n    kind: capacity\n    amount: 40\n    unit: GW\n    period: year\n",
        "    of: ex-turbine\n    kind: backlog\n    amount: 100\n    unit: GW\n",
        "    of: ex-datacenter\n    kind: installed-base\n    amount: 200000\n    unit: GPUs\n",
        "    of: ex-turbine\n    amount: 70\n    unit: units\n    period: year\n",
    ]
    text = _TURBINE + "capacities:\n" + "".join(f"  -{f[3:]}    {_SOURCE}\n" for f in fields)
    text += (
        "requirements:\n  - item: ex-rack\n    input: ex-turbine\n    quantity: 0.0625\n"
        f"    unit: wafer\n    {_SOURCE}\n"
    )
    (dataset / "units.yaml").write_text(text, encoding="utf-8")
    result = run_cli("ingest", str(dataset), "--store", store_spec)
    assert result.code == 0, result.stderr
    shown = run_cli("capacities", "ex-turbine", "--json", "--store", store_spec)
    answer = json.loads(shown.stdout)
    per_month = {r["canonical_unit"]: r["canonical_amount"] for r in answer["rows"]}
    assert per_month == {"GW": pytest.approx(40 / 12), "unit": pytest.approx(70 / 12)}
    assert {r["kind"] for r in answer["rows"]} == {"capacity"}  # 70 units: no kind, a capacity
    assert [r["kind"] for r in answer["apart"]] == ["backlog"]


def _records(section: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((ROOT / "data").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [(path.name, r) for r in doc.get(section) or []]
    return found


def test_every_bundled_capacity_states_its_kind_and_a_unit_of_the_vocabulary() -> None:
    capacities = _records("capacities")
    assert capacities
    for name, record in capacities:
        where = f"{name}: {record['of']} {record.get('year')} {record['amount']}"
        assert record.get("kind") in KINDS, where
        assert parse_unit(record["unit"]).measure != "money", where
        if record["kind"] in STOCK_KINDS:
            assert "period" not in record, where
        elif parse_unit(record["unit"]).measure != "power":
            assert record["kind"] in RATE_KINDS and record.get("period"), where


def test_every_bundled_quantity_has_a_unit_of_the_vocabulary() -> None:
    requirements = [(n, r) for n, r in _records("requirements") if "quantity" in r]
    assert requirements
    for name, record in requirements:
        parse_unit(record["unit"])  # raises on a unit outside the vocabulary
        assert parse_unit(record["unit"]).measure != "money", (name, record["item"])
