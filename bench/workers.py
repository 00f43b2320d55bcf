"""Memory and throughput of `stackgraph serve --workers N` over one projection file, and the
server's cold start with and without the file.

Usage::

    python bench/workers.py                      # bundled data, 1, 2 and 4 workers
    python bench/workers.py --synthetic 1000000  # the generator's graph at 1M items

The bundled data is ingested into a temporary store. The synthetic graph cannot be ingested at
1M items here (bench/README.md, the ingest benchmark), so its snapshot is built as the projection
would build it (`bench/synthetic.py`) and written as the projection file of a small store's
version: the servers then serve the synthetic graph from that file, as they would after an
ingest of it.

For each worker count: every worker's RSS, PSS (shared pages split between the processes that
map them) and USS (its private pages), from ``/proc/PID/smaps_rollup`` once every worker has
answered (before the load, then after it, `before → after`); with several workers, the PSS of
their supervisor, the process they were forked from; the sum of all; then requests/s of an
entity lookup and an impact (response cache off, 16 connections, `bench/load.py`'s client).
Memory of N workers is the sum of their PSS and their supervisor's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "examples" / "valid"


def _children(pid: int) -> list[int]:
    """The processes `pid` started (its workers, forked by `stackgraph serve --workers N`)."""
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]


def _memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS of `pid` in MiB."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value) / 1024
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": uss, "file": _file_pss(pid)}


def _file_pss(pid: int) -> float:
    """PSS of the projection file's pages `pid` maps, in MiB (a page mapped by N processes
    counts 1/N in each, so the sum over processes is the file's resident pages once)."""
    kib, mapped = 0, False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:  # a mapping's header
            mapped = len(fields) == 6 and "projections" in fields[5]
        elif mapped and fields[0] == "Pss:":
            kib += int(fields[1])
    return kib / 1024


def serve(spec: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "stackgraph.cli", "serve", "--store", spec, "--port", str(port)]
    cmd += ["--log-level", "warning", "--workers", str(workers)]
    full = {k: v for k, v in os.environ.items() if not k.startswith("STACKGRAPH_")}
    full |= {"STACKGRAPH_RESPONSE_CACHE_SIZE": "0", **env}
    return subprocess.Popen(cmd, cwd=ROOT, env=full)


def ready(proc: subprocess.Popen[bytes], port: int, timeout: float = 1800) -> float:
    """Seconds until `/readyz` answers 200."""
    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - t
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError("the server was not ready in time")


def _workers_ready(proc: subprocess.Popen[bytes], port: int, workers: int) -> list[int]:
    """The worker processes, once each has loaded its snapshot (their memory stops growing)."""
    ready(proc, port)
    pids: list[int] = []
    last: dict[int, float] = {}
    for _ in range(300):
        for _ in range(4 * workers):
            httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=120)
        pids = _children(proc.pid) if workers > 1 else [proc.pid]
        now = {p: _memory(p)["rss"] for p in pids}
        if (
            len(pids) == workers
            and now.keys() == last.keys()
            and all(abs(now[p] - last[p]) < 2 for p in pids)
        ):
            return pids
        last = now
        time.sleep(2)
    return pids


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run(
    spec: str,
    scenarios: dict[str, str],
    counts: list[int],
    duration: float,
    env: dict[str, str] | None = None,
) -> None:
    load.SCENARIOS.update(scenarios)
    print(
        "| workers | RSS per worker MiB | PSS per worker MiB | USS per worker MiB |"
        " supervisor PSS MiB | memory of all (sum of PSS) MiB | projection file (sum of PSS) MiB | "
        + " | ".join(f"{s} req/s" for s in scenarios)
        + " |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(scenarios))
    for n in counts:
        port = load._free_port()
        proc = serve(spec, port, n, env or {})
        try:
            pids = _workers_ready(proc, port, n)
            # With several workers the process started is their supervisor: it holds the
            # pages they inherited, so its PSS counts in the memory of all.
            parent = [_memory(proc.pid)] if n > 1 else []
            mem = [_memory(p) for p in pids]
            rates = [
                load.run_scenario(
                    f"http://127.0.0.1:{port}/graphql", name, 16, duration, 10**9, 50
                ).rps
                for name in scenarios
            ]
            after = [_memory(p) for p in pids]
            parent_after = [_memory(proc.pid)] if n > 1 else []
        finally:
            _stop(proc)
        each = {
            k: "/".join(f"{m[k]:.0f}" for m in mem) + " → " + "/".join(f"{m[k]:.0f}" for m in after)
            for k in ("rss", "pss", "uss")
        }
        total = (
            f"{sum(m['pss'] for m in mem + parent):,.0f}"
            f" → {sum(m['pss'] for m in after + parent_after):,.0f}"
        )
        file = f"{sum(m['file'] for m in mem):,.0f} → {sum(m['file'] for m in after):,.0f}"
        sup = f"{parent[0]['pss']:.0f} → {parent_after[0]['pss']:.0f}" if parent else "-"
        print(
            f"| {n} | {each['rss']} | {each['pss']} | {each['uss']} | {sup} | {total} | {file} | "
            + " | ".join(f"{r:,.0f}" for r in rates)
            + " |",
            flush=True,
        )


def cold_start(spec: str, with_file: bool) -> float:
    """Seconds from launch to `/readyz` of one worker: mapping the file already written, or
    projecting from the store (`STACKGRAPH_PROJECTIONS=off`)."""
    port = load._free_port()
    env = {} if with_file else {"STACKGRAPH_PROJECTIONS": "off"}
    proc = serve(spec, port, 1, env)
    try:
        return ready(proc, port)
    finally:
        _stop(proc)


def _synthetic_store(items: int, work: Path) -> str:
    """A store of the example data whose version's projection file is the generator's graph."""
    from generate import generate
    from synthetic import synthetic_snapshot

    from stackgraph.graph.projection import graph_version
    from stackgraph.graph.projection_file import write_snapshot
    from stackgraph.graph.projections import Projections, projections_root
    from stackgraph.graph.store import open_store

    spec = load.ingest_folder(EXAMPLE, work)
    store = open_store(spec, read_only=True)
    version = graph_version(store)
    root = projections_root(store)
    store.close()
    assert root is not None
    folder = Projections(root).folder(version)
    if (folder / "manifest.json").exists():
        print(f"synthetic {items:,} items: the file written before, in {folder}")
        return spec
    t = time.perf_counter()
    snap = synthetic_snapshot(generate(items), version)
    built = time.perf_counter() - t
    shutil.rmtree(folder, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    write_snapshot(snap, folder)
    size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
    print(
        f"synthetic {items:,} items: {snap.graph}; projected in {built:.0f} s, written in"
        f" {time.perf_counter() - t:.0f} s, {size:,.0f} MiB on disk"
    )
    return spec


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=0, help="items of a generated graph")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument(
        "--work", type=Path, help="a folder to keep the store and its file in (reused if there)"
    )
    parser.add_argument(
        "--no-file", action="store_true", help="also each worker projecting on its own"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        if args.synthetic:
            spec = _synthetic_store(args.synthetic, work)
            scenarios = {
                "entity": '{ entity(id: "system-7") { id name requirements { input { id } } } }',
                "impact": '{ impact(shortages: [{id: "component-3", availability: 0.5}],'
                " first: 20) { totalCount edges { node { entity { id } status } } } }",
            }
        else:
            spec = load._ingest_bundled(work)
            scenarios = {name: load.SCENARIOS[name] for name in ("entity", "impact")}
            print(f"cold start without the file: {cold_start(spec, False):.2f} s")
            store = Path(spec.removeprefix("oxigraph:"))
            shutil.rmtree(store.parent / f".{store.name}.projections", ignore_errors=True)
            print(f"cold start, writing the file: {cold_start(spec, True):.2f} s")
        print(f"cold start, mapping the file: {cold_start(spec, True):.2f} s")
        run(spec, scenarios, args.workers, args.duration)
        if args.no_file:
            print("Without the file (STACKGRAPH_PROJECTIONS=off), each worker projecting:")
            run(spec, scenarios, args.workers, args.duration, {"STACKGRAPH_PROJECTIONS": "off"})


if __name__ == "__main__":
    main()
