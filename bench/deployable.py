"""Time `deployable` on synthetic graphs beside the same program built with PuLP.

Usage::

    python bench/deployable.py                       # 10k, 100k and 1M items
    python bench/deployable.py 10000 --pulp-max 10000

For each size: the generator's graph (quantities on every requirement, capacities on the two
lowest tiers), three datacenters as the targets. Ours: assembling the sparse program, and
`deployable` end to end (assembly, HiGHS' dual simplex, reading the answer), best of three.
Beside it, the same program written with PuLP, a general modelling layer (one Python expression
per constraint), timed to build it; where it is small enough (`--solve-max`) solved with PuLP's
bundled CBC, whose optimum must equal ours.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from stackgraph.graph.analysis import DependencyGraph, deployable
from stackgraph.graph.analysis.deployable import _closure, _program


def _pulp_program(g: DependencyGraph, targets: list[str], capacity: Any) -> Any:
    """The program of `deployable` (fixed shares), written as a PuLP model."""
    import pulp

    lay = g._lay
    coef = lay.req_quantity.astype(np.float64)
    t_idx = np.array([g.index(t) for t in targets], dtype=np.int64)
    items, req, src = _closure(g, t_idx, coef)
    req_item = g._req_item()
    src_req = g._src_req()
    shares = g._shares()
    free = np.zeros(g.n_sources, dtype=bool)
    free[shares.unknown] = True
    rest = np.zeros(g.n_sources)
    rest[shares.unknown] = shares.rest

    prob = pulp.LpProblem("deployable", pulp.LpMaximize)
    mixes = pulp.LpVariable("mixes", lowBound=0)
    x = {}
    for i in items.tolist():
        c = capacity[i]
        x[i] = pulp.LpVariable(f"x{i}", lowBound=0, upBound=None if np.isnan(c) else float(c))
    f = {k: pulp.LpVariable(f"f{k}", lowBound=0) for k in src.tolist()}
    prob += mixes
    taken: dict[int, list[Any]] = {i: [] for i in items.tolist()}
    for t in t_idx.tolist():
        taken[t].append(mixes)
    for r in req.tolist():
        taken[int(lay.req_input[r])].append(float(coef[r]) * x[int(req_item[r])])
    by_req: dict[int, list[int]] = {}
    for k in src.tolist():
        taken[int(lay.src_item[k])].append(f[k])
        by_req.setdefault(int(src_req[k]), []).append(k)
    for i, terms in taken.items():
        prob += pulp.lpSum(terms) <= x[i]
    for r, ks in by_req.items():
        owner = x[int(req_item[r])]
        fixed = [k for k in ks if not free[k]]
        for k in fixed:
            prob += f[k] == float(shares.known[k]) * float(coef[r]) * owner
        loose = [k for k in ks if free[k]]
        if loose:
            prob += (
                pulp.lpSum(f[k] for k in loose) == float(rest[loose[0]]) * float(coef[r]) * owner
            )
    return prob, mixes


def bench(n: int, args: argparse.Namespace) -> dict[str, Any]:
    s = generate(n, seed=args.seed)
    g = s.graph()
    top = int(s.tier_start[-2])
    targets = [s.ids[top + k] for k in range(3)]
    capacity = np.empty(g.n_items)
    # the graph renumbers items: carry the capacities by id
    for i, k in enumerate(g.ids):
        capacity[i] = s.capacity[int(k.rsplit("-", 1)[1]) + _tier_start(s, k)]
    best = build = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        _program(g, dict.fromkeys(targets, 1.0), capacity, None, None, False)
        build = min(build, time.perf_counter() - t)
        t = time.perf_counter()
        d = deployable(g, targets, capacity)
        best = min(best, time.perf_counter() - t)
    lay = g._lay
    t_idx = np.array([g.index(t) for t in targets], dtype=np.int64)
    items, req, src = _closure(g, t_idx, lay.req_quantity.astype(np.float64))
    row: dict[str, Any] = {
        "items": g.n_items,
        "reached": len(items),
        "requirements": len(req),
        "sources": len(src),
        "ours": best,
        "build": build,
        "mixes": d.mixes,
        "binding": len(d.binding),
    }
    if n <= args.pulp_max:
        t = time.perf_counter()
        prob, mixes = _pulp_program(g, targets, capacity)
        row["pulp_build"] = time.perf_counter() - t
        if n <= args.solve_max:
            import pulp

            t = time.perf_counter()
            prob.solve(pulp.PULP_CBC_CMD(msg=False))
            row["pulp_solve"] = time.perf_counter() - t
            row["pulp_mixes"] = mixes.value()
            assert abs(row["pulp_mixes"] - d.mixes) <= 1e-4 * max(1.0, d.mixes), row
    return row


def _tier_start(s: Any, item_id: str) -> int:
    from generate import TIERS

    name = item_id.rsplit("-", 1)[0]
    return int(s.tier_start[[t[0] for t in TIERS].index(name)])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pulp-max", type=int, default=100_000, help="largest size built with PuLP")
    p.add_argument("--solve-max", type=int, default=10_000, help="largest size solved by CBC")
    args = p.parse_args()
    print(
        "| items | reached | requirements | sources | our build | PuLP build | ratio |"
        " deployable (build + HiGHS) | CBC solve | same optimum |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in args.sizes:
        r = bench(n, args)
        build = r.get("pulp_build")
        ratio = f"{build / r['build']:.0f}x" if build else "-"
        solve = f"{r['pulp_solve']:.2f} s" if "pulp_solve" in r else "-"
        same = "yes" if "pulp_mixes" in r else "-"
        print(
            f"| {n:,} | {r['reached']:,} | {r['requirements']:,} | {r['sources']:,} |"
            f" {r['build']:.3f} s | {f'{build:.2f} s' if build else '-'} | {ratio} |"
            f" {r['ours']:.2f} s | {solve} | {same} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
