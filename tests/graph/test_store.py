"""The store interface, the same tests over every store: memory, Oxigraph on disk, and the
`sparql:` store over two real servers (`oxigraph serve` and Virtuoso)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stackgraph.graph.errors import (
    StoreBusyError,
    StoreError,
    StoreSpecError,
    StoreUnavailableError,
)
from stackgraph.graph.store import GraphWrite, SparqlStore, Store, open_store
from tests._virtuoso import MAX_ROWS
from tests.conftest import SPARQL_SERVERS, run_cli

EX = "https://example.org/"


@pytest.fixture(params=["memory", "oxigraph", *sorted(SPARQL_SERVERS)], ids=str)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        spec = "memory:"
    elif request.param == "oxigraph":
        spec = f"oxigraph:{tmp_path / 'store'}"
    else:
        spec = "sparql:" + request.getfixturevalue(SPARQL_SERVERS[request.param])
    with open_store(spec) as s:
        yield s


def _graph() -> str:
    # The SPARQL server is shared by the session: every test writes its own graphs.
    return f"{EX}graph/{uuid.uuid4().hex}"


def test_replace_graph_swaps_content(store: Store) -> None:
    g = _graph()
    store.replace_graphs([GraphWrite(g, f'<{EX}a> <{EX}p> "1" .\n<{EX}a> <{EX}p> "2" .')])
    assert store.triple_count(g) == 2
    store.replace_graphs([GraphWrite(g, f'<{EX}b> <{EX}p> "3" .')])
    assert store.select(f"SELECT ?s ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}") == [(f"{EX}b", "3")]
    assert g in store.named_graphs()


def test_empty_content_drops_graph(store: Store) -> None:
    g = _graph()
    store.replace_graphs([GraphWrite(g, f"<{EX}a> <{EX}p> <{EX}b> .")])
    store.replace_graphs([GraphWrite(g, "")])
    assert store.triple_count(g) == 0
    assert g not in store.named_graphs()


def test_failed_update_changes_nothing(store: Store) -> None:
    g, h = _graph(), _graph()
    store.replace_graphs([GraphWrite(g, f"<{EX}a> <{EX}p> <{EX}b> .")])
    with pytest.raises(Exception, match=r"(?i)pars|syntax|refused|error"):
        store.replace_graphs(
            [GraphWrite(h, f"<{EX}x> <{EX}p> <{EX}y> ."), GraphWrite(g, "this is not RDF")]
        )
    assert store.triple_count(g) == 1
    assert store.triple_count(h) == 0


def test_typed_values_come_back_as_python(store: Store) -> None:
    g = _graph()
    xsd = "http://www.w3.org/2001/XMLSchema#"
    store.replace_graphs(
        [
            GraphWrite(
                g,
                f'<{EX}a> <{EX}n> "3"^^<{xsd}integer> .\n'
                f'<{EX}a> <{EX}f> "0.5"^^<{xsd}double> .\n'
                f'<{EX}a> <{EX}b> "true"^^<{xsd}boolean> .\n'
                f'<{EX}a> <{EX}d> "2025-04"^^<{xsd}gYearMonth> .',
            )
        ]
    )
    rows = dict(
        (str(p)[len(EX) :], o)
        for p, o in store.select(f"SELECT ?p ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
    )
    assert rows == {"n": 3, "f": 0.5, "b": True, "d": "2025-04"}
    assert store.ask(f"ASK {{ GRAPH <{g}> {{ <{EX}a> ?p ?o }} }}")


def test_a_query_never_writes(store: Store) -> None:
    # Virtuoso's one endpoint runs an update sent as a query: the store refuses to send it.
    g = _graph()
    store.replace_graphs([GraphWrite(g, f"<{EX}a> <{EX}p> <{EX}b> .")])
    with pytest.raises(StoreError):
        store.select(
            f"# a comment\nPREFIX ex: <{EX}>\nDELETE WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"
        )
    assert store.triple_count(g) == 1


def test_graph_ntriples_round_trip(store: Store) -> None:
    g = _graph()
    line = f'<{EX}a> <{EX}p> "caf\u00e9 \\"x\\""@fr .'
    store.replace_graphs([GraphWrite(g, line)])
    assert store.graph_ntriples(g).strip() == line
    assert f"<{g}>" in store.dump_nquads()


def test_sparql_store_ingest_and_export(sparql_server: str, dataset: Path) -> None:
    spec = "sparql:" + sparql_server
    first = run_cli("ingest", str(dataset), "--store", spec)
    assert first.code == 0, first.stderr
    second = run_cli("ingest", str(dataset), "--store", spec)
    assert second.code == 0 and '"outcome": "unchanged"' in second.stdout
    exported = run_cli("export", "--store", spec, "--format", "nt").stdout
    assert "https://w3id.org/stackgraph/id/ex-accelerator" in exported


def test_answers_longer_than_a_server_page_come_whole(store: Store) -> None:
    # Virtuoso cuts answers at its ResultSetMaxRows (MAX_ROWS in the tests): the store pages.
    g, n = _graph(), 2 * MAX_ROWS + 500
    lines = [f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(n)]
    store.replace_graphs([GraphWrite(g, "\n".join(lines))])
    rows = store.select(f"PREFIX ex: <{EX}> SELECT ?o WHERE {{ GRAPH <{g}> {{ ?s ex:p ?o }} }}")
    assert sorted(int(str(o)) for (o,) in rows) == list(range(n))
    assert sorted(store.graph_ntriples(g).splitlines()) == sorted(lines)
    assert store.triple_count(g) == n


def test_long_literals_and_blank_nodes_round_trip(store: Store) -> None:
    g = _graph()
    long = "x" * 100_000 + " \u00e9 \\n"
    store.replace_graphs([GraphWrite(g, f'<{EX}a> <{EX}p> "{long}" .\n_:b <{EX}p> <{EX}a> .')])
    text = store.graph_ntriples(g)
    assert f'<{EX}a> <{EX}p> "{long}" .' in text.splitlines()
    assert sum(line.startswith("_:") for line in text.splitlines()) == 1


def test_a_write_split_into_requests_ends_complete(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Virtuoso refuses a request over 10 MB: a larger write goes in several, in order.
    monkeypatch.setattr(SparqlStore, "virtuoso_request_bytes", 2_000)
    monkeypatch.setattr(SparqlStore, "virtuoso_triples_per_operation", 7)
    g, h = _graph(), _graph()
    old = [f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(60)]
    store.replace_graphs([GraphWrite(g, "\n".join(old))])
    new = [f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(30, 90)]
    store.replace_graphs(
        [
            GraphWrite(g, "\n".join(new[30:]), removed="\n".join(old[:30])),
            GraphWrite(h, "\n".join(old)),
        ],
        meta=f'<{g}> <{EX}hash> "new" .',
        meta_drop=[g],
    )
    assert sorted(store.graph_ntriples(g).splitlines()) == sorted(new)
    assert store.triple_count(h) == 60
    meta = "https://w3id.org/stackgraph/graph/meta"
    assert store.select(f"SELECT ?h WHERE {{ GRAPH <{meta}> {{ <{g}> ?p ?h }} }}") == [("new",)]
    store.replace_graphs([GraphWrite(g, ""), GraphWrite(h, "")], meta_drop=[g])


def test_only_our_graphs_are_listed(store: Store) -> None:
    # Virtuoso keeps graphs of its own (its RDF views, LDP, its service description).
    g = _graph()
    store.replace_graphs([GraphWrite(g, f"<{EX}a> <{EX}p> <{EX}b> .")])
    assert all("openlinksw" not in x and not x.endswith("/sparql") for x in store.named_graphs())
    assert "openlinksw" not in store.dump_nquads()


@pytest.mark.parametrize(
    "spec",
    ["", "postgres://db", "oxigraph:", "sparql:ftp://x", "sparql:http://h/q?store=s"],
    ids=["empty", "unknown", "no-path", "bad-url", "store-without-update"],
)
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(StoreSpecError, match=r"oxigraph|sparql|memory"):
        open_store(spec or "nonsense")


def test_second_writer_on_disk_store_is_busy(tmp_path: Path) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    with open_store(spec), pytest.raises(StoreBusyError, match="retry later"):
        # RocksDB refuses a second writer even in the same process.
        open_store(spec)


def test_read_only_open_of_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="stackgraph ingest"):
        open_store(f"oxigraph:{tmp_path / 'nothing'}", read_only=True)


@pytest.fixture
def shadowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """An on-disk store that writes every change through its shadow copy (``stackgraph.graph.shadow``)."""
    from stackgraph.graph.store import OxigraphStore

    monkeypatch.setattr(OxigraphStore, "shadow_above", 0)
    with open_store(f"oxigraph:{tmp_path / 'store'}") as s:
        yield s


def test_a_large_write_swaps_in_a_shadow_copy(shadowed: Store, tmp_path: Path) -> None:
    g, h = _graph(), _graph()
    shadowed.replace_graphs([GraphWrite(g, f'<{EX}a> <{EX}p> "1" .\n<{EX}a> <{EX}p> "2" .')])
    shadowed.replace_graphs(
        [
            GraphWrite(g, f'<{EX}a> <{EX}p> "3" .', removed=f'<{EX}a> <{EX}p> "1" .'),
            GraphWrite(h, f"<{EX}b> <{EX}p> <{EX}c> ."),
        ],
        meta=f'<{g}> <{EX}hash> "x" .',
    )
    rows = shadowed.select(f"SELECT ?o WHERE {{ GRAPH <{g}> {{ <{EX}a> ?p ?o }} }} ORDER BY ?o")
    assert rows == [("2",), ("3",)]
    assert shadowed.triple_count(h) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no shadow left behind
    shadowed.replace_graphs([GraphWrite(g, "")])
    assert g not in shadowed.named_graphs()


def test_a_failed_shadow_write_changes_nothing(shadowed: Store, tmp_path: Path) -> None:
    g = _graph()
    shadowed.replace_graphs([GraphWrite(g, f"<{EX}a> <{EX}p> <{EX}b> .")])
    (tmp_path / ".store.shadow").mkdir()  # as a run killed before its swap leaves it
    with pytest.raises(Exception, match=r"(?i)pars|syntax|error"):
        shadowed.replace_graphs([GraphWrite(g, "this is not RDF")])
    assert shadowed.triple_count(g) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
