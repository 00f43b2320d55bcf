"""The cost model of the GraphQL API against measured time: does the estimate bound the work?

Usage::

    python bench/cost.py                      # bundled data, every query of the corpus, 5 runs
    python bench/cost.py --repeats 9 --json   # more runs; the rows and the fit as JSON too
    python bench/cost.py --only nested        # the queries whose name contains "nested"
    python bench/cost.py --check              # exit 1 when a query under the limit is too slow

Starts `stackgraph serve` (uvicorn, one worker) on the bundled data ingested into a temporary
store, with the response cache and the analysis cache off (every run computes every analysis,
as a client varying its arguments makes it), no cost limit and a long request timeout. Each
query of the corpus is priced in-process with `stackgraph.api.limits.measure` against the built schema,
then sent `--repeats` times on one keep-alive connection: the median wall time and the
server's CPU time per run are kept. A least-squares line time = a + b * cost is fitted; rows
far above it are underestimated by the model (the dangerous ones), and `--check` fails when a
query under the limit takes longer than `--budget-ms`.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import numpy as np
from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode, parse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import _cpu_seconds, _drive_raw, _free_port, _ingest_bundled, start_server
from stackgraph.api.limits import measure
from stackgraph.api.schema import build_schema
from stackgraph.api.settings import Settings

__all__ = ["CORPUS", "Fit", "Row", "estimate", "fit", "main", "time_query"]

LIMIT = Settings().max_cost
CHEAP = 1_000
"""A cheap query: one analysis or a page of lookups."""
NOISE_MS = 50.0
"""Rows faster than this are mostly fixed overhead; they are not flagged against the fit."""
_DEPS = "dependencies(first: {m}) {{ totalCount }}"
_BOTH = "dependencies(first: {m}) {{ totalCount }} dependents(first: {m}) {{ totalCount }}"
_EDGES = "dependencies(first: {m}) {{ totalCount edges {{ node {{ id name }} depth path }} }}"
_TARGETS = ["gb200-nvl72", "b200", "stargate-abilene", "mi355x-rack", "h100", "tpu-v7-ironwood"]


def _nested(outer: str, inner: str, m: int) -> str:
    return f"{{ {outer} {{ {inner.format(m=m)} }} }}"


def _aliased(n: int, field: Callable[[int, str], str]) -> str:
    """`n` aliased copies of a field, with arguments that differ so none shares a result."""
    return "{ " + " ".join(f"a{i}: " + field(i, _TARGETS[i % 6]) for i in range(n)) + " }"


CORPUS: dict[str, str] = {
    "typename": "{ __typename }",
    "graph version": "{ graphInfo { version } }",
    "graph info": "{ graphInfo { version entities entitiesByType { type count } requirements "
    "supplies sources { graph file title triples lastRun { generatedAt } } } }",
    "entity id": '{ entity(id: "b200") { id name } }',
    "entity load.py": '{ entity(id: "NVIDIA B200") { id name layer category provenance { '
    "sourceUrl asOf } requirements { input { id name } quantity } } }",
    "entity full": '{ entity(id: "gb200-nvl72") { id name aliases types layer category '
    "leadTimeDays attributes { name value } claims { property status value provenance { "
    "sourceUrl tier } } requirements { id quantity sources { share supplier { id name } } } "
    "sources { supplier { id } share qualification } capacities { amount unit year } } }",
    "entity two hops": '{ entity(id: "gb200-nvl72") { requirements { input { requirements { '
    "input { id requirements { input { id } } } } } } } }",
    "capacities": '{ entity(id: "cowos-l") { capacities(year: 2026) { of { id } holder { id } '
    "kind amount amountMax unit period canonicalAmount canonicalUnit provenance { sourceUrl } "
    "} } }",
    "search 10": '{ search(text: "hbm", first: 10) { totalCount edges { node { id name layer } '
    "} } }",
    "search 100": "{ search(first: 100) { totalCount edges { node { id name layer category "
    "provenance { sourceUrl asOf } } } } }",
    "search layer": '{ search(layer: "packaging", first: 50) { totalCount edges { node { id '
    "types } } } }",
    "dependencies 20": '{ entity(id: "gb200-nvl72") { dependencies { totalCount edges { node { '
    "id } depth path via { sourceUrl } } } } }",
    "dependencies 100": '{ entity(id: "stargate-abilene") { dependencies(first: 100) { '
    "totalCount edges { node { id name layer } depth path via { sourceUrl asOf } } } } }",
    "dependents 100": '{ entity(id: "tsmc") { dependents(first: 100) { totalCount edges { node '
    "{ id } depth path } } } }",
    "dependents accelerators": '{ entity(id: "TSMC CoWoS-L") { dependents(categories: '
    '["accelerator"]) { totalCount edges { path node { name } } } } }',
    "impact load.py": '{ impact(shortages: [{id: "cowos-l", availability: 0.5}, {id: '
    '"sk-hynix-hbm3e", availability: 0}], first: 20) { totalCount summary { blocked '
    "constrained ok } edges { node { entity { id name } status availability "
    "bindingRequirement { id } chain } } } }",
    "impact 100 explained": '{ impact(shortages: [{id: "tsmc", availability: 0}], first: 100) '
    "{ totalCount edges { node { entity { id name } status chain explanation { entity { id } "
    "facts { sourceUrl } shares { supplier { id } share } } } } } }",
    "impact substitution": '{ impact(shortages: [{id: "asml", availability: 0.3}], '
    "substitution: true, first: 50, orderBy: {field: AVAILABILITY}) { totalCount summary { "
    "byLayer { layer blocked constrained ok } } edges { node { entity { id } "
    "availabilityLow availabilityHigh } } } }",
    "critical path": '{ criticalPath(id: "gb200-nvl72") { totalDays steps { kind node days '
    "cumulative provenance { sourceUrl } } missingLeadTimes { node } } }",
    "critical path campus": '{ criticalPath(id: "stargate-abilene") { totalDays steps { node '
    "days } missingInClosureCount } }",
    "spof": '{ singlePointsOfFailure(id: "gb200-nvl72") { entity { id } path weak } }',
    "spof campus": '{ singlePointsOfFailure(id: "stargate-abilene") { entity { id name } path '
    "facts { sourceUrl } } }",
    "chokepoints 10": "{ chokepoints { entity { id } endProductsBlocked score } }",
    "chokepoints 100": "{ chokepoints(first: 100) { entity { id name } endProductsBlocked "
    "endProducts { id name } } }",
    "chokepoints accelerators": '{ chokepoints(first: 20, categories: ["accelerator"]) { '
    "entity { id } endProducts { id } } }",
    "deployable": '{ deployable(targets: [{id: "GB200 NVL72"}], year: 2026, shortages: '
    '["cowos-l=0.8"]) { units { id low high lostLow } bindingLayers unbounded } }',
    "deployable full": '{ deployable(targets: [{id: "stargate-abilene"}], year: 2026) { units '
    "{ id low high } bindingLayers unbounded unquantified summary capacities { id layer unit "
    "capacityLow used shadowPriceLow binding facts { sourceUrl } } } }",
    "deployable mix": '{ deployable(targets: [{id: "gb200-nvl72", units: 2}, {id: "mi355x-rack"}'
    ', {id: "tpu-v7"}], year: 2025, per: "month", allocation: "nvidia") { units { id low } '
    "capacities { id binding } } }",
    # 30 aliases is the limit; different arguments so that no two share a computation
    "aliased deployable x10": _aliased(
        10,
        lambda i, t: (
            f'deployable(targets: [{{id: "{t}"}}], year: {2024 + i % 3}) {{ units {{ low }} }}'
        ),
    ),
    "aliased deployable x24": _aliased(
        24,
        lambda i, t: (
            f'deployable(targets: [{{id: "{t}"}}], year: 2025, shortages: ["cowos-l=0.{i}3"])'
            " { units { low high } bindingLayers }"
        ),
    ),
    "aliased deployable x30": _aliased(
        30,
        lambda i, t: (
            f'deployable(targets: [{{id: "{t}"}}], year: 2026, shortages: ["cowos-l=0.{i}1"])'
            " { units { low high } bindingLayers }"
        ),
    ),
    "aliased impact x30": _aliased(
        30,
        lambda i, t: (
            f'impact(shortages: [{{id: "{t}", availability: 0.{i}1}}], first: 20) {{ '
            "totalCount edges { node { entity { id } chain } } }"
        ),
    ),
    "aliased spof x30": _aliased(
        30, lambda i, t: f'singlePointsOfFailure(id: "{t}") {{ entity {{ id }} path }}'
    ),
    "aliased critical path x30": _aliased(
        30, lambda i, t: f'criticalPath(id: "{t}") {{ totalDays steps {{ node days }} }}'
    ),
    "aliased chokepoints x30": _aliased(
        30,
        lambda i, t: (
            f'chokepoints(first: {i + 1}, categories: ["accelerator"]) {{ entity {{ id }} }}'
        ),
    ),
    "search 100 > dependencies": _nested("search(first: 100) { edges { node", _DEPS, 100) + " } }",
    "search 100 > both walks": _nested("search(first: 100) { edges { node", _BOTH, 1) + " } }",
    "search 50 > requirements > sources": "{ search(first: 50) { edges { node { requirements { "
    "sources { supplier { id requirements { input { id } } } } } } } } }",
    "dependencies 100 > dependencies": '{ entity(id: "stargate-abilene") { dependencies(first: '
    "100) { edges { node { dependencies(first: 100) { totalCount } } } } } }",
    "dependents 100 > dependencies(100)": '{ entity(id: "tsmc") { dependents(first: 100) { '
    "edges { node { dependencies(first: 100) { totalCount } } } } } }",
    "2 x dependents 100 > dependencies(100)": _aliased(
        2,
        lambda i, t: (
            f'entity(id: "{("tsmc", "asml")[i]}") {{ dependents(first: 100) {{ edges '
            "{ node { dependencies(first: 100) { totalCount } } } } }"
        ),
    ),
    "search 100 datacenters > dependencies(100)": _nested(
        'search(category: "datacenter", first: 100) { edges { node', _DEPS, 100
    )
    + " } }",
    "dependents 100 > dependents": '{ entity(id: "tsmc") { dependents(first: 100) { edges { '
    "node { dependents(first: 5) { totalCount edges { node { id } } } } } } } }",
}
for _n, _m in ((1, 100), (2, 100), (3, 100), (6, 100), (12, 1), (12, 20), (12, 100), (25, 100)):
    CORPUS[f"nested {_n} > dependencies({_m})"] = (
        _nested(f"chokepoints(first: {_n}) {{ endProducts", _DEPS, _m) + " }"
    )
for _n, _m in ((1, 100), (6, 1), (12, 100), (100, 100)):  # the last: the issue's query
    CORPUS[f"nested {_n} > both walks({_m})"] = (
        _nested(f"chokepoints(first: {_n}) {{ endProducts", _BOTH, _m) + " }"
    )
CORPUS["nested 3 > dependencies edges(20)"] = (
    _nested("chokepoints(first: 3) { endProducts", _EDGES, 20) + " }"
)


@dataclass
class Row:
    """One query: its estimated cost and its measured time."""

    name: str
    cost: int
    ms: float
    """Median wall time of one request on a keep-alive connection."""
    cpu_ms: float | None
    """Server CPU time per request (all its threads), less skewed by other load."""
    errors: int
    fitted_ms: float = float("nan")

    @property
    def ratio(self) -> float:
        """Measured over fitted time: well above 1, the model underestimates this query."""
        return self.ms / self.fitted_ms if self.fitted_ms > 0 else float("nan")


@dataclass
class Fit:
    """time_ms = intercept_ms + slope * cost, by least squares over the rows given."""

    rows: int
    intercept_ms: float
    ms_per_1000: float
    r2: float
    at_limit_ms: float


@functools.cache
def _schema() -> GraphQLSchema:
    return build_schema()._schema


def estimate(query: str, max_page: int = Settings().max_page_size) -> int:
    """The cost `stackgraph.api.limits` gives the (single) operation of `query`."""
    schema = _schema()
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return measure(schema, operation, fragments, max_page).cost


def fit(rows: list[Row], limit: int = LIMIT) -> Fit:
    """Least squares time = a + b * cost over `rows`, with R² and the time predicted at `limit`."""
    x = np.array([r.cost for r in rows], dtype=float)
    y = np.array([r.ms for r in rows], dtype=float)
    a_matrix = np.column_stack([np.ones_like(x), x])
    (a, b), *_ = np.linalg.lstsq(a_matrix, y, rcond=None)
    residual = float(((y - (a + b * x)) ** 2).sum())
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - residual / total if total > 0 else float("nan")
    return Fit(len(rows), float(a), float(b) * 1000, r2, float(a + b * limit))


def time_query(
    url: str, query: str, repeats: int, server_pid: int
) -> tuple[float, float | None, int]:
    """Median wall ms, server CPU ms per request and errors of `repeats` runs on one connection."""
    cpu0 = _cpu_seconds(server_pid)
    latencies, errors, _ = asyncio.run(_drive_raw(url, query, 1, 3600.0, repeats))
    cpu1 = _cpu_seconds(server_pid)
    cpu = None if cpu0 is None or cpu1 is None else (cpu1 - cpu0) * 1000 / repeats
    return statistics.median(latencies) * 1000, cpu, errors


def _first_error(url: str, query: str) -> str | None:
    """Send `query` once (also a warm-up of the parser cache); its first error, if any."""
    response = httpx.post(url, json={"query": query}, timeout=600)
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    errors = response.json().get("errors")
    return None if not errors else str(errors[0].get("message"))


def _table(rows: list[Row], budget_ms: float) -> str:
    lines = [
        "| query | cost | ms (median) | server CPU ms | ms per 1,000 | fitted ms | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: r.cost):
        cpu = "-" if r.cpu_ms is None else f"{r.cpu_ms:,.1f}"
        over = r.cost > LIMIT
        mark = " (over the limit)" if over else (" **slow**" if r.ms > budget_ms else "")
        lines.append(
            f"| {r.name}{mark} | {r.cost:,} | {r.ms:,.1f} | {cpu} | "
            f"{r.ms * 1000 / max(r.cost, 1):,.2f} | {r.fitted_ms:,.1f} | {r.ratio:.1f} |"
        )
    return "\n".join(lines)


def _fit_text(label: str, f: Fit) -> str:
    return (
        f"{label}: {f.rows} queries, time = {f.intercept_ms:.1f} ms + {f.ms_per_1000:.2f} ms "
        f"per 1,000 cost units, R² = {f.r2:.3f}; predicted at the limit ({LIMIT:,}): "
        f"{f.at_limit_ms:,.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the corpus; 0 when done (with `--check`: 1 when a query under the limit is slow)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="store spec (default: the bundled data in a temp store)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per query (median kept)")
    parser.add_argument("--only", help="run only the queries whose name contains this")
    parser.add_argument("--ratio", type=float, default=3.0, help="flag rows this far above fit")
    parser.add_argument("--budget-ms", type=float, default=1000.0, help="slow, under the limit")
    parser.add_argument("--json", action="store_true", help="print the rows and fits as JSON too")
    parser.add_argument("--check", action="store_true", help="exit 1 when a query is too slow")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be positive")
    corpus = {k: v for k, v in CORPUS.items() if not args.only or args.only in k}

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="stackgraph-cost-") as tmp:
        store = args.store or _ingest_bundled(Path(tmp))
        port = _free_port()
        server = start_server(
            store,
            port,
            settings={
                "STACKGRAPH_MAX_COST": str(10**9),  # no limit, a long deadline, no caches
                "STACKGRAPH_REQUEST_TIMEOUT_S": "600",
                "STACKGRAPH_RESPONSE_CACHE_SIZE": "0",
                "STACKGRAPH_ANALYSIS_CACHE_SIZE": "0",
            },
        )
        url = f"http://127.0.0.1:{port}/graphql"
        try:
            for name, query in corpus.items():
                error = _first_error(url, query)
                if error is not None:
                    raise SystemExit(f"query {name!r} failed: {error}")
                ms, cpu, errors = time_query(url, query, args.repeats, server.pid)
                rows.append(Row(name, estimate(query), ms, cpu, errors))
                print(f"{name:<40} cost {rows[-1].cost:>9,}  {ms:>9.1f} ms", file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=15)

    every = fit(rows)
    under = [r for r in rows if r.cost <= LIMIT]
    within = fit(under) if len(under) > 1 else every
    for r in rows:
        r.fitted_ms = within.intercept_ms + within.ms_per_1000 * r.cost / 1000
    worst = max(under, key=lambda r: r.ms, default=None)
    cheap = max((r for r in rows if r.cost <= CHEAP), key=lambda r: r.ms, default=None)
    dangerous = [r for r in under if r.ratio >= args.ratio and r.ms >= NOISE_MS]
    slow = [r for r in under if r.ms > args.budget_ms]
    steep = max((r for r in under if r.cost >= CHEAP), key=lambda r: r.ms / r.cost, default=None)

    print(
        f"{len(rows)} queries, median of {args.repeats} runs each, one keep-alive connection, "
        f"response and analysis caches off; {os.cpu_count()} CPUs (client and server share them)"
    )
    print(_table(rows, args.budget_ms))
    print(_fit_text("fit under the limit", within))
    print(_fit_text("fit over every query", every))
    for label, top in (("under the limit", worst), (f"of cost <= {CHEAP:,}", cheap)):
        if top is not None:
            print(f"slowest query {label}: {top.name} (cost {top.cost:,}): {top.ms:,.1f} ms")
    if steep is not None:
        print(
            f"most time per cost unit (cost >= {CHEAP:,}): {steep.name}, "
            f"{steep.ms * 1000 / steep.cost:.1f} ms per 1,000: {steep.ms * LIMIT / steep.cost:,.0f} "
            f"ms if a query at the limit scaled like it"
        )
    for r in dangerous:
        print(f"underestimated ({r.ratio:.1f}x the fit): {r.name}, cost {r.cost:,}, {r.ms:.1f} ms")
    for r in slow:
        print(f"SLOW under the limit: {r.name}, cost {r.cost:,}, {r.ms:,.1f} ms")
    if args.json:
        out = {
            "rows": [asdict(r) | {"ratio": r.ratio} for r in rows],
            "fit_under_limit": asdict(within),
            "fit_all": asdict(every),
            "underestimated": [r.name for r in dangerous],
            "slow": [r.name for r in slow],
            "slowest_cheap": None if cheap is None else cheap.name,
        }
        print(json.dumps(out))
    return 1 if args.check and (slow or any(r.errors for r in rows)) else 0


if __name__ == "__main__":
    sys.exit(main())
