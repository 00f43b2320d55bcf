"""A bounded soak of the GraphQL API: mixed queries on 64 connections, an ingest every minute.

Usage::

    python bench/soak.py                                  # 600 s, 64 connections, ingest every 60 s
    python bench/soak.py --duration 60 --ingest-every 20  # a short run
    python bench/soak.py --json --check                   # exit 1 on errors, growth, slow switch

Copies `data/` to a temporary folder, ingests it into a temporary Oxigraph store and starts
`stackgraph serve` (one uvicorn worker, default settings: response cache on, reload checked every
second). 64 keep-alive connections (asyncio streams, in this process) send a seeded mix of
lookups, searches, dependencies, impact, critical path and deployable queries over varied ids,
shortage levels and years, each tried once first by GET (the response cache ignores GETs). Every
`--ingest-every` s one figure of `volumes.yaml` changes and `stackgraph ingest` runs; /readyz and
`{ graphInfo { version } }` are polled until the new version is pinned and answered, timed from
the command's exit. Every 5 s the server's RSS, descriptors (those on deleted files apart) and
threads are read from /proc; requests/s, errors and p50/p99 latency are kept per window.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import DATA, ROOT, _free_port, _percentile, start_server

__all__ = ["MIX", "WEIGHTS", "Ingest", "Sample", "main", "process_stats", "query_pool", "summarise"]

SAMPLE_S = 5.0
EDITED = "volumes.yaml"
"""The source whose first `amount:` figure grows by n at the n-th ingest (harmless)."""

MIX: dict[str, str] = {
    "entity": '{ entity(id: "@any") { id name layer category provenance { sourceUrl asOf } requirements { input { id name } quantity } } }',
    "search": '{ search(text: "@prefix", first: 10) { totalCount edges { node { id name layer } } } }',
    "dependencies": '{ entity(id: "@any") { dependencies(first: 20) { totalCount edges { node { id } depth path } } } }',
    "impact": '{ impact(shortages: [{id: "@chokepoint", availability: @level}], first: 20) { totalCount summary { blocked constrained ok } edges { node { entity { id name } status chain } } } }',
    "criticalPath": '{ criticalPath(id: "@end") { totalDays steps { node days } } }',
    "deployable": '{ deployable(targets: [{id: "@end"}], year: @year) { units { id low high } bindingLayers } }',
}
"""Query templates: `@any` is any entity id, `@prefix` its first three letters, `@chokepoint`
one of the top 100 chokepoints, `@end` one of their end products, `@level` a shortage's
availability (0, 0.25, 0.5, 0.75), `@year` 2024 to 2027."""
WEIGHTS = dict(entity=35, search=20, dependencies=15, impact=15, criticalPath=10, deployable=5)
"""Percent of the requests of each kind."""


@dataclass
class Sample:
    """One window of `SAMPLE_S` seconds: the load in it, the server process at its end."""

    t: float
    rss_mib: float
    fds: int
    deleted_fds: int
    threads: int
    requests: int = 0
    errors: int = 0
    hits: int = 0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")


@dataclass
class Ingest:
    """One ingest: the command, and when the server first answered the version it wrote."""

    n: int
    t: float
    seconds: float
    code: int
    new: str | None
    switch_ms: float | None
    """From the command's exit to the first answer with a new version (0: before it exited)."""
    pinned_ms: float | None
    """From the command's exit to /readyz giving the new version (pinned for new requests)."""
    stale: int
    """/readyz answers meanwhile saying `stale`: the server failed to load a version."""
    failure: str
    """The command's last line of error output when it failed."""


@dataclass
class _Stats:
    """Every request in completion order: when it ended, how long it took, how it went."""

    ends: array[float] = field(default_factory=lambda: array("d"))
    latencies: array[float] = field(default_factory=lambda: array("d"))
    failed: array[int] = field(default_factory=lambda: array("b"))
    hits: array[int] = field(default_factory=lambda: array("b"))
    errors: dict[str, int] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)

    def record(self, kind: str, t0: float, ok: bool, hit: bool, detail: str) -> None:
        now = time.monotonic()
        self.ends.append(now)
        self.latencies.append(now - t0)
        self.failed.append(not ok)
        self.hits.append(hit)
        if not ok:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            self.examples.setdefault(kind, detail[:300])

    def window(self, lo: float, hi: float) -> tuple[int, int, int, float, float]:
        """Requests, errors, cache hits, p50 and p99 ms of those that ended in (lo, hi]."""
        a, b = bisect.bisect_right(self.ends, lo), bisect.bisect_right(self.ends, hi)
        ordered = sorted(self.latencies[a:b])
        p50, p99 = (_percentile(ordered, q) * 1000 for q in (0.5, 0.99))
        return b - a, sum(self.failed[a:b]), sum(self.hits[a:b]), p50, p99


def process_stats(pid: int) -> tuple[float, int, int, int]:
    """RSS in MiB, open descriptors, those on deleted files, and threads of a process (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss, threads = (int(re.findall(rf"{k}:\s+(\d+)", status)[0]) for k in ("VmRSS", "Threads"))
    targets = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed between the listing and the read
            targets.append(os.readlink(fd))
    return rss / 1024, len(targets), sum(t.endswith("(deleted)") for t in targets), threads


def query_pool(url: str, size: int, seed: int) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """`size` (kind, query) drawn by `WEIGHTS` and `MIX` over the served ids, without those that
    failed when tried once each, and how many distinct queries failed per kind."""
    ids: dict[str, list[str]] = {"any": []}
    with httpx.Client(timeout=60) as client:
        after = ""
        while True:
            page = "{ pageInfo { hasNextPage endCursor } edges { node { id } } }"
            body = {"query": f"{{ search(first: 100{after}) {page} }}"}
            found = client.post(url, json=body).json()["data"]["search"]
            ids["any"] += [e["node"]["id"] for e in found["edges"]]
            if not found["pageInfo"]["hasNextPage"]:
                break
            after = f', after: "{found["pageInfo"]["endCursor"]}"'
        body = {"query": "{ chokepoints(first: 100) { entity { id } endProducts { id } } }"}
        top = client.post(url, json=body).json()["data"]["chokepoints"]
        ids["chokepoint"] = [c["entity"]["id"] for c in top]
        ids["end"] = sorted({e["id"] for c in top for e in c["endProducts"]})
        rng = random.Random(seed)
        pick = {
            "any": lambda: rng.choice(ids["any"]),
            "prefix": lambda: rng.choice(ids["any"])[:3],
            "chokepoint": lambda: rng.choice(ids["chokepoint"]),
            "end": lambda: rng.choice(ids["end"]),
            "level": lambda: str(rng.choice((0, 0.25, 0.5, 0.75))),
            "year": lambda: str(rng.randint(2024, 2027)),
        }
        kinds = rng.choices(list(WEIGHTS), list(WEIGHTS.values()), k=size)
        drawn = [(k, re.sub(r"@(\w+)", lambda m: pick[m[1]](), MIX[k])) for k in kinds]
        bad = {}
        for query, kind in {q: k for k, q in drawn}.items():
            answer = client.get(url, params={"query": query})
            if answer.status_code != 200 or "errors" in answer.json():
                bad[query] = kind
    return [(k, q) for k, q in drawn if q not in bad], dict(Counter(bad.values()))


def _request(port: int, query: str) -> bytes:
    body = json.dumps({"query": query}).encode()
    return (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _exchange(conn: _Conn, request: bytes) -> tuple[bool, bool, bytes]:
    """One request on a keep-alive connection: (status 200, from the cache, body)."""
    reader, writer = conn
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length, hit = 0, False
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
        elif line.startswith(b"x-stackgraph-cache:"):
            hit = line.endswith(b"hit")
    return head.startswith(b"HTTP/1.1 200"), hit, await reader.readexactly(length)


async def _worker(
    port: int, pool: list[tuple[str, bytes]], seed: int, stats: _Stats, stop: float
) -> None:
    rng = random.Random(seed)
    conn: _Conn | None = None
    while time.monotonic() < stop:
        kind, request = pool[rng.randrange(len(pool))]
        t0 = time.monotonic()
        try:
            conn = conn or await asyncio.open_connection("127.0.0.1", port)
            ok, hit, payload = await _exchange(conn, request)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            stats.record(kind, t0, False, False, repr(exc))
            if conn is not None:
                conn[1].close()
            conn = None
            continue
        ok = ok and b'"errors"' not in payload
        stats.record(kind, t0, ok, hit, "" if ok else payload.decode(errors="replace"))
    if conn is not None:
        conn[1].close()


def _bump(text: str, n: int) -> str:
    match = re.search(r"(?m)^\s+amount: (\d+)$", text)
    if match is None:
        raise ValueError(f"no `amount: N` line in {EDITED} to change")
    return text[: match.start(1)] + str(int(match[1]) + n) + text[match.end(1) :]


async def _exited(proc: asyncio.subprocess.Process) -> tuple[float, str]:
    _, err = await proc.communicate()
    return time.monotonic(), err.decode(errors="replace").strip()


async def _ingester(
    args: argparse.Namespace, port: int, copy: Path, store: str, t0: float, ingests: list[Ingest]
) -> None:
    """Every `--ingest-every` s: change one figure, ingest the copy, time the version switch."""
    every, stop = args.ingest_every, t0 + args.duration
    edited = copy / EDITED
    original = edited.read_text(encoding="utf-8")
    probe = _request(port, "{ graphInfo { version } }")
    readyz = f"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()

    async def version(conn: _Conn) -> str:
        return str(json.loads((await _exchange(conn, probe))[2])["data"]["graphInfo"]["version"])

    def since(exited: float, t: float | None) -> float | None:
        return None if t is None else max(0.0, (t - exited) * 1000)

    n = 0
    while t0 + (n + 1) * every < stop - 5:  # no ingest too late to see its switch
        n += 1
        await asyncio.sleep(max(0.0, t0 + n * every - time.monotonic()))
        # a fresh connection each round: an idle one is closed by the server's keep-alive timeout
        conn = await asyncio.open_connection("127.0.0.1", port)
        old = await version(conn)
        edited.write_text(_bump(original, n), encoding="utf-8")
        start = time.monotonic()
        command = ["-m", "stackgraph.cli", "ingest", str(copy), "--store", store, "-q"]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        exit_at = asyncio.ensure_future(_exited(proc))
        seen = pinned = new = None
        stale = 0
        while seen is None and not (exit_at.done() and time.monotonic() > exit_at.result()[0] + 30):
            ready = json.loads((await _exchange(conn, readyz))[2])
            stale += ready["status"] != "ready"
            if pinned is None and ready["version"] != old:
                pinned = time.monotonic()
            if (current := await version(conn)) != old:
                seen, new = time.monotonic(), current
            await asyncio.sleep(0.01)
        exited, err = await exit_at
        code = -1 if proc.returncode is None else proc.returncode
        failure = "" if code == 0 else (err.splitlines() or [""])[-1]
        switch, pin, took = since(exited, seen), since(exited, pinned or seen), exited - start
        ingests.append(Ingest(n, start - t0, took, code, new, switch, pin, stale, failure))
        print(f"ingest: {asdict(ingests[-1])}", file=sys.stderr)
        conn[1].close()


async def _sampler(pid: int, t0: float, stop: float, samples: list[Sample]) -> None:
    for k in range(1, math.ceil((stop - t0) / SAMPLE_S) + 1):
        await asyncio.sleep(max(0.0, min(t0 + k * SAMPLE_S, stop) - time.monotonic()))
        samples.append(Sample(round(time.monotonic() - t0, 2), *process_stats(pid)))


async def _soak(
    args: argparse.Namespace, port: int, pid: int, pool: list[tuple[str, str]], copy: Path, db: str
) -> tuple[list[Sample], list[Ingest], _Stats, float]:
    requests = [(k, _request(port, q)) for k, q in pool]
    stats, samples, ingests = _Stats(), list[Sample](), list[Ingest]()
    stop = (t0 := time.monotonic()) + args.duration
    workers = (_worker(port, requests, args.seed + i, stats, stop) for i in range(args.connections))
    await asyncio.gather(
        *workers, _ingester(args, port, copy, db, t0, ingests), _sampler(pid, t0, stop, samples)
    )
    for last, s in zip([0.0, *(s.t for s in samples)], samples, strict=False):
        s.requests, s.errors, s.hits, s.p50_ms, s.p99_ms = stats.window(t0 + last, t0 + s.t)
    return samples, ingests, stats, t0


def summarise(
    samples: list[Sample], ingests: list[Ingest], stats: _Stats, seconds: float, settle: int
) -> dict[str, object]:
    """Totals, memory, descriptors and switch delays of a run (the JSON of `--json`)."""
    ordered = sorted(stats.latencies)
    # the process in the last window before each ingest; judged from the one after `settle`
    before = [(i.n, next(s for s in samples[::-1] if s.t <= i.t)) for i in ingests]
    late = [(n, s.rss_mib) for n, s in before if n > settle]
    base = next((s for n, s in before if n > settle), samples[0])
    switches = [i.switch_ms for i in ingests if i.switch_ms is not None]
    # replaced stores stay open while requests hold them: judge the fewest of the last minute
    recent = [s.fds for s in samples[-int(60 / SAMPLE_S) :] if s.t > base.t] or [samples[-1].fds]
    out: dict[str, object] = {
        "requests": len(ordered),
        "rps": round(len(ordered) / seconds, 1),
        "errors": sum(stats.errors.values()),
        "errors_by_kind": stats.errors,
        "error_examples": stats.examples,
        "cache_hit_percent": round(100 * sum(stats.hits) / max(1, len(ordered)), 1),
        "p50_ms": round(_percentile(ordered, 0.5) * 1000, 2),
        "p99_ms": round(_percentile(ordered, 0.99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
    }
    for key in ("rss_mib", "fds", "deleted_fds", "threads"):
        values = [getattr(s, key) for s in samples]
        out |= {f"{key}_start": values[0], f"{key}_end": values[-1], f"{key}_max": max(values)}
    slope = np.polyfit([n for n, _ in late], [r for _, r in late], 1)[0] if late[1:] else None
    return out | {
        "rss_mib_base": base.rss_mib,
        "fds_base": base.fds,
        "fds_last_minute_min": min(recent),
        "rss_mib_per_ingest": None if slope is None else round(float(slope), 2),
        "ingests": len(ingests),
        "ingests_failed": sum(i.code != 0 for i in ingests),
        "ingest_median_s": statistics.median(i.seconds for i in ingests) if ingests else None,
        "switch_median_ms": statistics.median(switches) if switches else None,
        "switch_max_ms": max(switches, default=None),
        "pinned_max_ms": max((i.pinned_ms or 0.0 for i in ingests), default=None),
        "switches_missed": sum(i.switch_ms is None for i in ingests),
        "stale_answers": sum(i.stale for i in ingests),
    }


def verdicts(s: dict[str, object], args: argparse.Namespace) -> dict[str, bool]:
    """Whether the run kept each promise (`--check` fails on any False)."""
    n = {k: float(v) for k, v in s.items() if isinstance(v, int | float)}
    after = f"after {args.settle} ingests"
    fds, rss = n["fds_last_minute_min"] - n["fds_base"], n["rss_mib_end"] - n["rss_mib_base"]
    switched = n["switches_missed"] == 0 and n.get("switch_max_ms", 0.0) <= args.switch_ms
    return {
        "no errors, every ingest done": n["errors"] == n["ingests_failed"] == 0,
        f"descriptors grow by at most {args.fd_slack} {after}": fds <= args.fd_slack,
        f"RSS grows by at most {args.rss_growth_mib:g} MiB {after}": rss <= args.rss_growth_mib,
        f"every version switch within {args.switch_ms:g} ms": switched,
    }


def _table(samples: list[Sample], ingests: list[Ingest], stats: _Stats, t0: float) -> str:
    lines = [
        "| minute | requests | req/s | p50 ms | p99 ms | errors | cache hits | RSS MiB | fds "
        "| on deleted files | threads | ingest s | switch ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in range(1, int(-(-samples[-1].t // 60)) + 1):
        lo, hi = (m - 1) * 60.0, min(m * 60.0, samples[-1].t)
        count, errors, hits, p50, p99 = stats.window(t0 + lo, t0 + hi)
        s = [s for s in samples if s.t <= hi + 0.5][-1]
        ins = [i for i in ingests if lo <= i.t < hi]
        took = ", ".join(f"{i.seconds:.1f}" for i in ins) or "-"
        switch = ", ".join("never" if i.switch_ms is None else f"{i.switch_ms:.0f}" for i in ins)
        lines.append(
            f"| {m} | {count:,} | {count / (hi - lo):,.0f} | {p50:.1f} | {p99:.1f} | {errors} "
            f"| {100 * hits / max(1, count):.0f} % | {s.rss_mib:.0f} | {s.fds} | {s.deleted_fds} "
            f"| {s.threads} | {took} | {switch or '-'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the soak; 0 when done (with `--check`: 1 when a promise is broken)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load")
    parser.add_argument("--ingest-every", type=float, default=60.0, help="seconds between ingests")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--pool", type=int, default=4000, help="queries drawn for the mix")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--settle", type=int, default=3, help="ingests before RSS is judged")
    parser.add_argument("--rss-growth-mib", type=float, default=64.0, help="most RSS may grow")
    parser.add_argument("--fd-slack", type=int, default=8, help="descriptors the end may add")
    parser.add_argument("--switch-ms", type=float, default=1000.0, help="slowest version switch")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--check", action="store_true", help="exit 1 when a promise is broken")
    args = parser.parse_args(argv)
    if args.duration < 2 * SAMPLE_S or args.connections < 1 or args.ingest_every <= 0:
        parser.error("--duration must be at least 10 s; --connections, --ingest-every positive")

    with tempfile.TemporaryDirectory(prefix="stackgraph-soak-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(DATA, copy)
        store = f"oxigraph:{Path(tmp) / 'store'}"
        command = [sys.executable, "-m", "stackgraph.cli", "ingest", str(copy), "--store", store]
        subprocess.run([*command, "-q"], cwd=ROOT, check=True, capture_output=True)
        port = _free_port()
        server = start_server(store, port)
        try:
            url = f"http://127.0.0.1:{port}/graphql"
            pool, dropped = query_pool(url, args.pool, args.seed)
            idle = process_stats(server.pid)
            run = _soak(args, port, server.pid, pool, copy, store)
            samples, ingests, stats, t0 = asyncio.run(run)
        finally:
            server.terminate()
            server.wait(timeout=15)
    summary = summarise(samples, ingests, stats, args.duration, args.settle)
    summary["idle"] = dict(zip(("rss_mib", "fds", "deleted_fds", "threads"), idle, strict=True))
    summary["pool"] = {"queries": len(pool), "distinct": len(set(pool)), "dropped": dropped}
    checks = verdicts(summary, args)
    print(
        f"{args.duration:g} s, {args.connections} connections, an ingest every "
        f"{args.ingest_every:g} s; {os.cpu_count()} CPUs (client, server and ingest share them)"
    )
    print(_table(samples, ingests, stats, t0))
    groups = "requests rps cache|p50 p99 max error|rss|fds deleted thr|ingest switch pin stale"
    for group in groups.split("|"):
        shown = tuple(group.split())
        print(", ".join(f"{k}: {v}" for k, v in summary.items() if k.startswith(shown)))
    print(f"idle before the load: {summary['idle']}; pool: {summary['pool']}")
    for name, ok in checks.items():
        print(f"{'kept  ' if ok else 'BROKEN'}  {name}")
    if args.json:
        out = {"summary": summary, "checks": checks, "samples": [asdict(s) for s in samples]}
        print(json.dumps(out | {"ingests": [asdict(i) for i in ingests]}))
    return 1 if args.check and not all(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
