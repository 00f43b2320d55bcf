"""Sourced capacity of an item by year in canonical units, every source a point (re-exported by
`stackgraph.plots`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

from stackgraph.graph.units import (
    CANONICAL_PERIOD,
    KINDS,
    PERIODS,
    UnknownUnitError,
    parse_unit,
    registry,
)
from stackgraph.plotting._source import Answer, Graph, table_of
from stackgraph.plotting._style import (
    MARKERS,
    message_figure,
    new_figure,
    note,
    shorten,
)

__all__ = ["capacity_by_year"]


def capacity_by_year(
    source: Graph | Answer,
    ref: str | None = None,
    *,
    unit: str | None = None,
    period: str | None = None,
    kind: str = "capacity",
) -> Figure:
    """Sourced capacity of one item by year, in canonical units: one line per holder, every
    source a point.

    Only figures of `kind` are drawn (capacity: what can be made or delivered; shipments,
    demand, allocations, backlogs and installed bases are never drawn as capacity unless `kind`
    asks for them), each in its canonical unit (`stackgraph.graph.units`), so that 35,000 wafers a month
    and 420,000 wafers a year are one unit on one axis. The figures of one unit are drawn (the
    most common unless `unit` says which); rates are drawn per `period` (default month). The note
    under the chart counts the figures left out. A range is a vertical bar from `amount` to
    `amount_max`; an estimate is a hollow marker. Two sources for the same holder and year are
    two points, so a disagreement shows.

    Args:
        source: the knowledge graph (with `ref`) or a `capacities` Table.
        ref: id, name or alias of the item, when `source` is a graph.
        unit: which figures to draw, in any spelling of their unit ("wafers", "GPUs"; "MW"
            picks the power figures, drawn in GW).
        period: month, quarter or year: what rates are drawn per (default month).
        kind: which kind of figure to draw (`stackgraph.graph.units.KINDS`; default capacity).

    Raises:
        ValueError: a Table of another analysis, a graph without `ref`, or an unknown kind or
            period.

    Examples:
        >>> capacity_by_year(kg, "Example CoWoS-L", unit="wafers", period="month")
        <Figure size ... with 1 Axes>
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if period is not None and period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; expected one of {', '.join(PERIODS)}")

    def ask(kg: Graph) -> Answer:
        if ref is None:
            raise ValueError("capacity_by_year needs `ref` (the item) when given a graph")
        return kg.capacities(ref)

    table = table_of(source, "capacities", ask)
    per = period or CANONICAL_PERIOD
    wanted: str | None = None
    if unit is not None:
        try:
            wanted = parse_unit(unit).canonical
        except UnknownUnitError:
            return message_figure(
                table.title, f"No figure with a year in {unit} ({unit!r} is not a unit we know)."
            )
    dated = [
        r
        for r in table.rows
        if r["year"] is not None
        and r["kind"] == kind
        and r["canonical_unit"] is not None
        and (wanted is None or r["canonical_unit"] == wanted)
    ]
    units = Counter(r["canonical_unit"] for r in dated)
    if not units:
        asked = f" in {unit}" if unit else ""
        return message_figure(table.title, f"No {kind} figure with a year{asked}.")
    chosen = units.most_common(1)[0][0]
    rows = [r for r in dated if r["canonical_unit"] == chosen]
    # rates are per month in canonical form; a stock or a power has no period
    scale = _per(per) if rows[0]["canonical_period"] else 1.0
    label = f"{chosen} per {per}" if rows[0]["canonical_period"] else chosen
    fig = new_figure(8.0, 4.6)
    ax = fig.add_subplot()
    several = len({r["of"] for r in rows}) > 1  # a holder's table: one line per item it makes

    def line_of(r: Mapping[str, Any]) -> str:
        holder = r["holder_name"] or "whole market"
        return f"{r['of_name']} ({holder})" if several else holder

    def low(r: Mapping[str, Any]) -> float:
        return float(r["canonical_amount"]) * scale

    for k, name in enumerate(sorted({line_of(r) for r in rows})):
        mine = sorted((r for r in rows if line_of(r) == name), key=lambda r: (r["year"], low(r)))
        colour = f"C{k % 10}"
        marker = MARKERS[k % len(MARKERS)]
        years = sorted({r["year"] for r in mine})
        # the line joins each year's mean, so sources that disagree do not zig-zag it
        means = [
            sum(low(r) for r in mine if r["year"] == y) / sum(1 for r in mine if r["year"] == y)
            for y in years
        ]
        ax.plot(years, means, color=colour, alpha=0.5, zorder=1)
        for r in mine:
            if r["canonical_amount_max"] is not None:
                top = float(r["canonical_amount_max"]) * scale
                ax.vlines(r["year"], low(r), top, color=colour, lw=2, zorder=2)
            ax.plot(
                r["year"],
                low(r),
                marker=marker,
                color=colour,
                markerfacecolor="white" if r["estimated"] else colour,
                markersize=7,
                linestyle="none",
                zorder=3,
            )
        ax.plot([], [], marker=marker, color=colour, label=shorten(name, 40))
    ax.set_xticks(sorted({r["year"] for r in rows}))
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}")
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    holders = {r["holder_name"] for r in rows}
    subject = (
        rows[0]["of_name"]
        if not several
        else (holders.pop() or "the market")
        if len(holders) == 1
        else table.summary.get("item", "")
    )
    what = "Capacity" if kind == "capacity" else kind.capitalize().replace("-", " ")
    ax.set_title(f"{what} of {subject} by year ({label})")
    other_kind = sum(1 for r in table.rows if r["kind"] != kind)
    other_unit = len(table.rows) - len(rows) - other_kind
    left = []
    if other_kind:
        left.append(f"{other_kind} figure(s) of another kind (not {kind})")
    if other_unit:
        left.append(f"{other_unit} in other units or without a year")
    note(
        fig,
        "hollow: estimate; bar: a range; each point one source; canonical units"
        + (f"; not drawn: {', '.join(left)}" if left else ""),
    )
    return fig


def _per(period: str) -> float:
    """How many of a canonical (per month) rate make one per `period`."""
    reg = registry()
    return float(reg.Quantity(1.0, f"1/{CANONICAL_PERIOD}").to(f"1/{period}").magnitude)
