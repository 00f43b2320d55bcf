"""The unit registry: the vocabulary, what it refuses, canonical forms, and the bundled figures
in canonical units on both clients and in the capacity chart."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from stackgraph import KnowledgeGraph, plots
from stackgraph.api.settings import Settings
from stackgraph.graph.units import (
    CANONICAL_PERIOD,
    COUNTS,
    KINDS,
    PERIODS,
    RATE_KINDS,
    STOCK_KINDS,
    Canonical,
    UnknownUnitError,
    canonical,
    parse_unit,
    registry,
    vocabulary,
)
from stackgraph.schema._spec import load
from tests.api._server import ingest, serving
from tests.conftest import ROOT, run_cli


def test_kinds_and_periods_are_the_schemas() -> None:
    schema = load()
    assert tuple(schema.enums["CapacityKind"].values) == KINDS
    assert tuple(schema.enums["Period"].values) == PERIODS
    assert set(RATE_KINDS) | STOCK_KINDS == set(KINDS) and not set(RATE_KINDS) & STOCK_KINDS
    assert {"backlog", "installed-base"} == STOCK_KINDS and CANONICAL_PERIOD in PERIODS


def test_every_count_is_its_own_dimension() -> None:
    for name in COUNTS:
        assert parse_unit(name).name == name and name in vocabulary()
    with pytest.raises(pint.DimensionalityError):
        registry().Quantity(1, "wafer").to("package")  # only a sourced requirement relates them
    with pytest.raises(pint.DimensionalityError):
        registry().Quantity(1, "GPU").to("chip")


@pytest.mark.parametrize(
    ("text", "name", "measure", "canonical_unit"),
    [
        ("wafers", "wafer", "count", "wafer"),
        ("GPUs", "accelerator", "count", "accelerator"),
        ("tiles", "die", "count", "die"),
        ("superchips", "board", "count", "board"),
        ("nodes", "server", "count", "server"),
        ("units", "unit", "count", "unit"),
        ("million wafers", "wafer", "count", "wafer"),
        ("MW", "megawatt", "power", "GW"),
        ("GWh", "gigawatt_hour", "energy", "GWh"),
        ("Gb", "gigabit", "information", "GB"),
        ("USD", "dollar", "money", "dollar"),
    ],
    ids=str,
)
def test_spellings_of_the_vocabulary(
    text: str, name: str, measure: str, canonical_unit: str
) -> None:
    unit = parse_unit(text)
    assert (unit.text, unit.name, unit.measure, unit.canonical) == (
        text,
        name,
        measure,
        canonical_unit,
    )


@pytest.mark.parametrize(
    ("text", "reason", "suggestions"),
    [
        ("12-inch wafers", "is not a unit of the vocabulary", ["wafer"]),
        ("wafers (demand)", "is not a unit of the vocabulary", ["wafer"]),
        ("MW critical IT", "is not a unit of the vocabulary", ["MW"]),
        ("waffers", "is not a unit of the vocabulary", ["wafer"]),
        ("parsecs", "is not a unit of the vocabulary", []),
        ("wafers/month", "carries a period; write the unit alone and the period in `period`", []),
        ("GPU dies", "is not a count, power, energy or data unit", ["accelerator", "die"]),
        ("quarter", "is not a count, power, energy or data unit", []),
        (" ", "is empty", []),
    ],
    ids=str,
)
def test_what_is_not_a_unit(text: str, reason: str, suggestions: list[str]) -> None:
    with pytest.raises(UnknownUnitError) as caught:
        parse_unit(text)
    assert caught.value.reason.startswith(reason)
    assert caught.value.suggestions[: len(suggestions)] == suggestions
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        ((450000, None, "GPUs", "quarter"), (150000.0, None, "accelerator", "month", True)),
        ((6000000, None, "GPUs", "year"), (500000.0, None, "accelerator", "month", True)),
        ((75000, 80000, "wafers", "month"), (75000.0, 80000.0, "wafer", "month", False)),
        ((1, None, "wafer", "day"), (30.4375, None, "wafer", "month", True)),
        ((1200, None, "MW", None), (1.2, None, "GW", None, True)),
        ((1800, 10000, "MW", None), (1.8, 10.0, "GW", None, True)),
        ((40, None, "GW", "year"), (3.33333333333, None, "GW", "month", True)),
        ((3e10, None, "Gb", "year"), (312500000.0, None, "GB", "month", True)),
        ((200000, None, "GPUs", None), (200000.0, None, "accelerator", None, False)),
        ((2, None, "million chips", "quarter"), (666666.666667, None, "chip", "month", True)),
    ],
    ids=str,
)
def test_canonical_forms(
    figure: tuple[float, float | None, str, str | None],
    expected: tuple[float, float | None, str, str | None, bool],
) -> None:
    assert canonical(*figure) == Canonical(*expected)


@pytest.mark.parametrize(
    "figure",
    [(1, None, "dollars", "year"), (1, None, "parsecs", "month"), (1, None, "wafers", "total")],
    ids=["money", "unknown-unit", "unknown-period"],
)
def test_no_canonical_form(figure: tuple[float, float | None, str, str | None]) -> None:
    assert canonical(*figure) is None


@given(
    amount=st.floats(min_value=0, max_value=1e12, allow_nan=False),
    scale=st.floats(min_value=0.001, max_value=1000),
    unit=st.sampled_from([*COUNTS, "MW", "kWh", "TB"]),
    period=st.sampled_from([*PERIODS, None]),
)
def test_canonical_scales_with_the_amount(
    amount: float, scale: float, unit: str, period: str | None
) -> None:
    one, scaled = (
        canonical(amount, None, unit, period),
        canonical(amount * scale, None, unit, period),
    )
    assert one is not None and scaled is not None
    assert scaled.amount == pytest.approx(one.amount * scale, rel=1e-9, abs=1e-9)
    assert (scaled.unit, scaled.period) == (one.unit, one.period)


@given(
    amount=st.floats(min_value=0, max_value=1e12, allow_nan=False),
    unit=st.sampled_from(list(COUNTS)),
)
def test_periods_convert_into_each_other(amount: float, unit: str) -> None:
    month = canonical(amount, None, unit, "month")
    quarter = canonical(3 * amount, None, unit, "quarter")
    year = canonical(12 * amount, None, unit, "year")
    assert month is not None and quarter is not None and year is not None
    assert quarter.amount == pytest.approx(month.amount, rel=1e-9, abs=1e-9)
    assert year.amount == pytest.approx(month.amount, rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------- the bundled data


@pytest.fixture(scope="module")
def data_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled data, ingested once for the module."""
    spec = f"oxigraph:{tmp_path_factory.mktemp('units') / 'store'}"
    ingest(ROOT / "data", spec)
    return spec


@pytest.fixture(scope="module")
def clients(data_store: str) -> Iterator[tuple[KnowledgeGraph, KnowledgeGraph]]:
    with (
        serving(Settings(store=data_store)) as server,
        KnowledgeGraph.open(data_store) as local,
        KnowledgeGraph.connect(server.graphql) as remote,
    ):
        yield local, remote


@pytest.mark.slow
@pytest.mark.parametrize(
    "ref", ["CoWoS", "gas-turbine", "colossus-2", "stargate-abilene", "tsmc"], ids=str
)
def test_both_clients_give_the_same_canonical_rows(
    clients: tuple[KnowledgeGraph, KnowledgeGraph], ref: str
) -> None:
    local, remote = clients
    mine, theirs = local.capacities(ref), remote.capacities(ref)
    assert mine.rows and mine.rows == theirs.rows and mine.summary == theirs.summary


@pytest.mark.slow
def test_a_backlog_is_never_a_capacity(clients: tuple[KnowledgeGraph, KnowledgeGraph]) -> None:
    local, _ = clients
    turbines = local.capacities("gas-turbine")
    backlogs = [r for r in turbines if r.kind == "backlog"]
    # GE Vernova's backlog as it grew, each figure its own record: a stock, in GW, no period
    assert {r.holder for r in backlogs} >= {"ge-vernova"}
    assert all(r.unit == "GW" and r.period is None for r in backlogs)
    assert 100.0 in {r.amount for r in backlogs if r.holder == "ge-vernova"}
    capacity = local.capacities("gas-turbine", kind="capacity")
    assert capacity.rows and all(r.canonical_period == "month" for r in capacity)


@pytest.mark.slow
def test_cowos_2026_in_canonical_units_with_other_kinds_apart(data_store: str) -> None:
    result = run_cli("capacities", "CoWoS", "--year", "2026", "--json", "--store", data_store)
    assert result.code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {r["kind"] for r in answer["rows"]} == {"capacity"}
    assert {(r["canonical_unit"], r["canonical_period"]) for r in answer["rows"]} == {
        ("wafer", "month"),
    }
    assert all(r["source"] and r["as_of"] for r in answer["rows"])
    broadcom = [
        (r["kind"], r["canonical_amount"]) for r in answer["apart"] if r["holder"] == "broadcom"
    ]
    assert ("allocation", pytest.approx(185000 / 12)) in broadcom
    text = run_cli("capacities", "CoWoS", "--year", "2026", "--store", data_store).stdout
    listed, _, others = text.partition("listed apart, not capacity")
    assert "broadcom" not in listed and "broadcom" in others and "allocation" in others


@pytest.mark.slow
def test_the_chart_draws_capacity_only_in_canonical_units(
    clients: tuple[KnowledgeGraph, KnowledgeGraph],
) -> None:
    local, _ = clients
    table = local.capacities("CoWoS")
    not_capacity = [r for r in table if r.kind != "capacity" and r.year is not None]
    assert {r.kind for r in not_capacity} >= {"demand", "allocation", "shipments"}
    fig = plots.capacity_by_year(table, unit="wafers")
    # the 2027 demand (2.69M wafers a year) and the 2026 allocations are no points
    assert not _points(fig) & {r.canonical_amount for r in not_capacity}
    assert "of another kind (not capacity)" in fig.get_supxlabel()
    yearly = plots.capacity_by_year(table, unit="wafer", period="year", kind="allocation")
    assert yearly.axes[0].get_ylabel() == "wafer per year"
    assert yearly.axes[0].get_title().startswith("Allocation of")
    assert sorted(_points(yearly)) == pytest.approx(
        sorted(12 * r.canonical_amount for r in table if r.kind == "allocation")
    )
    power = plots.capacity_by_year(local, "Stargate Abilene", unit="MW")  # in GW, no period
    assert power.axes[0].get_ylabel() == "GW"
    racks = plots.capacity_by_year(table, unit="racks")
    assert "No capacity figure with a year in racks" in racks.axes[0].texts[0].get_text()
    with pytest.raises(ValueError, match="unknown kind 'backlogs'"):
        plots.capacity_by_year(table, kind="backlogs")
    with pytest.raises(ValueError, match="unknown period 'total'"):
        plots.capacity_by_year(table, period="total")


def _points(fig: Figure) -> set[float]:
    """The values of the points (not the lines) of a capacity chart."""
    return {
        float(line.get_ydata()[0])
        for line in fig.axes[0].get_lines()
        if line.get_linestyle() == "None" and len(line.get_xdata())
    }
