"""Time the analyses on synthetic graphs against networkx and SPARQL property paths.

Usage::

    python bench/run.py                      # 10k, 100k and 1M items
    python bench/run.py 10000 100000 --rdflib-max 10000 --python-max 100000

For each size: the projection (time, peak and retained memory per edge, against a networkx
DiGraph of the same AND/OR graph), then each analysis beside its nearest networkx primitive,
and the dependents query as a SPARQL 1.1 property path in pyoxigraph and in rdflib.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import Synthetic, generate

from stackgraph.graph.analysis import (
    DependencyGraph,
    DependencyGraphBuilder,
    chokepoints,
    critical_path,
    dependencies,
    dependents,
    impact,
    single_points_of_failure,
)

T = TypeVar("T")
NS = "https://example.org/sg#"


def timed(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out  # type: ignore[return-value]


def traced(fn: Callable[[], T]) -> tuple[T, int, int]:
    """Result, peak bytes during the call and bytes still held after it (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    out = fn()
    now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, peak - base, now - base


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def row(name: str, ours: float, other: float | None = None, what: str = "") -> None:
    ratio = f"{other / ours:8.1f}x" if other is not None and ours > 0 else ""
    theirs = f"{other:9.3f}s" if other is not None else ""
    print(f"  {name:<34}{ours:9.3f}s  {theirs:>10} {ratio:>9}  {what}")


def nx_graph(s: Synthetic) -> nx.DiGraph:
    """The AND/OR graph as a plain DiGraph: items 0..n-1, requirement r is node n + r."""
    n = len(s.ids)
    g = nx.DiGraph()
    g.add_nodes_from(range(n + len(s.req_item)))
    lead_i = np.maximum(s.item_lead, 0)
    lead_r = np.maximum(s.req_lead, 0)
    lead_s = np.maximum(s.src_lead, 0)
    reqs = np.arange(len(s.req_item)) + n
    g.add_weighted_edges_from(
        zip(s.req_item.tolist(), reqs.tolist(), lead_i[s.req_item].tolist(), strict=True)
    )
    g.add_weighted_edges_from(
        zip(reqs.tolist(), s.req_input.tolist(), lead_r.tolist(), strict=True)
    )
    g.add_weighted_edges_from(
        zip(
            (s.src_req + n).tolist(),
            s.src_item.tolist(),
            (lead_r[s.src_req] + lead_s).tolist(),
            strict=True,
        )
    )
    return g


def nx_impact(g: nx.DiGraph, s: Synthetic, shortage: int) -> int:
    """The same availability semantics in plain Python on the networkx graph (a DAG)."""
    n = len(s.ids)
    share = {}
    for r, sup, w in zip(
        s.src_req.tolist(), s.src_item.tolist(), s.src_share.tolist(), strict=True
    ):
        share[(r + n, sup)] = w
    av: dict[int, float] = {}
    for v in reversed(list(nx.topological_sort(g))):
        if v < n:
            a = 0.0 if v == shortage else 1.0
            av[v] = min([a, *(av[r] for r in g.successors(v))])
        else:
            srcs = [u for u in g.successors(v) if (v, u) in share]
            inp = s.req_input[v - n]
            if srcs:
                w = [share[(v, u)] for u in srcs]
                known = [x for x in w if x == x]
                fill = max(0.0, 1 - sum(known)) / max(1, len(w) - len(known))
                w = [x if x == x else fill for x in w]
                tot = sum(w) or 1.0
                sup = sum(wi / tot * av[u] for wi, u in zip(w, srcs, strict=True))
            else:
                sup = 1.0
            av[v] = min(av[int(inp)], sup)
    return sum(1 for v in range(n) if av[v] < 1 - 1e-9)


def ntriples(s: Synthetic) -> bytes:
    n = len(s.ids)
    it = [f"<{NS}{k}>" for k in s.ids]
    rq = [f"<{NS}r{r}>" for r in range(len(s.req_item))]
    lines = [f"{it[i]} <{NS}requires> {rq[r]} ." for r, i in enumerate(s.req_item.tolist())]
    lines += [f"{rq[r]} <{NS}input> {it[i]} ." for r, i in enumerate(s.req_input.tolist())]
    lines += [
        f"{rq[r]} <{NS}source> {it[i]} ."
        for r, i in zip(s.src_req.tolist(), s.src_item.tolist(), strict=True)
    ]
    del n
    return ("\n".join(lines) + "\n").encode()


def sparql_dependents(item: str) -> str:
    return (
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x (<{NS}requires>/(<{NS}input>|"
        f"<{NS}source>))+ <{NS}{item}> }}"
    )


def pick_half(g: DependencyGraph, s: Synthetic) -> tuple[str, int]:
    """Among the most popular low-tier items, the one whose dependents are closest to n/2."""
    cands = [s.ids[int(s.tier_start[t]) + k] for t in (0, 1, 2) for k in range(8)]
    sizes = {c: dependents(g, c, limit=0).total for c in cands}
    best = min(cands, key=lambda c: abs(sizes[c] - len(s.ids) / 2))
    return best, sizes[best]


def bench(n: int, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n=== {n:,} items ===")
    t, s = timed(lambda: generate(n, seed=args.seed), 1)
    print(f"  generate                          {t:9.3f}s")
    t0 = time.perf_counter()
    g, peak, kept = traced(s.graph)
    t_build = time.perf_counter() - t0
    edges = 2 * g.n_requirements + g.n_sources
    print(f"  {g!r}; {edges:,} edges (requires + input + source)")
    print(
        f"  projection (from_arrays)          {t_build:9.3f}s   retained {kept / 2**20:8.1f} MiB"
        f" = {kept / edges:5.1f} B/edge (peak {peak / 2**20:.0f} MiB);"
        f" arrays {g.nbytes / 2**20:.0f} MiB"
    )
    out: dict[str, Any] = {"n": n, "bytes_per_edge": kept / edges}
    if n <= args.python_max:

        def via_builder() -> DependencyGraph:
            b = DependencyGraphBuilder()
            for k in s.ids:
                b.add_item(k)
            for i, j in zip(s.req_item.tolist(), s.req_input.tolist(), strict=True):
                b.add_requirement(s.ids[i], s.ids[j])
            for r, i in zip(s.src_req.tolist(), s.src_item.tolist(), strict=True):
                b.add_source(r, s.ids[i])
            return b.build()

        t, _ = timed(via_builder, 1)
        print(f"  projection (builder API)          {t:9.3f}s")

    comp, n_dep = pick_half(g, s)
    dc = s.ids[int(s.tier_start[-2])]
    print(f"  shortage: {comp} (used by {n_dep:,} items); target: {dc}")

    t_imp, res = timed(lambda: impact(g, {comp: 0.0}))
    t_rec, recs = timed(lambda: impact(g, {comp: 0.0}).to_records(), 1)
    g._cache.pop("lead", None)
    t_cold, _ = timed(lambda: critical_path(g, dc), 1)
    t_cp, cp = timed(lambda: critical_path(g, dc))
    t_dn, dn = timed(lambda: dependents(g, comp, limit=100))
    t_up, up = timed(lambda: dependencies(g, dc, limit=100))
    t_spof, spof = timed(lambda: single_points_of_failure(g, dc), 1)
    out.update(impact=t_imp, critical_path=t_cp, dependents=t_dn)

    mem0 = rss_mib()
    if n <= args.trace_max:
        dig, _, nx_kept = traced(lambda: nx_graph(s))
        print(f"  networkx DiGraph of the same graph: retained {nx_kept / edges:5.1f} B/edge")
    else:
        t0 = time.perf_counter()
        dig = nx_graph(s)
        t_nx = time.perf_counter() - t0
        print(
            f"  networkx DiGraph of the same graph  {t_nx:9.3f}s  (max RSS grew"
            f" {rss_mib() - mem0:,.0f} MiB)"
        )
    idx = {k: i for i, k in enumerate(s.ids)}
    t_anc, anc = timed(lambda: nx.ancestors(dig, idx[comp]), 1)
    t_des, des = timed(lambda: nx.descendants(dig, idx[dc]), 1)
    t_lp, _ = timed(lambda: nx.dag_longest_path(dig.subgraph(des | {idx[dc]})), 1)
    t_py = None
    if n <= args.python_max:
        t_py, blocked = timed(lambda: nx_impact(dig, s, idx[comp]), 1)
        assert blocked == len(res), (blocked, len(res))
    assert sum(1 for v in anc if v < n) == dn.total

    print(f"  {'analysis':<34}{'ours':>10}  {'other':>10} {'ratio':>9}")
    row("impact", t_imp, t_py, f"python on networkx; {len(res):,} affected")
    row("impact + to_records()", t_rec, None, f"{len(recs):,} records with chains")
    row("critical_path (cold: lead cache)", t_cold, None, f"{cp.total_days} days")
    row("critical_path", t_cp, t_lp, "nx.dag_longest_path on the closure")
    row("dependents", t_dn, t_anc, f"nx.ancestors; {dn.total:,} items")
    row("dependencies", t_up, t_des, f"nx.descendants; {up.total:,} items")
    row("single_points_of_failure", t_spof, None, f"{len(spof)} items")
    dig.clear()  # free it before the next baseline
    gc.collect()
    if n <= args.choke_max:
        t_ch, ch = timed(lambda: chokepoints(g, top=10), 1)
        row("chokepoints(top=10)", t_ch, None, f"top blocks {ch[0].count:,} end products")
        out["chokepoints"] = t_ch

    if n <= args.sparql_max:
        import pyoxigraph

        data = ntriples(s)
        store = pyoxigraph.Store()
        t_load, _ = timed(lambda: store.bulk_load(data, pyoxigraph.RdfFormat.N_TRIPLES), 1)
        q = sparql_dependents(comp)
        t_ox, rows = timed(lambda: list(store.query(q)), 1)  # type: ignore[arg-type]
        got = int(rows[0][0].value)
        row("dependents vs pyoxigraph", t_dn, t_ox, f"property path; load {t_load:.1f}s; {got:,}")
        assert got == sum(1 for v in anc if v < n)
        del store
        if n <= args.rdflib_max:
            import rdflib

            rg = rdflib.Graph()
            t_load, _ = timed(lambda: rg.parse(data=data.decode(), format="nt"), 1)
            t_rdf, rows = timed(lambda: list(rg.query(q)), 1)
            row("dependents vs rdflib", t_dn, t_rdf, f"property path; load {t_load:.1f}s")
            del rg
        del data
    print(f"  max RSS so far {rss_mib():,.0f} MiB")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--python-max", type=int, default=100_000, help="largest size for plain-Python baselines"
    )
    p.add_argument(
        "--trace-max", type=int, default=100_000, help="largest size to tracemalloc networkx"
    )
    p.add_argument("--choke-max", type=int, default=1_000_000, help="largest size for chokepoints")
    p.add_argument("--sparql-max", type=int, default=1_000_000, help="largest size for pyoxigraph")
    p.add_argument("--rdflib-max", type=int, default=100_000, help="largest size for rdflib")
    args = p.parse_args()
    t = time.perf_counter()
    for n in args.sizes:
        bench(n, args)
    print(f"\ntotal {time.perf_counter() - t:.0f}s")


if __name__ == "__main__":
    main()
