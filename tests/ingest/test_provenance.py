"""The PROV-O record of a run: one activity per changing run, one generation per changed graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from stackgraph.graph.store import open_store
from stackgraph.ingest.provenance import run_iri, run_record
from stackgraph.ingest.report import SourceReport

_GRAPH = "https://w3id.org/stackgraph/graph/a"
_SG = "https://w3id.org/stackgraph/ns#"


def test_metadata_graph_records_each_changing_run(ingested: str) -> None:
    with open_store(ingested, read_only=True) as store:
        rows = store.select(
            "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX sg: <https://w3id.org/stackgraph/ns#>"
            " SELECT ?run ?start ?g ?added ?hash WHERE { GRAPH <https://w3id.org/stackgraph/graph/meta> {"
            " ?run a prov:Activity ; prov:startedAtTime ?start ; prov:qualifiedGeneration ?gen ."
            " ?gen prov:entity ?g ; sg:triplesAdded ?added ; sg:inputHash ?hash } }"
        )
    assert len({r[0] for r in rows}) == 1
    assert {str(r[2]).rsplit("/", 1)[-1] for r in rows} == {"chain", "extra", "vocab"}
    assert all(r[3] > 0 and len(str(r[4])) == 64 for r in rows)


def test_two_runs_get_two_iris() -> None:
    assert run_iri("2026-01-02T03:04:05Z") != run_iri("2026-01-02T03:04:05Z")


def _triples(ntriples: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)]


@pytest.mark.parametrize(
    ("source", "title"),
    [
        ("data/a.yaml", "A title"),
        ('odd "name"\\.yaml', 'quotes " and a\nnewline'),
        ("data/a.yaml", ""),
    ],
    ids=["plain", "escaped", "no-title"],
)
def test_record_parses_and_keeps_names(source: str, title: str) -> None:
    run = run_iri("2026-01-02T03:04:05Z")
    report = SourceReport(source, _GRAPH, outcome="changed", triples=7, added=5, removed=2)

    text = run_record(
        run, "2026-01-02T03:04:05Z", [report], {_GRAPH: "h"}, {_GRAPH: "i"}, {_GRAPH: title}
    )

    values = {
        (str(t.predicate.value), t.object.value)
        for t in _triples(text)
        if str(t.subject.value) == _GRAPH
    }
    assert (f"{_SG}sourceFile", source) in values
    assert ((f"{_SG}title", title) in values) == bool(title)
    assert (f"{_SG}tripleCount", "7") in values


def test_unchanged_graphs_are_not_recorded() -> None:
    run = run_iri("2026-01-02T03:04:05Z")
    report = SourceReport("data/a.yaml", _GRAPH, outcome="unchanged")

    text = run_record(run, "2026-01-02T03:04:05Z", [report], {_GRAPH: "h"}, {_GRAPH: "i"}, {})

    assert {str(t.subject.value) for t in _triples(text)} == {str(run)}
