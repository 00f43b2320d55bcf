"""Ingest at scale, beside pyoxigraph loading the same triples in the same run.

For each size, writes the generator's graph as ``data/``-format CSV sources (``bench/sources.py``)
and times, each step in a fresh process with its peak memory (max RSS):

- ``stackgraph ingest`` cold (an empty store), then again with nothing changed (no-op), then
  after one row of one source changed;
- pyoxigraph's own bulk load of the very triples the ingest wrote (exported as N-Quads);
- building the analysis snapshot from the store, and a server's start until ``/readyz``.

Usage: ``python bench/ingest.py 1000 10000`` (sizes in items; default 1000 and 10000);
``--lean`` writes the lean sources of ``bench/sources.py`` (about 15 triples per item, not 115).
Ratios are ours / pyoxigraph's: what validation, resolution and provenance cost over a bare load.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate
from load import start_server
from sources import write_sources

ROOT = Path(__file__).resolve().parent.parent

_STEP = """
import json, resource, sys, time
{setup}
t = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - t,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
_IMPORT_CLI = "from stackgraph.cli import main"
_INGEST = """
code = main(["ingest", {folder!r}, "--store", {spec!r}, "-q"] + {extra!r})
assert code == 0, code
"""
_OXIGRAPH = """
ox.Store({path!r}).bulk_load(path={nq!r}, format=ox.RdfFormat.N_QUADS)
"""
_SNAPSHOT = """
with KnowledgeGraph.open({spec!r}) as kg:
    n = len(kg.snapshot().entities)
"""


def _step(setup: str, body: str) -> dict[str, float]:
    """Run ``body`` in a fresh interpreter after ``setup`` (imports, not timed); its seconds and
    the process's peak memory."""
    out = subprocess.run(
        [sys.executable, "-c", _STEP.format(setup=setup, body=body)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _server_start(spec: str) -> float:
    """Seconds from launch until the server's ``/readyz`` answers."""
    t = time.perf_counter()
    proc = start_server(spec, 18000 + os.getpid() % 1000, timeout=600)
    seconds = time.perf_counter() - t
    proc.terminate()
    proc.wait(30)
    return seconds


def bench(items: int, work: Path, *, lean: bool = False) -> dict[str, object]:
    folder = work / f"sources-{items}"
    counts = write_sources(generate(items), folder, lean=lean)
    spec = f"oxigraph:{work / f'store-{items}'}"
    cold = _step(_IMPORT_CLI, _INGEST.format(folder=str(folder), spec=spec, extra=[]))
    noop = _step(_IMPORT_CLI, _INGEST.format(folder=str(folder), spec=spec, extra=[]))
    smallest = min(folder.glob("*.csv"), key=lambda p: p.stat().st_size)
    smallest.write_text(smallest.read_text().replace(",medium\n", ",low\n", 1))
    one = _step(_IMPORT_CLI, _INGEST.format(folder=str(folder), spec=spec, extra=[]))
    nq = work / f"export-{items}.nq"
    shutil.rmtree(folder)  # the disk the next steps need
    import pyoxigraph as ox

    # The very quads the ingest wrote, streamed to a file (bounded memory at any size).
    written = ox.Store.read_only(spec.removeprefix("oxigraph:"))
    written.dump(output=str(nq), format=ox.RdfFormat.N_QUADS)
    quads = len(written)
    del written
    base = _step(
        "import pyoxigraph as ox", _OXIGRAPH.format(path=str(work / f"ox-{items}"), nq=str(nq))
    )
    nq.unlink()
    shutil.rmtree(work / f"ox-{items}")
    snap = _step("from stackgraph.graph import KnowledgeGraph", _SNAPSHOT.format(spec=spec))
    return {
        "items": items,
        "records": sum(counts.values()),
        "quads": quads,
        "ingest": cold,
        "noop": noop,
        "one_changed": one,
        "pyoxigraph": base,
        "ratio": cold["seconds"] / base["seconds"],
        "snapshot": snap,
        "server_start_s": _server_start(spec),
    }


def main(argv: list[str]) -> None:
    lean = "--lean" in argv
    sizes = [int(a) for a in argv if a != "--lean"] or [1000, 10_000]
    print(
        "| items | records | quads | ingest cold | peak | no-op | one source changed |"
        " pyoxigraph bulk load | ours / pyoxigraph | snapshot (peak) | server start |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            r = bench(n, Path(tmp), lean=lean)
            c, b = r["ingest"], r["pyoxigraph"]
            assert isinstance(c, dict) and isinstance(b, dict)
            print(
                f"| {n:,} | {r['records']:,} | {r['quads']:,} | {c['seconds']:.1f} s |"
                f" {c['peak_mib']:.0f} MiB | {r['noop']['seconds']:.2f} s |"  # type: ignore[index]
                f" {r['one_changed']['seconds']:.1f} s |"  # type: ignore[index]
                f" {b['seconds']:.2f} s ({b['peak_mib']:.0f} MiB) | {r['ratio']:.1f}× |"
                f" {r['snapshot']['seconds']:.2f} s ({r['snapshot']['peak_mib']:.0f} MiB) |"  # type: ignore[index]
                f" {r['server_start_s']:.1f} s |",  # type: ignore[index]
                flush=True,
            )


if __name__ == "__main__":
    main(sys.argv[1:])
