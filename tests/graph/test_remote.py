"""`KnowledgeGraph.connect(url)` answers like `KnowledgeGraph.open(spec)` on the same data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph import KnowledgeGraph, UnknownEntityError
from graph.remote import RemoteError, RemoteKnowledgeGraph
from tests.api._server import Server


@pytest.fixture(scope="module")
def both(
    server: Server, example_store: str
) -> Iterator[tuple[KnowledgeGraph, RemoteKnowledgeGraph]]:
    with (
        KnowledgeGraph.open(example_store) as local,
        KnowledgeGraph.connect(server.graphql) as remote,
    ):
        yield local, remote


def _strip(rows: list[dict], *drop: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in drop} for r in rows]


def test_impact_is_the_same_table(both: tuple[KnowledgeGraph, RemoteKnowledgeGraph]) -> None:
    local, remote = both
    for scenario in ({"ex-cowos": 0.0}, {"Vendor A HBM3E": 0.0, "ex-cowos": 0.5}):
        a, b = local.impact(scenario), remote.impact(scenario)
        assert [r["id"] for r in a] == [r["id"] for r in b]
        assert [r["status"] for r in a] == [r["status"] for r in b]
        assert [r["chain"] for r in a] == [r["chain"] for r in b]
        assert a.summary["counts"] == b.summary["counts"]
        facts = [f["source"] for r in b for s in r["explanation"] for f in s["facts"]]
        assert facts and all(f.startswith("https://") for f in facts)
        assert list(b.to_frame().columns) == list(a.to_frame().columns)


def test_analyses_match(both: tuple[KnowledgeGraph, RemoteKnowledgeGraph]) -> None:
    local, remote = both
    a, b = local.critical_path("ex-datacenter"), remote.critical_path("ex-datacenter")
    assert a.summary["total_days"] == b.summary["total_days"] == 330
    assert [r["node"] for r in a] == [r["node"] for r in b]
    assert {r["id"] for r in local.single_points_of_failure("ex-rack")} == {
        r["id"] for r in remote.single_points_of_failure("ex-rack")
    }
    assert [r["id"] for r in local.chokepoints(5)] == [r["id"] for r in remote.chokepoints(5)]
    assert {r["id"] for r in local.dependents("ex-fab")} == {
        r["id"] for r in remote.dependents("ex-fab")
    }
    assert (
        _strip(local.dependencies("ex-rack").to_dicts(), "via_facts")
        == remote.dependencies("ex-rack").to_dicts()
    )
    a, b = (g.dependents("ex-hbm-a", categories=["accelerator"]) for g in (local, remote))
    assert (a.title, a.summary) == (b.title, b.summary)
    assert _strip(a.to_dicts(), "via_facts") == b.to_dicts()


def test_lookups_match(both: tuple[KnowledgeGraph, RemoteKnowledgeGraph]) -> None:
    local, remote = both
    assert remote.resolve("Example X-1") == "ex-accelerator"
    assert [r["id"] for r in local.search("example")] == [r["id"] for r in remote.search("example")]
    assert len(local.search("", limit=0)) == len(remote.search("", limit=0)) == 18
    a, b = local.capacities("ex-foundry"), remote.capacities("ex-foundry")
    assert (a.title, a.summary, a.to_dicts()) == (b.title, b.summary, b.to_dicts())
    e = remote.entity("ex-accelerator")
    assert e["provenance"]["source"] == "https://example.org/x1"
    assert {c["value"] for c in e["claims"]} == {"180", "192"}
    assert remote.graph_info()["version"] == local.graph_info()["version"]
    g = remote.subgraph("ex-rack")
    assert g.nodes["ex-accelerator"]["label"] == "Example Accelerator X1"
    assert g.has_edge("ex-rack", "ex-rack/ex-accelerator")
    assert g.has_edge("ex-rack/ex-accelerator", "ex-accelerator")


def test_remote_errors_are_ours(both: tuple[KnowledgeGraph, RemoteKnowledgeGraph]) -> None:
    _, remote = both
    with pytest.raises(UnknownEntityError):
        remote.critical_path("ex-nothing")
    with pytest.raises(ValueError):
        remote.impact({"ex-cowos": 2.0})
    with pytest.raises(RemoteError, match="SPARQL"):
        remote.sparql("SELECT * WHERE { ?s ?p ?o }")


def test_subgraph_and_plots_work_against_the_server(
    both: tuple[KnowledgeGraph, RemoteKnowledgeGraph],
) -> None:
    from matplotlib.figure import Figure

    from graph import plots

    local, remote = both
    a, b = local.subgraph("ex-rack"), remote.subgraph("ex-rack")
    assert set(a.nodes) == set(b.nodes)
    assert {(u, v, d["kind"]) for u, v, d in a.edges(data=True)} == {
        (u, v, d["kind"]) for u, v, d in b.edges(data=True)
    }
    figures = [
        plots.dependency_tree(remote, "ex-rack", shortages={"ex-cowos": 0.0}),
        plots.critical_path_gantt(remote, "ex-datacenter"),
        plots.chokepoint_bars(remote, top=5),
        plots.what_if(remote, "ex-hbm-a", ["ex-accelerator", "ex-rack"], steps=3),
        remote.impact({"ex-cowos": 0.0}).plot(),
    ]
    assert all(isinstance(f, Figure) for f in figures)
