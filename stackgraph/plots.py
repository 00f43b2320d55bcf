"""Pictures of the graph for analysts: dependency trees, Gantt charts, chokepoints, what-ifs.

Every function is pure (a `KnowledgeGraph` or a `Table` and parameters in, a new
`matplotlib.figure.Figure` out), never shows anything and never touches pyplot's global state,
so it runs under any backend (Agg included). Display a figure in Jupyter by leaving it as the last
expression of a cell; save it with `fig.savefig("out.png")`. Items are coloured by layer with one
fixed palette (`LAYER_COLOURS`), shortage status by `STATUS_COLOURS`.

    from stackgraph import KnowledgeGraph, plots
    kg = KnowledgeGraph.open()
    plots.dependency_tree(kg, "gb200-nvl72", shortages={"cowos-l": 0})
    plots.plot(kg.chokepoints(10)).savefig("chokepoints.png")

On the example data of the tests:

    >>> dependency_tree(kg, "ex-rack", shortages={"ex-cowos": 0})
    <Figure size ... with 1 Axes>
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from stackgraph.graph.arguments import parse_shortages, renamed
from stackgraph.plotting._capacity import capacity_by_year
from stackgraph.plotting._deployable import deployable_chart
from stackgraph.plotting._gantt import critical_path_gantt
from stackgraph.plotting._source import Answer, Graph, table_of
from stackgraph.plotting._style import (
    LAYER_COLOURS,
    LAYERS,
    LINE_COLOURS,
    LINESTYLES,
    MARKERS,
    STATUS_COLOURS,
    layer_colour,
    layer_handles,
    message_figure,
    new_figure,
    note,
    positive,
    shorten,
)
from stackgraph.plotting._tree import build_view, draw_view, place

__all__ = [
    "LAYERS",
    "LAYER_COLOURS",
    "STATUS_COLOURS",
    "capacity_by_year",
    "chokepoint_bars",
    "critical_path_gantt",
    "dependency_tree",
    "deployable_chart",
    "impact_by_layer",
    "plot",
    "what_if",
]


@renamed(system="ref")
def dependency_tree(
    kg: Graph,
    ref: str,
    depth: int | None = None,
    shortages: Mapping[str, float] | Sequence[str] | None = None,
    *,
    max_nodes: int = 60,
    suppliers: bool = True,
    substitution: bool = False,
) -> Figure:
    """Everything one item depends on, one column per layer in stack order (foundry → harness).

    Each box is an item, filled with its layer's colour. Solid lines join an item to the inputs
    it needs, dotted lines to the suppliers that provide them. With `shortages`, items the
    shortage blocks get a red outline and constrained ones a dashed orange outline, each with its
    availability; shortage items are marked ▼, and lines that carry the shortage are coloured.

    Args:
        kg: the knowledge graph.
        ref: id, name or alias of the item at the top of the tree.
        depth: how many item hops to follow down (all when None).
        shortages: id -> availability in [0, 1], or `ID[=AVAILABILITY]` strings, as for
            `KnowledgeGraph.impact`.
        max_nodes: the most items drawn; beyond it affected items and the nearest ones are kept
            and a note under the picture says how many were left out.
        suppliers: whether to draw suppliers (organisations, plants) as well as inputs.
        substitution: passed to `KnowledgeGraph.impact`.

    Returns:
        A new figure; nothing is shown.

    Raises:
        UnknownEntityError: `ref` or a shortage id names no entity.
        ValueError: `depth` is negative or `max_nodes` is not positive.

    Examples:
        >>> fig = dependency_tree(kg, "Example X-1", shortages={"Example CoWoS-L": 0.0})
        >>> fig.axes[0].get_title()
        '...'


    Notes:
        O((V + E) log V) for the view plus O(sweeps * E) to order the columns.
    """
    if depth is not None and depth < 0:
        raise ValueError(f"depth must be 0 or more (or None for all), got {depth!r}")
    positive("max_nodes", max_nodes)
    root = kg.resolve(ref)
    status: dict[str, tuple[str, float, float]] = {}
    wanted: dict[str, float] = {}
    if shortages is not None:
        wanted = {kg.resolve(k): v for k, v in parse_shortages(shortages).items()}
        table = kg.impact(wanted, substitution=substitution)
        status = {
            str(r["id"]): (str(r["status"]), float(r["low"]), float(r["high"])) for r in table
        }
    g = kg.subgraph(root, depth)
    view = build_view(
        g, root, max_nodes=max_nodes, suppliers=suppliers, keep=frozenset(status) | set(wanted)
    )
    columns, pos = place(view)
    tallest = max(sum(1 for x, _ in pos.values() if x == c) for c in range(len(columns)))
    fig = new_figure(max(7.0, 2.35 * len(columns) + 0.6), max(3.6, 0.34 * tallest + 2.4))
    ax = fig.add_subplot()
    draw_view(ax, view, columns, pos, status, wanted)

    name = kg.info(root).name
    title = f"What {name} depends on, by layer"
    if depth is not None:
        title += f" (depth ≤ {depth})"
    if wanted:
        shown = [s for s, _, _ in status.values()]
        title += "\nshortage: " + ", ".join(f"{k} at {v:.0%}" for k, v in wanted.items())
        title += (
            f" → {shown.count('BLOCKED')} BLOCKED, {shown.count('CONSTRAINED')} CONSTRAINED,"
            f" {shown.count('POSSIBLY_CONSTRAINED')} POSSIBLY CONSTRAINED across the graph"
        )
    ax.set_title(title, fontsize=12)
    notes = []
    if len(view.nodes) < view.total:
        notes.append(
            f"Showing {len(view.nodes)} of {view.total} items (affected and nearest first); "
            "raise max_nodes= or lower depth= to change the view."
        )
    if len(view.nodes) == 1:
        notes.append(f"No dependencies of {name} are recorded.")
    if notes:
        note(fig, "  ".join(notes))
    return fig


def _chokepoint_table(source: Graph | Answer, top: int, categories: Sequence[str] | None) -> Answer:
    return table_of(source, "chokepoints", lambda kg: kg.chokepoints(top, categories=categories))


def chokepoint_bars(
    source: Graph | Answer, top: int = 15, *, categories: Sequence[str] | None = None
) -> Figure:
    """Horizontal bars: how many end products each chokepoint alone can block, biggest on top.

    Args:
        source: the knowledge graph or a `chokepoints` Table (then `top` and `categories` are
            the table's own).
        top: how many chokepoints to rank.
        categories: only items of these categories (e.g. `["memory", "packaging-technology"]`).

    Returns:
        A new figure (a message instead of bars when nothing qualifies); nothing is shown.

    Raises:
        ValueError: `top` is not positive, or a Table of another analysis.

    Examples:
        >>> chokepoint_bars(kg, top=3)
        <Figure size ... with 1 Axes>

    Notes:
        One chokepoint analysis; O(top) to draw.
    """
    positive("top", top)
    table = _chokepoint_table(source, top, categories)
    if not table.rows:
        return message_figure(table.title, "No chokepoints match these filters.")
    rows = list(table.rows)
    fig = new_figure(9.0, max(2.6, 0.36 * len(rows) + 1.6))
    ax = fig.add_subplot()
    counts = [int(r["end_products_blocked"]) for r in rows]
    labels = [shorten(str(r["name"]), 36) for r in rows]
    bars = ax.barh(
        range(len(rows)),
        counts,
        color=[layer_colour(r["layer"]) for r in rows],
        edgecolor="#333333",
        linewidth=0.6,
    )
    ax.bar_label(bars, padding=3, fontsize=9)
    ax.set_yticks(range(len(rows)), labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, max(counts) * 1.12 + 1)
    ax.set_xlabel("end products it alone can block")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Chokepoints: the {len(rows)} items that alone block the most", fontsize=12)
    ax.legend(handles=layer_handles([r["layer"] for r in rows]), loc="lower right", fontsize=8)
    return fig


@renamed(shortage_id="ref")
def what_if(
    kg: Graph,
    ref: str,
    products: Sequence[str],
    steps: int = 11,
    *,
    substitution: bool = False,
) -> Figure:
    """Availability of each product as the supply of one item falls from 100% to 0%.

    Products whose curves coincide share one line (their names joined), so none hides another;
    each line has a colour of its own (after ten, the colours repeat with another line style).

    Args:
        kg: the knowledge graph.
        ref: id, name or alias of the item that runs short.
        products: ids, names or aliases of the products to follow.
        steps: how many availability levels from 100% to 0% (at least 2).
        substitution: passed to `KnowledgeGraph.impact`.

    Returns:
        A new figure; nothing is shown.

    Raises:
        UnknownEntityError: the shortage or a product names no entity.
        ValueError: no products, or fewer than 2 steps.

    Examples:
        >>> what_if(kg, "Vendor A HBM3E", ["ex-accelerator", "ex-rack"], steps=3)
        <Figure size ... with 1 Axes>

    Notes:
        `steps` impact analyses, each O(V + E) on the dependency graph.
    """
    if isinstance(products, str):
        products = [products]
    if not products:
        raise ValueError("what_if needs at least one product to follow")
    if steps < 2:
        raise ValueError(f"steps must be 2 or more (100% and 0% at least), got {steps!r}")
    short = kg.resolve(ref)
    ids = list(dict.fromkeys(kg.resolve(p) for p in products))
    levels = [1.0 - i / (steps - 1) for i in range(steps)]
    curves: dict[str, list[tuple[float, float]]] = {p: [] for p in ids}
    for level in levels:
        found = {
            str(r["id"]): (float(r["low"]), float(r["high"]))
            for r in kg.impact({short: level}, substitution=substitution)
        }
        for p in ids:
            curves[p].append(found.get(p, (1.0, 1.0)))
    groups: dict[tuple[tuple[float, float], ...], list[str]] = {}
    for p in ids:
        key = tuple((round(lo, 6), round(hi, 6)) for lo, hi in curves[p])
        groups.setdefault(key, []).append(p)

    fig = new_figure(9.5, 5.2)
    ax = fig.add_subplot()
    xs = [level * 100 for level in levels]
    for n, (curve, members) in enumerate(groups.items()):
        infos = [kg.info(m) for m in members]
        label = textwrap.fill(", ".join(i.name for i in infos), 40, max_lines=4)
        if all(lo == 1.0 for lo, _ in curve):
            label += " (unaffected)"
        colour = LINE_COLOURS[n % len(LINE_COLOURS)]
        if any(hi - lo > 1e-6 for lo, hi in curve):
            # Shares no source gives: the product lies somewhere in this band.
            ax.fill_between(
                xs,
                [lo * 100 for lo, _ in curve],
                [hi * 100 for _, hi in curve],
                color=colour,
                alpha=0.18,
                lw=0,
            )
            label += " (band: shares not sourced)"
        ax.plot(
            xs,
            [lo * 100 for lo, _ in curve],
            label=label,
            color=colour,
            marker=MARKERS[n % len(MARKERS)],
            linestyle=LINESTYLES[(n // len(LINE_COLOURS)) % len(LINESTYLES)],
            lw=2.2,
            ms=6,
            markeredgecolor="#333333",
            markeredgewidth=0.6,
        )
    name = kg.info(short).name
    ax.set_xlim(103, -3)
    ax.set_ylim(-4, 104)
    ax.set_xlabel(f"{name} available (%)   — shortage deepens →")
    ax.set_ylabel("product available (%)")
    ax.grid(alpha=0.3)
    mode = "with full substitution" if substitution else "sources in their shares"
    ax.set_title(f"What if {name} runs short? ({mode})", fontsize=12)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False)
    return fig


def impact_by_layer(table: Answer) -> Figure:
    """Stacked bars of BLOCKED and CONSTRAINED items per layer for an `impact` Table.

    Args:
        table: the result of `KnowledgeGraph.impact`.

    Returns:
        A new figure (a message when nothing is affected); nothing is shown.

    Raises:
        ValueError: a Table of another analysis.

    Examples:
        >>> impact_by_layer(kg.impact({"ex-cowos": 0}))
        <Figure size ... with 1 Axes>

    Notes:
        O(layers).
    """
    if table.kind != "impact":
        raise ValueError(f"expected the Table of KnowledgeGraph.impact, got {table.title!r}")
    by_layer: Mapping[str, Mapping[str, int]] = table.summary.get("counts_by_layer", {})
    layers = [name for name in LAYERS if name in by_layer] + sorted(
        name for name in by_layer if name not in LAYERS
    )
    blocked = [int(by_layer[name].get("BLOCKED", 0)) for name in layers]
    constrained = [int(by_layer[name].get("CONSTRAINED", 0)) for name in layers]
    possibly = [int(by_layer[name].get("POSSIBLY_CONSTRAINED", 0)) for name in layers]
    if not any(blocked) and not any(constrained) and not any(possibly):
        return message_figure(table.title, "Nothing is blocked or constrained.")
    fig = new_figure(8.0, max(2.6, 0.42 * len(layers) + 1.6))
    ax = fig.add_subplot()
    ys = range(len(layers))
    b = ax.barh(ys, blocked, color=STATUS_COLOURS["BLOCKED"], label="BLOCKED")
    c = ax.barh(
        ys, constrained, left=blocked, color=STATUS_COLOURS["CONSTRAINED"], label="CONSTRAINED"
    )
    before = [x + y for x, y in zip(blocked, constrained, strict=True)]
    p = ax.barh(
        ys,
        possibly,
        left=before,
        color=STATUS_COLOURS["POSSIBLY_CONSTRAINED"],
        label="POSSIBLY CONSTRAINED",
    )
    ax.bar_label(p, labels=[str(v) if v else "" for v in possibly], label_type="center", fontsize=9)
    ax.bar_label(
        b,
        labels=[str(v) if v else "" for v in blocked],
        label_type="center",
        fontsize=9,
        color="white",
        fontweight="bold",
    )
    ax.bar_label(
        c, labels=[str(v) if v else "" for v in constrained], label_type="center", fontsize=9
    )
    ax.set_xlim(0, max(x + y for x, y in zip(before, possibly, strict=True)) * 1.3)
    ax.set_yticks(list(ys), layers)
    for tick, name in zip(ax.get_yticklabels(), layers, strict=True):
        tick.set_bbox({"facecolor": layer_colour(name), "edgecolor": "none", "pad": 2})
    ax.invert_yaxis()
    ax.set_xlabel("items affected")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="best", fontsize=9)
    shortages = table.summary.get("shortages", {})
    what = ", ".join(f"{k} at {v:.0%}" for k, v in shortages.items())
    ax.set_title(f"Items affected by {what}, per layer", fontsize=12)
    return fig


def plot(table: Answer, **options: Any) -> Figure:
    """The usual picture of an analysis Table: the stand-in for a `Table.plot()` method.

    `critical_path` → `critical_path_gantt`, `chokepoints` → `chokepoint_bars`, `impact` →
    `impact_by_layer`, `capacities` → `capacity_by_year`, `deployable` → `deployable_chart`.

    Raises:
        ValueError: a Table without a standard picture (say which function to use instead).

    Examples:
        >>> plot(kg.critical_path("ex-datacenter"))
        <Figure size ... with 1 Axes>
    """
    if table.kind == "critical_path":
        return critical_path_gantt(table, **options)
    if table.kind == "impact":
        return impact_by_layer(table, **options)
    if table.kind == "chokepoints":
        return chokepoint_bars(table, **options)
    if table.kind == "capacities":
        return capacity_by_year(table, **options)
    if table.kind == "deployable":
        return deployable_chart(table, **options)
    raise ValueError(
        f"no standard picture for {table.title!r}; use dependency_tree or what_if with the graph"
    )
