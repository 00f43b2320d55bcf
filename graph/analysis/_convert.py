"""Conversions of a dependency graph's layout: to and from networkx, and subgraphs.

These build a :class:`~stackgraph.graph.analysis._layout.Layout` (or read one); the methods of
:class:`~stackgraph.graph.analysis.model.DependencyGraph` wrap them. This module sits below ``model`` and
``builder`` and imports neither, so that no class imports a module that imports it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from stackgraph.graph.analysis._layout import NO_LEAD, NO_STRING, Layout, assemble
from stackgraph.graph.analysis._traverse import bfs

if TYPE_CHECKING:
    from stackgraph.graph.analysis.model import DependencyGraph


def to_networkx(graph: DependencyGraph) -> nx.DiGraph:
    """The labelled ``nx.DiGraph`` of ``graph`` (format: ``DependencyGraph.to_networkx``)."""
    lay = graph._lay
    g = nx.DiGraph()
    for k in lay.ids:
        it = graph.item(k)
        g.add_node(
            k,
            kind="item",
            id=k,
            name=it.name,
            layer=it.layer,
            category=it.category,
            lead_time_days=it.lead_time_days,
            fact=it.fact,
            stage_time_days=it.stage_time_days,
            stage_fact=None
            if it.stage_time_days is None
            else graph._str(int(lay.item_stage_fact[graph.index(k)])),
        )
    for r in range(lay.n_requirements):
        req = graph._requirement(r)
        g.add_node(
            req.id,
            kind="requirement",
            id=req.id,
            name=None,
            layer=None,
            category=None,
            item=req.item,
            input=req.input,
            quantity=req.quantity,
            lead_time_days=req.lead_time_days,
            fact=req.fact,
        )
        g.add_edge(req.item, req.id, kind="requires")
        g.add_edge(req.id, req.input, kind="input")
        for s in req.sources:
            g.add_edge(
                req.id,
                s.supplier,
                kind="source",
                share=s.share,
                lead_time_days=s.lead_time_days,
                fact=s.fact,
            )
    return g


class _Columns:
    """Builder-ordered columns of a graph being read, with its string table."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.strings: dict[str, int] = {}
        self.item: dict[str, list[int]] = {k: [] for k in ("name", "layer", "category", "fact")}
        self.item_lead: list[int] = []
        self.item_stage: list[int] = []
        self.item_stage_fact: list[int] = []
        self.req: dict[str, list[int]] = {k: [] for k in ("item", "input", "lead", "fact")}
        self.req_quantity: list[float] = []
        self.req_names: dict[int, str] = {}
        self.src: dict[str, list[int]] = {k: [] for k in ("req", "item", "lead", "fact")}
        self.src_share: list[float] = []

    def string(self, value: Any) -> int:
        return (
            NO_STRING if value is None else self.strings.setdefault(str(value), len(self.strings))
        )

    def item_index(self, item: str, attrs: dict[str, Any] | None = None) -> int:
        k = self.index.get(item)
        if k is None:
            k = self.index[item] = len(self.ids)
            self.ids.append(item)
            for column in self.item.values():
                column.append(NO_STRING)
            self.item_lead.append(NO_LEAD)
            self.item_stage.append(NO_LEAD)
            self.item_stage_fact.append(NO_STRING)
        if attrs is not None:
            for name, column in self.item.items():
                column[k] = self.string(attrs.get(name))
            self.item_lead[k] = _lead(attrs.get("lead_time_days"))
            self.item_stage[k] = _lead(attrs.get("stage_time_days"))
            self.item_stage_fact[k] = self.string(attrs.get("stage_fact"))
        return k

    def layout(self) -> Layout:
        def i32(values: list[int]) -> Any:
            return np.array(values, dtype=np.int32)

        def f32(values: list[float]) -> Any:
            return np.array(values, dtype=np.float32)

        return assemble(
            ids=self.ids,
            strings=list(self.strings),
            item_name=i32(self.item["name"]),
            item_layer=i32(self.item["layer"]),
            item_category=i32(self.item["category"]),
            item_fact=i32(self.item["fact"]),
            item_lead=i32(self.item_lead),
            req_item=i32(self.req["item"]),
            req_input=i32(self.req["input"]),
            req_quantity=f32(self.req_quantity),
            req_lead=i32(self.req["lead"]),
            req_fact=i32(self.req["fact"]),
            req_names=self.req_names,
            src_req=i32(self.src["req"]),
            src_item=i32(self.src["item"]),
            src_share=f32(self.src_share),
            src_lead=i32(self.src["lead"]),
            src_fact=i32(self.src["fact"]),
            item_stage=i32(self.item_stage),
            item_stage_fact=i32(self.item_stage_fact),
        )


def _lead(value: Any) -> int:
    return NO_LEAD if value is None else int(value)


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def from_networkx(g: nx.DiGraph) -> Layout:
    """The layout of a graph in the format of :func:`to_networkx`.

    Raises:
        ValueError: A node lacks ``kind`` or a requirement lacks ``item``/``input``; or the
            values are out of range (see :func:`~stackgraph.graph.analysis._layout.assemble`).
    """
    cols = _Columns()
    key_to_id: dict[Any, str] = {}
    for key, d in g.nodes(data=True):
        kind = d.get("kind")
        if kind == "item":
            key_to_id[key] = str(d.get("id", key))
            cols.item_index(key_to_id[key], d)
        elif kind != "requirement":
            raise ValueError(f"node {key!r} has kind {kind!r}; expected 'item' or 'requirement'")
    for key, d in g.nodes(data=True):
        if d.get("kind") != "requirement":
            continue
        if "item" not in d or "input" not in d:
            raise ValueError(f"requirement node {key!r} needs 'item' and 'input' attributes")
        r = len(cols.req_quantity)
        cols.req["item"].append(cols.item_index(str(d["item"])))
        cols.req["input"].append(cols.item_index(str(d["input"])))
        cols.req["lead"].append(_lead(d.get("lead_time_days")))
        cols.req["fact"].append(cols.string(d.get("fact")))
        cols.req_quantity.append(_float(d.get("quantity")))
        cols.req_names[r] = str(d.get("id", key))
        for _, sup, e in g.out_edges(key, data=True):
            if e.get("kind") == "source":
                cols.src["req"].append(r)
                cols.src["item"].append(cols.item_index(key_to_id.get(sup, str(sup))))
                cols.src["lead"].append(_lead(e.get("lead_time_days")))
                cols.src["fact"].append(cols.string(e.get("fact")))
                cols.src_share.append(_float(e.get("share")))
    return cols.layout()


def subgraph(graph: DependencyGraph, items: Iterable[str], depth: int | None) -> Layout:
    """The layout of the dependency closure of ``items``, cut ``depth`` item hops below them.

    Raises:
        UnknownNodeError: One of ``items`` is not in the graph.
        ValueError: ``depth`` is negative.
    """
    if depth is not None and depth < 0:
        raise ValueError(f"depth must be >= 0 or None, got {depth}")
    lay = graph._lay
    starts = np.array([graph.index(i) for i in items], dtype=np.int64)
    dist = bfs(lay, starts, depth).dist
    keep = np.flatnonzero(dist >= 0)
    new = np.full(lay.n_items, -1, dtype=np.int64)
    new[keep] = np.arange(len(keep))
    open_ = dist >= 0 if depth is None else (dist >= 0) & (dist < depth)
    req_item, src_req = graph._req_item(), graph._src_req()
    reqs = np.flatnonzero(open_[req_item])
    srcs = np.flatnonzero(np.isin(src_req, reqs))
    rnew = np.full(lay.n_requirements, -1, dtype=np.int64)
    rnew[reqs] = np.arange(len(reqs))
    return assemble(
        ids=[lay.ids[i] for i in keep.tolist()],
        strings=lay.strings,
        item_name=lay.item_name[keep],
        item_layer=lay.item_layer[keep],
        item_category=lay.item_category[keep],
        item_fact=lay.item_fact[keep],
        item_lead=lay.item_lead[keep],
        item_stage=lay.item_stage[keep],
        item_stage_fact=lay.item_stage_fact[keep],
        req_item=new[req_item[reqs]].astype(np.int32),
        req_input=new[lay.req_input[reqs]].astype(np.int32),
        req_quantity=lay.req_quantity[reqs],
        req_lead=lay.req_lead[reqs],
        req_fact=lay.req_fact[reqs],
        req_names={int(rnew[k]): v for k, v in lay.req_names.items() if rnew[k] >= 0},
        src_req=rnew[src_req[srcs]].astype(np.int32),
        src_item=new[lay.src_item[srcs]].astype(np.int32),
        src_share=lay.src_share[srcs],
        src_lead=lay.src_lead[srcs],
        src_fact=lay.src_fact[srcs],
    )
