"""Load test of the GraphQL API: the real server under 16 concurrent connections.

Usage::

    python bench/load.py                          # bundled data, 16 connections, 5 s each
    python bench/load.py --no-response-cache      # every request parsed and executed afresh
    python bench/load.py --check                  # exit 1 when a target is missed

Starts `stackgraph serve` (uvicorn, one worker) on 127.0.0.1 on a free port, on the bundled
data ingested into a temporary store unless `--store` is given. Each scenario runs for
`--duration` seconds or `--max-requests` requests, whichever comes first, after a warm-up, and
reports requests/s with p50/p99 latency beside the `{ __typename }` baseline.

Targets: entity lookup at least half the baseline's throughput; impact p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

# On the bundled data: a lookup by name, a search, and "CoWoS-L halves and SK hynix HBM3E stops".
SCENARIOS: dict[str, str] = {
    "baseline": "{ __typename }",
    "entity": '{ entity(id: "NVIDIA B200") { id name layer category provenance { sourceUrl asOf } '
    "requirements { input { id name } quantity } } }",
    "search": '{ search(text: "hbm", first: 10) { totalCount edges { node { id name layer } } } }',
    "impact": '{ impact(shortages: [{id: "cowos-l", availability: 0.5}, {id: "sk-hynix-hbm3e", '
    "availability: 0}], first: 20) { totalCount summary { blocked constrained ok } edges { node "
    "{ entity { id name } status availability bindingRequirement { id } chain } } } }",
}


@dataclass
class Result:
    """Figures of one scenario."""

    scenario: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    server_cpu_ms: float | None
    """Server CPU time per request: unlike req/s, not skewed by other load on the machine."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


async def _drive_raw(
    url: str, query: str, connections: int, duration: float, max_requests: int
) -> tuple[list[float], int, float]:
    """16 keep-alive HTTP/1.1 connections on asyncio streams: the client costs little CPU."""
    parsed = httpx.URL(url)
    body = json.dumps({"query": query}).encode()
    request = (
        f"POST {parsed.raw_path.decode()} HTTP/1.1\r\nHost: {parsed.host}:{parsed.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    errors = 0
    budget = max_requests
    start = time.perf_counter()
    stop_at = start + duration

    async def worker() -> None:
        nonlocal errors, budget
        reader, writer = await asyncio.open_connection(parsed.host, parsed.port)
        try:
            while budget > 0 and time.perf_counter() < stop_at:
                budget -= 1
                t0 = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                payload = await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                if not head.startswith(b"HTTP/1.1 200") or b'"errors"' in payload:
                    errors += 1
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies, errors, time.perf_counter() - start


async def _drive_httpx(
    url: str, query: str, connections: int, duration: float, max_requests: int
) -> tuple[list[float], int, float]:
    """The same load through httpx.AsyncClient (heavier on the shared CPUs)."""
    latencies: list[float] = []
    errors = 0
    budget = max_requests
    body = json.dumps({"query": query}).encode()
    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        start = time.perf_counter()
        stop_at = start + duration

        async def worker() -> None:
            nonlocal errors, budget
            while budget > 0 and time.perf_counter() < stop_at:
                budget -= 1
                t0 = time.perf_counter()
                response = await client.post(url, content=body, headers=headers)
                latencies.append(time.perf_counter() - t0)
                if response.status_code != 200 or "errors" in response.json():
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    return latencies, errors, elapsed


def run_scenario(
    url: str,
    name: str,
    connections: int,
    duration: float,
    max_requests: int,
    warmup: int,
    client: str = "raw",
    server_pid: int | None = None,
) -> Result:
    """Warm up, then drive one scenario and summarise its latencies."""
    drive = _drive_raw if client == "raw" else _drive_httpx
    asyncio.run(drive(url, SCENARIOS[name], connections, 30.0, warmup))
    cpu0 = None if server_pid is None else _cpu_seconds(server_pid)
    latencies, errors, elapsed = asyncio.run(
        drive(url, SCENARIOS[name], connections, duration, max_requests)
    )
    cpu1 = None if server_pid is None else _cpu_seconds(server_pid)
    cpu_ms = (
        None
        if cpu0 is None or cpu1 is None or not latencies
        else round((cpu1 - cpu0) * 1000 / len(latencies), 3)
    )
    ordered = sorted(latencies)
    return Result(
        scenario=name,
        requests=len(latencies),
        errors=errors,
        seconds=round(elapsed, 2),
        rps=round(len(latencies) / elapsed, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p99_ms=round(_percentile(ordered, 0.99) * 1000, 2),
        server_cpu_ms=cpu_ms,
    )


def start_server(
    store: str,
    port: int,
    response_cache: bool = True,
    timeout: float = 60,
    settings: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """A `stackgraph serve` on ``port``, returned once ``/readyz`` answers; ``settings`` are
    `STACKGRAPH_*` variables for it (every other one of this process is left out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STACKGRAPH_")}
    env |= settings or {}
    if not response_cache:
        env["STACKGRAPH_RESPONSE_CACHE_SIZE"] = "0"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stackgraph.cli",
            "serve",
            "--store",
            store,
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(
        f"the server did not become ready within {timeout:.0f} s (is the store empty?)"
    )


def ingest_folder(folder: Path, workdir: Path) -> str:
    """Ingest `folder` into a store in `workdir` with the command line; the store's spec."""
    spec = f"oxigraph:{workdir / 'store'}"
    subprocess.run(
        [sys.executable, "-m", "stackgraph.cli", "ingest", str(folder), "--store", spec, "-q"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return spec


def _ingest_bundled(workdir: Path) -> str:
    return ingest_folder(DATA, workdir)


def _table(results: list[Result]) -> str:
    base = next((r for r in results if r.scenario == "baseline"), None)
    lines = [
        f"{'scenario':<10} {'requests':>9} {'req/s':>8} {'vs base':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'cpu ms/req':>11} {'errors':>7}"
    ]
    for r in results:
        ratio = f"{r.rps / base.rps:.2f}" if base and base.rps else "-"
        cpu = "-" if r.server_cpu_ms is None else f"{r.server_cpu_ms:.3f}"
        lines.append(
            f"{r.scenario:<10} {r.requests:>9} {r.rps:>8.1f} {ratio:>8} "
            f"{r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {cpu:>11} {r.errors:>7}"
        )
    return "\n".join(lines)


def targets(results: list[Result]) -> dict[str, bool]:
    """Whether each target was met."""
    by = {r.scenario: r for r in results}
    out: dict[str, bool] = {}
    if "baseline" in by and "entity" in by:
        out["entity >= 0.5 x baseline req/s"] = by["entity"].rps >= 0.5 * by["baseline"].rps
    if "impact" in by:
        out["impact p99 < 50 ms"] = by["impact"].p99_ms < 50.0
    out["no errors"] = all(r.errors == 0 for r in results)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when done (with `--check`: 1 when a target is missed)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="store spec (default: the bundled data in a temp store)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per scenario")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per scenario")
    parser.add_argument("--warmup", type=int, default=200, help="requests before measuring")
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="raw: keep-alive asyncio streams (default, light); httpx: httpx.AsyncClient",
    )
    parser.add_argument(
        "--no-response-cache",
        action="store_true",
        help="serve every request afresh (measures parsing, validation and execution)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.connections < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--connections, --duration and --max-requests must be positive")

    with tempfile.TemporaryDirectory(prefix="stackgraph-load-") as tmp:
        store = args.store or _ingest_bundled(Path(tmp))
        port = _free_port()
        server = start_server(store, port, not args.no_response_cache)
        try:
            url = f"http://127.0.0.1:{port}/graphql"
            results = [
                run_scenario(
                    url,
                    name,
                    args.connections,
                    args.duration,
                    args.max_requests,
                    args.warmup,
                    args.client,
                    server.pid,
                )
                for name in args.scenarios
            ]
        finally:
            server.terminate()
            server.wait(timeout=15)
    print(
        f"{args.connections} connections ({args.client} client), {args.duration:g} s per "
        f"scenario, {os.cpu_count()} CPUs (client and server share them)"
    )
    print(_table(results))
    verdicts = targets(results)
    for name, ok in verdicts.items():
        print(f"{'met   ' if ok else 'MISSED'}  {name}")
    if args.json:
        print(json.dumps({"results": [asdict(r) for r in results], "targets": verdicts}))
    return 1 if args.check and not all(verdicts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
