"""The critical path of an item as a Gantt chart (re-exported by `stackgraph.plots`)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from stackgraph.graph.arguments import renamed
from stackgraph.plotting._source import Answer, Graph, is_graph, table_of
from stackgraph.plotting._style import (
    layer_colour,
    layer_handles,
    message_figure,
    new_figure,
    note,
    shorten,
)

__all__ = ["critical_path_gantt"]


def _to_years(days: Any) -> Any:
    return np.asarray(days, dtype=float) / 365.0


def _to_days(years: Any) -> Any:
    return np.asarray(years, dtype=float) * 365.0


def _gantt_table(source: Graph | Answer, item: str | None) -> Answer:
    def ask(kg: Graph) -> Answer:
        if item is None:
            raise ValueError("critical_path_gantt(kg, ref) needs the id of an item")
        return kg.critical_path(item)

    return table_of(source, "critical_path", ask)


#: Step kinds that are an item's own time (drawn as items, not as waits on a link).
_ITEM_KINDS = ("quoted", "stage", "item")


@renamed(item="ref")
def critical_path_gantt(source: Graph | Answer, ref: str | None = None) -> Figure:
    """The critical path of an item as a Gantt chart in days, first order at the top.

    Each step of the path (an item's quoted lead time, its inputs included, hatched; an item's
    stage time; or a wait on a requirement or a source) is a bar from when it must start to
    when it is done; the item itself finishes at the total lead time. Steps without a known
    time are grey diamonds marked "?": the lead time is then a lower bound.

    Args:
        source: the knowledge graph (then `ref` is required) or a `critical_path` Table.
        ref: id, name or alias of the item.

    Returns:
        A new figure; nothing is shown.

    Raises:
        UnknownEntityError: `ref` names no entity.
        ValueError: no item given with a graph, or a Table of another analysis.

    Examples:
        >>> critical_path_gantt(kg, "ex-datacenter")
        <Figure size ... with 1 Axes>
        >>> critical_path_gantt(kg.critical_path("Example X-1"))
        <Figure size ... with 1 Axes>

    Notes:
        O(steps); one entity lookup per step when given the graph.
    """
    table = _gantt_table(source, ref)
    kg = source if is_graph(source) else None
    total = int(table.summary.get("total_days") or 0)
    steps = list(table.rows)[::-1]
    if not steps:
        return message_figure(table.title, "The critical path has no steps.")

    def layer_of(index: int) -> str | None:
        # A requirement takes the layer of the input it waits for: the step just before it.
        step = steps[index]
        if kg is None:
            return None
        if step["kind"] == "requirement" and index > 0:
            step = steps[index - 1]
        node = str(step["node"])
        try:
            return kg.info(node).layer
        except KeyError:
            return None

    def item_name(indices: range) -> str:
        return next(
            (str(steps[j]["name"]) for j in indices if steps[j]["kind"] in _ITEM_KINDS), "?"
        )

    def label_of(index: int) -> str:
        # Steps run in time order: an input comes before its requirement, the consumer after.
        step = steps[index]
        if step["kind"] == "requirement":
            before = item_name(range(index - 1, -1, -1))
            after = item_name(range(index + 1, len(steps)))
            return shorten(f"{before} → {after}", 48)
        if step["kind"] == "source":
            return shorten(f"supply from {step['name']}", 48)
        return shorten(str(step["name"]), 48)

    fig = new_figure(11.0, max(3.0, 0.42 * len(steps) + 2.1))
    ax = fig.add_subplot()
    span = max(total, 30)
    unknown = 0
    layers: list[str | None] = []
    for i, step in enumerate(steps):
        days, cumulative = int(step["days"] or 0), int(step["cumulative"] or 0)
        start = total - cumulative
        if not step["lead_time_known"]:
            unknown += 1
            ax.plot(start, i, marker="D", color="#9a9a9a", ms=8, zorder=3)
            ax.text(start + span * 0.012, i, "?", va="center", fontsize=10, color="#555555")
            continue
        layer = layer_of(i)
        layers.append(layer)
        if days == 0:
            ax.plot(start, i, marker="D", color="#333333", ms=7, zorder=3)
            continue
        ax.barh(
            i,
            days,
            left=start,
            height=0.6,
            color=layer_colour(layer),
            edgecolor="#333333",
            hatch="//" if step["kind"] == "quoted" else None,
        )
        ax.text(
            start + days + span * 0.01,
            i,
            f"{days:,} d → day {start + days:,}",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(range(len(steps)), [label_of(i) for i in range(len(steps))], fontsize=9)
    for i, step in enumerate(steps):
        if step["kind"] not in _ITEM_KINDS:
            ax.get_yticklabels()[i].set_fontstyle("italic")
    ax.invert_yaxis()
    ax.set_xlim(-span * 0.02, span * 1.22)
    ax.axvline(total, color="#333333", ls="--", lw=1)
    ax.set_xlabel("days from the first order")
    if span >= 365:
        years = ax.secondary_xaxis("top", functions=(_to_years, _to_days))
        years.set_xlabel("years")
    if unknown == len(steps):
        ax.text(
            0.5,
            0.5,
            "No lead time is known on this path yet.",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=11,
            color="#555555",
            bbox={"facecolor": "white", "edgecolor": "#bbbbbb"},
        )
    ax.grid(axis="x", alpha=0.3)
    name = steps[-1]["name"] if steps[-1]["kind"] in _ITEM_KINDS else table.summary.get("item")
    bound = " (lower bound)" if unknown else ""
    ax.set_title(f"Critical path of {name}: lead time {total:,} days{bound}", fontsize=12)
    handles: list[Patch | Line2D] = list(layer_handles(layers)) if kg is not None else []
    if any(step["kind"] == "quoted" for step in steps):
        handles.append(
            Patch(facecolor="white", edgecolor="#333333", hatch="//", label="quoted (inputs in)")
        )
    handles.append(Line2D([], [], marker="D", color="#9a9a9a", ls="", label="lead time unknown"))
    # Beside the chart, never over it: the bars' day labels run to its right edge.
    fig.legend(handles=handles, loc="outside right upper", fontsize=8)
    if unknown:
        missing = int(table.summary.get("missing_in_closure_count") or 0)
        text = (
            f"{unknown} of {len(steps)} steps have no known time, so the lead time of "
            f"{total:,} days is a lower bound ({missing} items or links below it lack one)."
        )
        note(fig, text)
    return fig
