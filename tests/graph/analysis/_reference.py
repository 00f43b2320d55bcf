"""Brute-force twins of the analyses, written straightforwardly on the networkx form.

They share no code with ``stackgraph.graph.analysis``: they read ``DependencyGraph.to_networkx()``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
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
    # Each node's equation, read once: item -> (a, requirements); requirement -> (input,
    # sources with their normalised weights).
    item_eq = {
        n: (shortages.get(n, 1.0), reqs(g, n)) for n, d in g.nodes(data=True) if d["kind"] == "item"
    }
    req_eq = {
        n: (d["input"], list(weights(g, n).items()) if sources(g, n) else [])
        for n, d in g.nodes(data=True)
        if d["kind"] != "item"
    }
    av = dict.fromkeys(g.nodes, 1.0)
    for _ in range(1_000_000):
        new: dict[str, float] = {}
        for n, (a, rs) in item_eq.items():
            new[n] = min([a, *(av[r] for r in rs)])
        for n, (inp, ws) in req_eq.items():
            if not ws:
                supply = 1.0
            elif substitution:
                supply = max(av[s] for s, _ in ws)
            else:
                supply = min(1.0, sum(w * av[s] for s, w in ws))
            new[n] = min(av[inp], supply)
        change = max(abs(new[n] - av[n]) for n in g.nodes)
        av = new
        if change <= tol:
            return av
    raise AssertionError("reference availability did not converge")


def share_vertices(g: nx.DiGraph, limit: int) -> list[dict[tuple[str, str], float]] | None:
    """Every vertex of the unknown shares: per requirement with unknown shares, all of what the
    known leave (``max(0, 1 - sum)``) on one unknown source, 0 on the others. None if there are
    more than ``limit`` combinations."""
    choices: list[list[dict[tuple[str, str], float]]] = []
    for r, d in g.nodes(data=True):
        if d["kind"] != "requirement":
            continue
        srcs = sources(g, r)
        missing = [s for s, e in srcs if e["share"] is None]
        if not missing:
            continue
        rest = max(0.0, 1.0 - sum(e["share"] for _, e in srcs if e["share"] is not None))
        carriers = missing if rest > 0 else missing[:1]  # nothing to place: one vertex
        choices.append([{(r, s): (rest if s == u else 0.0) for s in missing} for u in carriers])
    if math.prod(len(c) for c in choices) > limit:
        return None
    return [
        {k: v for part in combo for k, v in part.items()} for combo in itertools.product(*choices)
    ]


def with_shares(g: nx.DiGraph, shares: Mapping[tuple[str, str], float]) -> nx.DiGraph:
    """A copy of ``g`` with the given (requirement, source) shares set."""
    h = g.copy()
    for (r, s), v in shares.items():
        h.edges[r, s]["share"] = v
    return h


def availability_bounds(
    g: nx.DiGraph, shortages: Mapping[str, float], substitution: bool, limit: int
) -> tuple[dict[str, float], dict[str, float]] | None:
    """Min and max of the point availability over every vertex of the unknown shares (the
    value is linear in each requirement's shares, so vertices attain the bounds); None if
    there are more than ``limit`` vertices."""
    vertices = share_vertices(g, limit)
    if vertices is None:
        return None
    runs: Iterator[dict[str, float]] = (
        availability(with_shares(g, v), shortages, substitution) for v in vertices
    )
    first = next(runs)
    low, high = dict(first), dict(first)
    for av in runs:
        for n, x in av.items():
            low[n] = min(low[n], x)
            high[n] = max(high[n], x)
    return low, high


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
    """Lead time by explicit recursion; RefCycle on a cycle.

    ``max(quoted, stage + slowest requirement)``: a quoted lead time includes the inputs.
    """
    stack: set[str] = set()

    def item_lead(n: str) -> int:
        if n in stack:
            raise RefCycle(n)
        stack.add(n)
        quoted = g.nodes[n]["lead_time_days"] or 0
        stage = g.nodes[n].get("stage_time_days") or 0
        best = 0
        for r in reqs(g, n):
            best = max(best, req_lead(r))
        stack.discard(n)
        return max(quoted, stage + best)

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
    """Item -> end products (nothing requires them) it alone blocks, itself excluded; end
    products whose closure has a cycle left out."""
    h = item_graph(g)
    roots = [n for n in h.nodes if h.in_degree(n) == 0 and not closure_has_cycle(g, n)]
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


def _flow_weights(g: nx.DiGraph, r: str, substitution: bool) -> tuple[dict[str, float], float]:
    """Fixed weights of a requirement's sources and the part its free sources carry together."""
    srcs = sources(g, r)
    if substitution:
        return {}, 1.0
    known = {s: d["share"] for s, d in srcs if d["share"] is not None}
    missing = [s for s, d in srcs if d["share"] is None]
    total = sum(known.values())
    if not missing:
        if total > 0:
            return {s: v / total for s, v in known.items()}, 0.0
        return {s: 1.0 / len(srcs) for s, _ in srcs}, 0.0
    fixed = {s: v / max(total, 1.0) for s, v in known.items()}
    rest = max(0.0, 1.0 - total)
    if len(missing) == 1:
        fixed[missing[0]] = rest
        return fixed, 0.0
    return fixed, rest


def deployable_lp(
    g: nx.DiGraph,
    targets: Mapping[str, float],
    capacity: Mapping[str, float],
    source_capacity: Mapping[tuple[str, str], float] | None = None,
    substitution: bool = False,
) -> float | None:
    """Most mixes of `targets`, as a second formulation: a dense program over every item and
    every (requirement, supplier) pair, built row by row and solved by HiGHS' interior point
    method. None when unbounded."""
    import numpy as np
    from scipy.optimize import linprog

    names = items(g)
    quantified = [
        (x, r)
        for x in names
        for r in reqs(g, x)
        if g.nodes[r]["quantity"] is not None and not math.isnan(g.nodes[r]["quantity"])
    ]
    flows = [(r, s) for _, r in quantified for s, _ in sources(g, r)]
    var = {("x", n): i + 1 for i, n in enumerate(names)}
    var.update({("f", r, s): len(names) + 1 + i for i, (r, s) in enumerate(flows)})
    n = 1 + len(names) + len(flows)
    a_ub: list[list[float]] = []
    b_ub: list[float] = []
    a_eq: list[list[float]] = []
    for j in names:  # what j's consumers and flows take, plus the targets' output <= x_j
        row = [0.0] * n
        row[var[("x", j)]] -= 1.0
        row[0] += targets.get(j, 0.0)
        for x, r in quantified:
            inp = g.nodes[r]["input"]
            if inp == j:
                row[var[("x", x)]] += g.nodes[r]["quantity"]
        for r, s in flows:
            if s == j:
                row[var[("f", r, s)]] += 1.0
        a_ub.append(row)
        b_ub.append(0.0)
    for x, r in quantified:
        q = g.nodes[r]["quantity"]
        fixed, rest = _flow_weights(g, r, substitution)
        free = [s for s, _ in sources(g, r) if s not in fixed]
        for s, w in fixed.items():
            row = [0.0] * n
            row[var[("f", r, s)]] = 1.0
            row[var[("x", x)]] -= w * q
            a_eq.append(row)
        if free:
            row = [0.0] * n
            for s in free:
                row[var[("f", r, s)]] = 1.0
            row[var[("x", x)]] -= rest * q
            a_eq.append(row)
    for (supplier, inp), amount in (source_capacity or {}).items():
        row = [0.0] * n
        for r, s in flows:
            target = g.nodes[r]["input"]
            if s == supplier and target == inp:
                row[var[("f", r, s)]] = 1.0
        a_ub.append(row)
        b_ub.append(amount)
    bounds = [(0.0, None)] * n
    for j, c in capacity.items():
        bounds[var[("x", j)]] = (0.0, c)
    c = np.zeros(n)
    c[0] = -1.0
    res = linprog(
        c,
        A_ub=np.array(a_ub) if a_ub else None,
        b_ub=np.array(b_ub) if b_ub else None,
        A_eq=np.array(a_eq) if a_eq else None,
        b_eq=np.zeros(len(a_eq)) if a_eq else None,
        bounds=bounds,
        method="highs-ipm",
    )
    if res.status == 3:
        return None
    assert res.status == 0, res.message
    return float(res.x[0])


def deployable_and(
    g: nx.DiGraph, targets: Mapping[str, float], capacity: Mapping[str, float]
) -> float | None:
    """Most mixes of `targets` in a graph without sources, by enumeration of its paths: each
    capacity allows ``capacity / need`` mixes, where `need` sums, over every path of quantified
    requirements from a target to the item, the target's weight times the quantities' product.
    None when no capacity is needed."""
    need: dict[str, float] = {}

    def walk(x: str, amount: float) -> None:
        need[x] = need.get(x, 0.0) + amount
        for r in reqs(g, x):
            q = g.nodes[r]["quantity"]
            if q is None or math.isnan(q):
                continue
            inp = g.nodes[r]["input"]
            walk(inp, amount * q)

    for t, w in targets.items():
        walk(t, w)
    limits = [capacity[j] / need[j] for j in capacity if need.get(j, 0.0) > 0]
    return min(limits) if limits else None
