"""Sourced capacity of an item by year, every source a point (re-exported by `graph.plots`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

from graph.plotting._source import Graph, table_of
from graph.plotting._style import (
    MARKERS,
    message_figure,
    new_figure,
    note,
    shorten,
)

if TYPE_CHECKING:
    from graph.results import Table

__all__ = ["capacity_by_year"]


def capacity_by_year(
    source: Graph | Table,
    ref: str | None = None,
    *,
    unit: str | None = None,
    period: str | None = None,
) -> Figure:
    """Sourced capacity of one item by year: one line per holder, every source a point.

    Figures in one unit per one period are drawn (the most common pair unless `unit` and
    `period` say which); the note under the chart counts the figures left out. A range is a
    vertical bar from `amount` to `amount_max`; an estimate is a hollow marker. Two sources for
    the same holder and year are two points, so a disagreement shows.

    Args:
        source: the knowledge graph (with `ref`) or a `capacities` Table.
        ref: id, name or alias of the item, when `source` is a graph.
        unit: e.g. "wafers"; period: e.g. "month".

    Raises:
        ValueError: a Table of another analysis, or a graph without `ref`.

    Examples:
        >>> capacity_by_year(kg, "Example CoWoS-L", unit="wafers", period="month")
        <Figure size ... with 1 Axes>
    """

    def ask(kg: Graph) -> Table:
        if ref is None:
            raise ValueError("capacity_by_year needs `ref` (the item) when given a graph")
        return kg.capacities(ref)

    table = table_of(source, "capacities", ask)
    dated = [
        r
        for r in table.rows
        if r["year"] is not None
        and (unit is None or r["unit"] == unit)
        and (period is None or r["period"] == period)
    ]
    pairs = Counter((r["unit"], r["period"]) for r in dated)
    if not pairs:
        asked = f" in {unit or 'any unit'} per {period or 'any period'}" if unit or period else ""
        return message_figure(table.title, f"No figure with a year{asked}.")
    chosen = pairs.most_common(1)[0][0]
    rows = [r for r in dated if (r["unit"], r["period"]) == chosen]
    fig = new_figure(8.0, 4.6)
    ax = fig.add_subplot()
    several = len({r["of"] for r in rows}) > 1  # a holder's table: one line per item it makes

    def line_of(r: Mapping[str, Any]) -> str:
        holder = r["holder_name"] or "whole market"
        return f"{r['of_name']} ({holder})" if several else holder

    for k, name in enumerate(sorted({line_of(r) for r in rows})):
        mine = sorted(
            (r for r in rows if line_of(r) == name), key=lambda r: (r["year"], r["amount"])
        )
        colour = f"C{k % 10}"
        marker = MARKERS[k % len(MARKERS)]
        years = sorted({r["year"] for r in mine})
        # the line joins each year's mean, so sources that disagree do not zig-zag it
        means = [
            sum(r["amount"] for r in mine if r["year"] == y)
            / sum(1 for r in mine if r["year"] == y)
            for y in years
        ]
        ax.plot(years, means, color=colour, alpha=0.5, zorder=1)
        for r in mine:
            if r["amount_max"] is not None:
                ax.vlines(r["year"], r["amount"], r["amount_max"], color=colour, lw=2, zorder=2)
            ax.plot(
                r["year"],
                r["amount"],
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
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_ylabel(f"{chosen[0]} per {chosen[1]}")
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
    ax.set_title(f"Capacity of {subject} by year ({chosen[0]} per {chosen[1]})")
    left = len(table.rows) - len(rows)
    note(
        fig,
        "hollow: estimate; bar: a range; each point one source"
        + (f"; {left} figure(s) in other units or without a year not drawn" if left else ""),
    )
    return fig
