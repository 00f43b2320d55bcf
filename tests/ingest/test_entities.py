"""The entities a run knows: the store's outside the run's graphs, then the sources' own."""

from __future__ import annotations

from pathlib import Path

from stackgraph.graph.store import Store, open_store
from stackgraph.ingest.entities import entity_index, store_entities
from stackgraph.ingest.readers import read_source
from stackgraph.ingest.records import validate_records
from stackgraph.ingest.run import IngestOptions, ingest

_CHAIN = "https://w3id.org/stackgraph/graph/chain"


def _stored(dataset: Path, tmp_path: Path) -> Store:
    store = open_store(f"oxigraph:{tmp_path / 'store'}")
    ingest(IngestOptions(paths=[dataset]), store=store)
    return store


def test_store_entities_leaves_out_the_skipped_graphs(dataset: Path, tmp_path: Path) -> None:
    with _stored(dataset, tmp_path) as store:
        every = store_entities(store, set())
        outside = store_entities(store, {_CHAIN})

    assert {g.rsplit("/", 1)[-1] for g, _, _, _ in every} == {"chain", "extra", "vocab"}
    assert {g.rsplit("/", 1)[-1] for g, _, _, _ in outside} == {"extra", "vocab"}
    assert ("Organization", "Example Designer") in {(c, n) for _, _, c, n in every}


def test_reingesting_a_source_clashes_with_nothing(dataset: Path, tmp_path: Path) -> None:
    source = read_source(dataset / "chain.yaml", max_bytes=2**20)
    valid = {source.display: validate_records(source)}
    with _stored(dataset, tmp_path) as store:
        index = entity_index([source], valid, store, {_CHAIN})

    assert source.problems == []
    assert index.resolve("ExDes") == "ex-designer"
    assert index.by_slug["ex-odm"].where == "stored graph https://w3id.org/stackgraph/graph/extra"


def test_an_id_already_stored_in_another_graph_is_a_clash(dataset: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text((dataset / "chain.yaml").read_text())
    source = read_source(copy, max_bytes=2**20)
    valid = {source.display: validate_records(source)}
    with _stored(dataset, tmp_path) as store:
        entity_index([source], valid, store, {"https://w3id.org/stackgraph/graph/copy"})

    messages = {p.message for p in source.problems if p.field == "id"}
    assert any(
        m.startswith("duplicate id 'ex-designer', also defined at stored graph") for m in messages
    )
