"""The gate: SHACL on the candidates, and no reference left dangling by an entity removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef

from stackgraph.graph.store import open_store
from stackgraph.ingest.gate import check, check_candidates
from stackgraph.ingest.problems import InvalidInputError
from stackgraph.ingest.run import IngestOptions, ingest

_SG = "https://w3id.org/stackgraph/ns#"
_ID = "https://w3id.org/stackgraph/id/"
_ACME = """entities:
  - {id: acme, type: Organization, name: Acme, layer: foundry, roles: [foundry],
     source: "https://example.org/a", as_of: 2025, confidence: high}
"""
_CHIP = """entities:
  - {id: chip, type: Product, name: Chip, layer: compute, category: accelerator, vendor: acme,
     source: "https://example.org/c", as_of: 2025, confidence: high}
"""


def test_a_reference_conforms_once_its_target_is_typed(dataset: Path) -> None:
    data = Graph().parse(dataset / "vocab.ttl", format="turtle")
    [violation] = check(data)
    assert violation.path == "https://w3id.org/stackgraph/ns#vendor"
    assert violation.message == "Value does not have class sg:Organization"

    data.add((URIRef(violation.value or ""), RDF.type, URIRef(f"{_SG}Organization")))

    assert check(data, focus=[URIRef(f"{_ID}ex-switch")]) == []
    assert check(data, focus=[]) == []


def test_violations_name_node_and_path() -> None:
    data = Graph().parse(
        format="turtle",
        data="<https://w3id.org/stackgraph/id/x> a <https://w3id.org/stackgraph/ns#Organization> .",
    )
    paths = {v.path for v in check(data)}
    assert "http://www.w3.org/2004/02/skos/core#prefLabel" in paths
    assert all(v.focus == "https://w3id.org/stackgraph/id/x" for v in check(data))


@pytest.fixture
def two_graphs(tmp_path: Path) -> tuple[str, Path]:
    """A store with acme (graph a) and a chip whose vendor is acme (graph b); the folder of a."""
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "a.yaml").write_text(_ACME)
    (tmp_path / "b.yaml").write_text(_CHIP)
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(IngestOptions(paths=[folder, tmp_path / "b.yaml"], store=spec))
    return spec, folder


def test_removing_a_referenced_entity_is_refused(two_graphs: tuple[str, Path]) -> None:
    spec, folder = two_graphs
    (folder / "a.yaml").write_text("entities: []\n")

    with pytest.raises(InvalidInputError) as caught:
        ingest(IngestOptions(paths=[folder], store=spec))

    [problem] = caught.value.problems
    assert problem.file == "SHACL gate"
    assert problem.message == (
        "https://w3id.org/stackgraph/id/acme is removed but still referenced by"
        " https://w3id.org/stackgraph/id/chip in https://w3id.org/stackgraph/graph/b"
    )


def test_moving_an_entity_between_graphs_of_one_run_passes(two_graphs: tuple[str, Path]) -> None:
    spec, folder = two_graphs
    (folder / "a.yaml").write_text("entities: []\n")
    (folder / "moved.yaml").write_text(_ACME)
    with open_store(spec) as store:
        candidates = {
            "https://w3id.org/stackgraph/graph/a": Graph(),
            "https://w3id.org/stackgraph/graph/moved": Graph(),
        }
        assert check_candidates(candidates, store, set(candidates)) != []
    report = ingest(IngestOptions(paths=[folder], store=spec))
    assert report.outcome == "changed"
