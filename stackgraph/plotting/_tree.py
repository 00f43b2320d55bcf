"""The layered dependency picture: collapse requirement nodes, bound the view, place and draw.

The labelled graph of `KnowledgeGraph.subgraph` has item and requirement nodes. Here an item
points straight at what it needs (through each requirement's input) and, optionally, at who
supplies it (through the requirement's qualified sources). Items sit in one column per layer, in
stack order, ordered within a column by a few barycentre sweeps so that lines cross less.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from stackgraph.plotting._style import (
    AFFECTED,
    LAYERS,
    STATUS_COLOURS,
    layer_colour,
    layer_handles,
    percent_range,
    shorten,
)

__all__ = ["Edge", "Node", "TreeView", "build_view", "draw_view", "place"]

_SWEEPS = 6
_LABEL_WIDTH = 26


@dataclass(frozen=True, slots=True)
class Node:
    """One item in the picture."""

    id: str
    label: str
    layer: str | None
    depth: int


@dataclass(frozen=True, slots=True)
class Edge:
    """`consumer` needs `target` (kind "input") or is supplied by it (kind "source")."""

    consumer: str
    target: str
    kind: str


@dataclass(frozen=True)
class TreeView:
    """The items and edges to draw, and how many items there were before bounding."""

    root: str
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    total: int


def _item_edges(g: nx.DiGraph, suppliers: bool) -> list[Edge]:
    edges: list[Edge] = []
    for req, data in g.nodes(data=True):
        if data.get("kind") != "requirement":
            continue
        consumers = [u for u, _ in g.in_edges(req)]
        for _, target, edata in g.out_edges(req, data=True):
            kind = str(edata.get("kind"))
            if kind == "source" and not suppliers:
                continue
            edges.extend(Edge(c, target, kind) for c in consumers if c != target)
    return sorted(set(edges), key=lambda e: (e.consumer, e.target, e.kind))


def _depths(root: str, edges: list[Edge]) -> dict[str, int]:
    children: dict[str, list[str]] = {}
    for e in edges:
        children.setdefault(e.consumer, []).append(e.target)
    depth = {root: 0}
    queue = deque([root])
    while queue:
        here = queue.popleft()
        for child in children.get(here, ()):
            if child not in depth:
                depth[child] = depth[here] + 1
                queue.append(child)
    return depth


def build_view(
    g: nx.DiGraph,
    root: str,
    *,
    max_nodes: int,
    suppliers: bool,
    keep: frozenset[str] = frozenset(),
) -> TreeView:
    """The items reachable from `root`, at most `max_nodes` of them: `keep` first, then nearest.

    Every kept item has its parent kept too (a parent is nearer, and an item in `keep` is an
    affected item, whose dependants towards the root are affected as well), so the view stays
    connected.
    """
    edges = _item_edges(g, suppliers)
    depth = _depths(root, edges)
    ranked = sorted(depth, key=lambda n: (n != root, n not in keep, depth[n], n))
    chosen = set(ranked[:max_nodes])
    nodes = {}
    for n in ranked[:max_nodes]:
        data = g.nodes[n]
        nodes[n] = Node(n, str(data.get("name") or n), data.get("layer"), depth[n])
    kept = tuple(e for e in edges if e.consumer in chosen and e.target in chosen)
    return TreeView(root, nodes, kept, total=len(depth))


def _column_of(layer: str | None) -> int:
    return LAYERS.index(layer) if layer in LAYERS else len(LAYERS)


def place(view: TreeView) -> tuple[list[str | None], dict[str, tuple[float, float]]]:
    """Column layers (stack order, only those present) and an (x, y) for every item."""
    present = sorted({_column_of(n.layer) for n in view.nodes.values()})
    columns: list[str | None] = [LAYERS[c] if c < len(LAYERS) else None for c in present]
    index = {c: i for i, c in enumerate(present)}
    stacks: list[list[str]] = [[] for _ in present]
    for node in sorted(view.nodes.values(), key=lambda n: (n.depth, n.label.casefold())):
        stacks[index[_column_of(node.layer)]].append(node.id)
    neighbours: dict[str, list[str]] = {n: [] for n in view.nodes}
    for e in view.edges:
        neighbours[e.consumer].append(e.target)
        neighbours[e.target].append(e.consumer)

    pos: dict[str, tuple[float, float]] = {}

    def settle(col: int) -> None:
        stack = stacks[col]
        for row, n in enumerate(stack):
            pos[n] = (float(col), (len(stack) - 1) / 2 - row)

    for col in range(len(stacks)):
        settle(col)
    for sweep in range(_SWEEPS):
        order = range(len(stacks)) if sweep % 2 == 0 else range(len(stacks) - 1, -1, -1)
        for col in order:
            rank = {n: i for i, n in enumerate(stacks[col])}

            def weight(n: str, rank: dict[str, int] = rank) -> tuple[float, int]:
                ys = [pos[m][1] for m in neighbours[n] if pos[m][0] != pos[n][0]]
                # The current position breaks ties and anchors items with no outside neighbour.
                return (-(sum(ys) / len(ys)) if ys else -pos[n][1], rank[n])

            stacks[col].sort(key=weight)
            settle(col)
    return columns, pos


def _edge_style(status: str | None) -> tuple[str, float, float]:
    if status in AFFECTED:
        return STATUS_COLOURS[status], 1.6, 0.9
    return "#8a8a8a", 0.8, 0.55


def draw_view(
    ax: Axes,
    view: TreeView,
    columns: list[str | None],
    pos: Mapping[str, tuple[float, float]],
    status: Mapping[str, tuple[str, float, float]],
    shortages: Mapping[str, float],
) -> None:
    """Draw columns, edges and labelled boxes on `ax` and add the legend."""
    height = max((abs(y) for _, y in pos.values()), default=0.0)
    top = height + 1.0
    for col, layer in enumerate(columns):
        ax.axvspan(col - 0.48, col + 0.48, color=layer_colour(layer), alpha=0.12, lw=0)
        ax.text(
            col,
            top,
            layer or "no layer",
            ha="center",
            va="center",
            fontsize=10,
            fontweight="bold",
            color="#333333",
        )
    for e in view.edges:
        (x1, y1), (x2, y2) = pos[e.consumer], pos[e.target]
        colour, width, alpha = _edge_style(status.get(e.target, ("OK", 1.0))[0])
        if e.consumer in status and e.target not in status:
            colour, width, alpha = _edge_style(None)
        rad = 0.0 if x1 != x2 else 0.35 * (1 if y1 > y2 else -1)
        ax.add_patch(
            FancyArrowPatch(
                (x1, y1),
                (x2, y2),
                arrowstyle="-",
                connectionstyle=f"arc3,rad={rad}",
                color=colour,
                lw=width,
                alpha=alpha,
                linestyle="-" if e.kind == "input" else ":",
                zorder=1,
            )
        )
    for node in view.nodes.values():
        x, y = pos[node.id]
        state = status.get(node.id)
        label = shorten(node.label, _LABEL_WIDTH)
        edge, lw, ls = "#555555", 0.6, "-"
        if state is not None and state[0] in AFFECTED:
            edge, lw = STATUS_COLOURS[state[0]], 2.4
            ls = {"BLOCKED": "-", "CONSTRAINED": "--"}.get(state[0], ":")
            label += f"  {percent_range(state[1], state[2])}"
        if node.id in shortages:
            label = "▼ " + label
        if node.id == view.root:
            lw = max(lw, 1.8)
            edge = edge if state is not None else "#000000"
        ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold" if node.id == view.root else "normal",
            zorder=3,
            bbox={
                "boxstyle": "round,pad=0.3",
                "facecolor": layer_colour(node.layer),
                "edgecolor": edge,
                "linewidth": lw,
                "linestyle": ls,
            },
        )
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(-height - 0.8, top + 0.6)
    ax.set_axis_off()

    handles: list[Patch | Line2D] = list(layer_handles([n.layer for n in view.nodes.values()]))
    handles.append(Line2D([], [], color="#8a8a8a", lw=1, label="needs (input)"))
    if any(e.kind == "source" for e in view.edges):
        handles.append(Line2D([], [], color="#8a8a8a", lw=1, ls=":", label="supplied by"))
    if status:
        handles.append(
            Patch(facecolor="white", edgecolor=STATUS_COLOURS["BLOCKED"], lw=2.4, label="BLOCKED")
        )
        for name, ls in (("CONSTRAINED", "--"), ("POSSIBLY_CONSTRAINED", ":")):
            handles.append(
                Patch(
                    facecolor="white",
                    edgecolor=STATUS_COLOURS[name],
                    lw=2.4,
                    ls=ls,
                    label=name.replace("_", " "),
                )
            )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=min(len(handles), 6),
        fontsize=8,
        frameon=False,
    )
