"""The ingest job as a scheduler runs it: idempotent, atomic, locked, with actionable exit codes."""

from __future__ import annotations

import fcntl
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.store import lock_path, open_store
from tests.conftest import ROOT, run_cli


def summary(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def nt(store_spec: str, *extra: str) -> str:
    result = run_cli("export", "--store", store_spec, "--format", "nt", *extra)
    assert result.code == 0, result.stderr
    return result.stdout


def test_reingest_unchanged_input_changes_nothing(dataset: Path, store_spec: str) -> None:
    first = run_cli("ingest", str(dataset), "--store", store_spec)
    assert first.code == 0, first.stderr
    before = nt(store_spec, "--with-meta")

    second = run_cli("ingest", str(dataset), "--store", store_spec)

    assert second.code == 0
    assert summary(second.stdout)["outcome"] == "unchanged"
    assert "unchanged" in second.stderr
    assert nt(store_spec, "--with-meta") == before


def test_changed_source_is_swapped_with_counts(dataset: Path, store_spec: str) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    chain = dataset / "chain.yaml"
    chain.write_text(chain.read_text().replace("power_mw: 1200", "power_mw: 1500"))

    result = run_cli("ingest", str(dataset), "--store", store_spec)

    assert result.code == 0, result.stderr
    by_source = {Path(s["source"]).name: s for s in summary(result.stdout)["sources"]}
    assert by_source["chain.yaml"]["outcome"] == "changed"
    assert (by_source["chain.yaml"]["added"], by_source["chain.yaml"]["removed"]) == (1, 1)
    assert by_source["extra.csv"]["outcome"] == "unchanged"
    with open_store(store_spec, read_only=True) as store:
        rows = store.select(
            "SELECT ?mw WHERE { GRAPH ?g { <https://w3id.org/stackgraph/id/ex-datacenter> "
            "<https://w3id.org/stackgraph/ns#powerMw> ?mw } }"
        )
    assert rows == [(1500.0,)]


def test_metadata_graph_records_each_changing_run(dataset: Path, store_spec: str) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    with open_store(store_spec, read_only=True) as store:
        rows = store.select(
            "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX sg: <https://w3id.org/stackgraph/ns#>"
            " SELECT ?run ?start ?g ?added ?hash WHERE { GRAPH <https://w3id.org/stackgraph/graph/meta> {"
            " ?run a prov:Activity ; prov:startedAtTime ?start ; prov:qualifiedGeneration ?gen ."
            " ?gen prov:entity ?g ; sg:triplesAdded ?added ; sg:inputHash ?hash } }"
        )
    assert len({r[0] for r in rows}) == 1
    assert {str(r[2]).rsplit("/", 1)[-1] for r in rows} == {"chain", "extra", "vocab"}
    assert all(r[3] > 0 and len(str(r[4])) == 64 for r in rows)


def test_dry_run_writes_nothing(dataset: Path, store_spec: str) -> None:
    result = run_cli("ingest", str(dataset), "--store", store_spec, "--dry-run")
    assert result.code == 0, result.stderr
    assert summary(result.stdout)["outcome"] == "dry-run"
    with open_store(store_spec) as store:
        assert store.named_graphs() == []


def test_export_then_reingest_is_isomorphic(dataset: Path, store_spec: str, tmp_path: Path) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    exported = tmp_path / "export" / "everything.nt"
    exported.parent.mkdir()
    assert run_cli("export", "--store", store_spec, "--format", "nt", "-o", str(exported)).code == 0
    other = f"oxigraph:{tmp_path / 'other'}"

    result = run_cli("ingest", str(exported), "--store", other)

    assert result.code == 0, result.stderr
    original, copy = Graph(), Graph()
    original.parse(data=nt(store_spec), format="nt")
    copy.parse(data=nt(other), format="nt")
    assert len(original) > 300
    assert isomorphic(original, copy)


@pytest.mark.parametrize("fmt", ["ttl", "trig", "jsonld"], ids=str)
def test_export_formats_parse_back(dataset: Path, store_spec: str, fmt: str) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    text = run_cli("export", "--store", store_spec, "--format", fmt).stdout
    g = Graph()
    if fmt == "trig":
        import pyoxigraph as ox

        quads = list(ox.parse(text.encode(), format=ox.RdfFormat.TRIG))
        names = {str(q.graph_name.value).rsplit("/", 1)[-1] for q in quads}
        assert names == {"chain", "extra", "vocab"}
        assert len(quads) == 288 + 37 + 10
    else:
        import pyoxigraph as ox

        parsed = ox.parse(
            text.encode(), format={"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
        )
        nt_text = ox.serialize([q.triple for q in parsed], format=ox.RdfFormat.N_TRIPLES)
        g.parse(data=nt_text.decode(), format="nt")
        reference = Graph().parse(data=nt(store_spec), format="nt")
        assert isomorphic(g, reference)


def test_very_large_file_is_refused(dataset: Path, store_spec: str) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    before = nt(store_spec, "--with-meta")
    big = dataset / "huge.yaml"
    with open(big, "wb") as handle:
        handle.write(b"claims:\n")
        handle.truncate(65 * 2**20)

    result = run_cli("ingest", str(dataset), "--store", store_spec)

    assert result.code == 1
    assert "huge.yaml" in result.stderr and "over the limit of 64.0 MiB" in result.stderr
    assert nt(store_spec, "--with-meta") == before


def test_usage_errors_exit_2(tmp_path: Path, store_spec: str) -> None:
    assert run_cli("ingest", str(tmp_path / "missing"), "--store", store_spec).code == 2
    assert run_cli("ingest", "--store", "postgres://x", str(tmp_path)).code == 2
    assert run_cli("frobnicate").code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("ingest", str(empty), "--store", store_spec).code == 2


def test_unreachable_sparql_store_exits_75(dataset: Path) -> None:
    from tests.conftest import free_port

    result = run_cli("ingest", str(dataset), "--store", f"sparql:http://127.0.0.1:{free_port()}")
    assert result.code == 75
    assert "cannot reach" in result.stderr


def test_held_lock_exits_75(dataset: Path, store_spec: str) -> None:
    path = lock_path(store_spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = run_cli("ingest", str(dataset), "--store", store_spec)
    assert result.code == 75
    assert "retry later" in result.stderr


def _big_source(path: Path, triples: int, tag: str) -> None:
    with open(path, "w") as handle:
        for i in range(triples):
            handle.write(
                f'<https://example.org/{tag}/{i}> <https://example.org/p> "value {i} {tag}" .\n'
            )


def _start_ingest(source: Path, store_spec: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stackgraph.cli",
            "-v",
            "ingest",
            str(source),
            "--store",
            store_spec,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(proc: subprocess.Popen[str], needle: str, timeout: float = 120) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if needle in line:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"ingest ended before {needle!r}: {proc.returncode}")
    raise AssertionError(f"no {needle!r} within {timeout} s")


@pytest.mark.slow
def test_second_concurrent_ingest_exits_75(tmp_path: Path, store_spec: str) -> None:
    source = tmp_path / "big.nt"
    _big_source(source, 100_000, "a")
    first = _start_ingest(source, store_spec)
    try:
        _wait_for(first, "read 1 source file")
        second = run_cli("ingest", str(source), "--store", store_spec)
        assert second.code == 75
        assert "retry later" in second.stderr
    finally:
        first.communicate(timeout=300)
    assert first.returncode == 0


@pytest.mark.slow
def test_sigkill_mid_write_leaves_previous_graph(
    dataset: Path, tmp_path: Path, store_spec: str
) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    folder = tmp_path / "bulk"
    folder.mkdir()
    source = folder / "bulk.nt"
    _big_source(source, 1_000, "old")
    assert run_cli("ingest", str(source), "--store", store_spec).code == 0
    _big_source(source, 200_000, "new")
    proc = _start_ingest(source, store_spec)
    _wait_for(proc, "writing 1 graph")
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    with open_store(store_spec) as store:
        bulk = "https://w3id.org/stackgraph/graph/bulk"
        count = store.triple_count(bulk)
        recorded = store.select(
            f"SELECT ?n WHERE {{ GRAPH <https://w3id.org/stackgraph/graph/meta> {{ <{bulk}> "
            "<https://w3id.org/stackgraph/ns#tripleCount> ?n } }"
        )
        print("graph after kill:", count)
        assert count in (1_000, 200_000)
        assert recorded == [(count,)], "metadata must match the graph it describes"
        assert store.triple_count("https://w3id.org/stackgraph/graph/chain") == 288
    again = run_cli("ingest", str(dataset), "--store", store_spec)
    assert again.code == 0 and summary(again.stdout)["outcome"] == "unchanged"
