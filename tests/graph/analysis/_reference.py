"""Brute-force twins of the analyses, written straightforwardly on the networkx form.

They share no code with ``graph.analysis``: they read ``DependencyGraph.to_networkx()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

BLOCKED = 1e-9


class RefCycle(Exception):
    """The reference met a cycle."""


def items(g: nx.DiGraph) -> list[str]:
    return sorted(n for n, d in g.nodes(data=True) if d["kind"] == "item")


def reqs(g: nx.DiGraph, x: str) -> list[str]:
    return [r for r in g.successors(x) if g.edges[x, r]["kind"] == "requires"]


def sources(g: nx.DiGraph, r: str) -> list[tuple[str, dict[str, Any]]]:
    return [(s, d) for _, s, d in g.out_edges(r, data=True) if d["kind"] == "source"]


def weights(g: nx.DiGraph, r: str) -> dict[str, float]:
    """Shares normalised: unknown ones split what the known leave, then scale to 1."""
    srcs = sources(g, r)
    known = [d["share"] for _, d in srcs if d["share"] is not None]
    missing = [s for s, d in srcs if d["share"] is None]
    rest = max(0.0, 1.0 - sum(known)) / len(missing) if missing else 0.0
    raw = {s: (d["share"] if d["share"] is not None else rest) for s, d in srcs}
    total = sum(raw.values())
    if total <= 0:
        return {s: 1.0 / len(srcs) for s, _ in srcs}
    return {s: v / total for s, v in raw.items()}


def availability(
    g: nx.DiGraph, shortages: Mapping[str, float], substitution: bool, tol: float = 1e-13
) -> dict[str, float]:
    """Naive Jacobi sweeps from all-ones to the greatest fixpoint; items and requirements."""
    av = dict.fromkeys(g.nodes, 1.0)
    for _ in range(1_000_000):
        new: dict[str, float] = {}
        for n, d in g.nodes(data=True):
            if d["kind"] == "item":
                v = shortages.get(n, 1.0)
                for r in reqs(g, n):
                    v = min(v, av[r])
            else:
                srcs = sources(g, n)
                if not srcs:
                    supply = 1.0
                elif substitution:
                    supply = max(av[s] for s, _ in srcs)
                else:
                    w = weights(g, n)
                    supply = min(1.0, sum(w[s] * av[s] for s, _ in srcs))
                v = min(av[d["input"]], supply)
            new[n] = v
        change = max(abs(new[n] - av[n]) for n in g.nodes)
        av = new
        if change <= tol:
            return av
    raise AssertionError("reference availability did not converge")


def item_graph(g: nx.DiGraph) -> nx.DiGraph:
    """Items only: x -> y when y is an input or a source of a requirement of x."""
    h = nx.DiGraph()
    h.add_nodes_from(items(g))
    for x in items(g):
        for r in reqs(g, x):
            h.add_edge(x, g.nodes[r]["input"])
            for s, _ in sources(g, r):
                h.add_edge(x, s)
    return h


def closure_has_cycle(g: nx.DiGraph, x: str) -> bool:
    h = item_graph(g)
    sub = h.subgraph(nx.descendants(h, x) | {x})
    return not nx.is_directed_acyclic_graph(sub)


def lead(g: nx.DiGraph, x: str) -> int:
    """Lead time by explicit recursion; RefCycle on a cycle."""
    stack: set[str] = set()

    def item_lead(n: str) -> int:
        if n in stack:
            raise RefCycle(n)
        stack.add(n)
        own = g.nodes[n]["lead_time_days"] or 0
        best = 0
        for r in reqs(g, n):
            best = max(best, req_lead(r))
        stack.discard(n)
        return own + best

    def req_lead(r: str) -> int:
        d = g.nodes[r]
        inp = item_lead(d["input"])
        srcs = sources(g, r)
        if srcs:
            inp = max(inp, min((e["lead_time_days"] or 0) + item_lead(s) for s, e in srcs))
        return (d["lead_time_days"] or 0) + inp

    return item_lead(x)


def essential(g: nx.DiGraph, x: str) -> set[str]:
    """Remove each item in turn (all others available): is x blocked? Needs a DAG closure."""
    h = item_graph(g)
    out = set()
    for v in nx.descendants(h, x) | {x}:
        if availability(g, {v: 0.0}, substitution=True)[x] <= BLOCKED:
            out.add(v)
    return out


def chokepoint_scores(g: nx.DiGraph) -> dict[str, list[str]]:
    """Item -> end products (nothing requires them) it alone blocks, itself excluded."""
    h = item_graph(g)
    roots = [n for n in h.nodes if h.in_degree(n) == 0]
    out: dict[str, list[str]] = {}
    for root in roots:
        for v in essential(g, root) - {root}:
            out.setdefault(v, []).append(root)
    return {k: sorted(v) for k, v in out.items()}


def depths(g: nx.DiGraph, x: str, depth: int | None, reverse: bool) -> dict[str, int]:
    h = item_graph(g)
    if reverse:
        h = h.reverse()
    d: dict[str, int] = dict(nx.single_source_shortest_path_length(h, x, cutoff=depth))
    d.pop(x)
    return d
