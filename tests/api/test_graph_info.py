"""`graphInfo`: the version served, counts and sources, as the Python API reports them."""

from __future__ import annotations

from stackgraph import KnowledgeGraph
from tests.api._server import Server


def test_graph_info(server: Server, example_store: str) -> None:
    info = server.query(
        """{ graphInfo { version entities requirements supplies
             entitiesByType { type count }
             sources { graph file title triples lastRun { iri generatedAt } } } }"""
    )["graphInfo"]
    with KnowledgeGraph.open(example_store) as kg:
        expected = kg.graph_info()
    assert info["version"] == expected["version"]
    assert (info["entities"], info["requirements"], info["supplies"]) == (
        expected["entities"],
        expected["requirements"],
        expected["supplies"],
    )
    assert info["entities"] == 18
    assert {t["type"]: t["count"] for t in info["entitiesByType"]} == {
        "Facility": 2,
        "Organization": 6,
        "Product": 10,
    }
    files = {s["file"].rsplit("/", 1)[-1]: s for s in info["sources"]}
    assert set(files) == {"chain.yaml", "extra.csv", "vocab.ttl"}
    assert files["chain.yaml"]["triples"] > 0
    assert files["chain.yaml"]["lastRun"]["iri"]
    assert len(info["version"]) == 16
