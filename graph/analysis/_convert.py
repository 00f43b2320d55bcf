"""Conversions of a dependency graph: to and from networkx, and subgraphs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from graph.analysis._layout import NO_LEAD
from graph.analysis._traverse import bfs

if TYPE_CHECKING:
    from graph.analysis.model import DependencyGraph


def _opt_int(v: int) -> int | None:
    return None if v == NO_LEAD else int(v)


def to_networkx(graph: DependencyGraph) -> nx.DiGraph:
    lay = graph._lay
    g = nx.DiGraph()
    for i, k in enumerate(lay.ids):
        g.add_node(
            k,
            kind="item",
            id=k,
            label=graph._str(int(lay.item_label[i])),
            layer=graph._str(int(lay.item_layer[i])),
            category=graph._str(int(lay.item_category[i])),
            lead_time_days=_opt_int(int(lay.item_lead[i])),
            fact=graph._str(int(lay.item_fact[i])),
        )
    for r in range(lay.n_requirements):
        req = graph._requirement(r)
        g.add_node(
            req.id,
            kind="requirement",
            id=req.id,
            label=None,
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


def from_networkx(g: nx.DiGraph) -> DependencyGraph:
    from graph.analysis.builder import DependencyGraphBuilder

    b = DependencyGraphBuilder()
    key_to_id: dict[Any, str] = {}
    for key, d in g.nodes(data=True):
        kind = d.get("kind")
        if kind == "item":
            key_to_id[key] = str(d.get("id", key))
            b.add_item(
                key_to_id[key],
                label=d.get("label"),
                layer=d.get("layer"),
                category=d.get("category"),
                lead_time_days=d.get("lead_time_days"),
                fact=d.get("fact"),
            )
        elif kind != "requirement":
            raise ValueError(f"node {key!r} has kind {kind!r}; expected 'item' or 'requirement'")
    for key, d in g.nodes(data=True):
        if d.get("kind") != "requirement":
            continue
        if "item" not in d or "input" not in d:
            raise ValueError(f"requirement node {key!r} needs 'item' and 'input' attributes")
        r = b.add_requirement(
            str(d["item"]),
            str(d["input"]),
            quantity=d.get("quantity"),
            lead_time_days=d.get("lead_time_days"),
            fact=d.get("fact"),
            id=str(d.get("id", key)),
        )
        for _, sup, e in g.out_edges(key, data=True):
            if e.get("kind") == "source":
                b.add_source(
                    r,
                    key_to_id.get(sup, str(sup)),
                    share=e.get("share"),
                    lead_time_days=e.get("lead_time_days"),
                    fact=e.get("fact"),
                )
    return b.build()


def subgraph(graph: DependencyGraph, items: Iterable[str], depth: int | None) -> DependencyGraph:
    from graph.analysis.model import DependencyGraph

    if depth is not None and depth < 0:
        raise ValueError(f"depth must be >= 0 or None, got {depth}")
    lay = graph._lay
    starts = np.array([graph.index(i) for i in items], dtype=np.int64)
    dist = bfs(lay, starts, depth).dist
    keep = np.flatnonzero(dist >= 0)
    new = np.full(lay.n_items, -1, dtype=np.int64)
    new[keep] = np.arange(len(keep))
    open_ = dist >= 0 if depth is None else (dist >= 0) & (dist < depth)
    reqs = np.flatnonzero(open_[graph._req_item()])
    src_keep = np.isin(graph._src_req(), reqs)
    srcs = np.flatnonzero(src_keep)
    rnew = np.full(lay.n_requirements, -1, dtype=np.int64)
    rnew[reqs] = np.arange(len(reqs))
    return DependencyGraph.from_arrays(
        [lay.ids[i] for i in keep.tolist()],
        new[graph._req_item()[reqs]],
        new[lay.req_input[reqs]],
        rnew[graph._src_req()[srcs]],
        new[lay.src_item[srcs]],
        src_share=lay.src_share[srcs],
        item_lead=lay.item_lead[keep],
        req_lead=lay.req_lead[reqs],
        src_lead=lay.src_lead[srcs],
        req_quantity=lay.req_quantity[reqs],
        strings=lay.strings,
        item_label=lay.item_label[keep],
        item_layer=lay.item_layer[keep],
        item_category=lay.item_category[keep],
        item_fact=lay.item_fact[keep],
        req_fact=lay.req_fact[reqs],
        src_fact=lay.src_fact[srcs],
        req_names={int(rnew[k]): v for k, v in lay.req_names.items() if rnew[k] >= 0},
    )
