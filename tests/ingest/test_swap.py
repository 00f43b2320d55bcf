"""The swap: unchanged input changes nothing, a changed source is swapped whole, a killed write
leaves the previous graph, and what is swapped in exports and ingests back the same."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from stackgraph.graph.store import open_store
from stackgraph.ingest.swap import canonical
from tests.conftest import run_cli
from tests.ingest._cli import big_source, export_nt, start_ingest, summary, wait_for

_DOUBLE = "<http://www.w3.org/2001/XMLSchema#double>"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (f'<http://x/a> <http://x/p> "1500"^^{_DOUBLE} .', f'"1500.0"^^{_DOUBLE}'),
        (f'<http://x/a> <http://x/p> "1.5E3"^^{_DOUBLE} .', f'"1500.0"^^{_DOUBLE}'),
        ('<http://x/a> <http://x/p> "a\\u0062" .', '"ab"'),
    ],
    ids=["double-integer-form", "double-exponent-form", "escaped-string"],
)
def test_canonical_spells_a_value_one_way(written: str, expected: str) -> None:
    assert canonical(written) == [f"<http://x/a> <http://x/p> {expected} ."]


def test_canonical_sorts_and_drops_duplicates() -> None:
    lines = ['<http://x/b> <http://x/p> "1" .', '<http://x/a> <http://x/p> "2" .']
    assert canonical("\n".join([*lines, lines[0]])) == sorted(lines)
    assert canonical("  \n") == []


def test_reingest_unchanged_input_changes_nothing(dataset: Path, ingested: str) -> None:
    before = export_nt(ingested, "--with-meta")

    second = run_cli("ingest", str(dataset), "--store", ingested)

    assert second.code == 0
    assert summary(second.stdout)["outcome"] == "unchanged"
    assert "unchanged" in second.stderr
    assert export_nt(ingested, "--with-meta") == before


def test_changed_source_is_swapped_with_counts(dataset: Path, ingested: str) -> None:
    chain = dataset / "chain.yaml"
    chain.write_text(chain.read_text().replace("power_mw: 1200", "power_mw: 1500"))

    result = run_cli("ingest", str(dataset), "--store", ingested)

    assert result.code == 0, result.stderr
    by_source = {Path(s["source"]).name: s for s in summary(result.stdout)["sources"]}
    assert by_source["chain.yaml"]["outcome"] == "changed"
    assert (by_source["chain.yaml"]["added"], by_source["chain.yaml"]["removed"]) == (1, 1)
    assert by_source["extra.csv"]["outcome"] == "unchanged"
    with open_store(ingested, read_only=True) as store:
        rows = store.select(
            "SELECT ?mw WHERE { GRAPH ?g { <https://w3id.org/stackgraph/id/ex-datacenter> "
            "<https://w3id.org/stackgraph/ns#powerMw> ?mw } }"
        )
    assert rows == [(1500.0,)]


def test_export_then_reingest_is_isomorphic(ingested: str, tmp_path: Path) -> None:
    exported = tmp_path / "export" / "everything.nt"
    exported.parent.mkdir()
    assert run_cli("export", "--store", ingested, "--format", "nt", "-o", str(exported)).code == 0
    other = f"oxigraph:{tmp_path / 'other'}"

    result = run_cli("ingest", str(exported), "--store", other)

    assert result.code == 0, result.stderr
    original = Graph().parse(data=export_nt(ingested), format="nt")
    copy = Graph().parse(data=export_nt(other), format="nt")
    assert len(original) > 300
    assert isomorphic(original, copy)


_RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"], ids=str)
def test_export_formats_parse_back(ingested: str, fmt: str) -> None:
    text = run_cli("export", "--store", ingested, "--format", fmt).stdout
    parsed = ox.parse(text.encode(), format=_RDF_FORMATS[fmt])
    nt_text = ox.serialize([q.triple for q in parsed], format=ox.RdfFormat.N_TRIPLES)
    graph = Graph().parse(data=nt_text.decode(), format="nt")
    assert isomorphic(graph, Graph().parse(data=export_nt(ingested), format="nt"))


def test_trig_export_keeps_one_named_graph_per_source(ingested: str) -> None:
    text = run_cli("export", "--store", ingested, "--format", "trig").stdout
    quads = list(ox.parse(text.encode(), format=ox.RdfFormat.TRIG))
    names = {str(q.graph_name.value).rsplit("/", 1)[-1] for q in quads}
    assert names == {"chain", "extra", "vocab"}
    assert len(quads) == 298 + 37 + 10


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.2, 1.5], ids=["early", "late"])
def test_sigkill_mid_write_leaves_previous_graph(
    dataset: Path, tmp_path: Path, ingested: str, delay: float
) -> None:
    """A write of this size goes through the shadow copy (``stackgraph.graph.shadow``): killed while the
    copy is built or loaded, the store is the old one; killed after the swap, the new one."""
    folder = tmp_path / "bulk"
    folder.mkdir()
    source = folder / "bulk.nt"
    big_source(source, 1_000, "old")
    assert run_cli("ingest", str(source), "--store", ingested).code == 0
    big_source(source, 200_000, "new")
    proc = start_ingest(source, ingested)
    wait_for(proc, "writing 1 graph")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    with open_store(ingested) as store:
        bulk = "https://w3id.org/stackgraph/graph/bulk"
        count = store.triple_count(bulk)
        recorded = store.select(
            f"SELECT ?n WHERE {{ GRAPH <https://w3id.org/stackgraph/graph/meta> {{ <{bulk}> "
            "<https://w3id.org/stackgraph/ns#tripleCount> ?n } }"
        )
        assert count in (1_000, 200_000)
        assert recorded == [(count,)], "metadata must match the graph it describes"
        assert store.triple_count("https://w3id.org/stackgraph/graph/chain") == 298
    again = run_cli("ingest", str(dataset), "--store", ingested)
    assert again.code == 0 and summary(again.stdout)["outcome"] == "unchanged"
