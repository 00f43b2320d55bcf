"""`KnowledgeGraph.connect(url)` answers exactly like `KnowledgeGraph.open(spec)` on the same data.

Every public call of the Python API runs against the embedded store and against a real uvicorn
server over the same store; whole answers are compared (titles, columns, summaries, every row
with every field), nothing stripped.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from stackgraph import Client, KnowledgeGraph, Table
from stackgraph.api.settings import Settings
from stackgraph.graph import UnknownEntityError
from stackgraph.remote import RemoteError, RemoteKnowledgeGraph
from tests.api._server import Server, ingest, serving

Call = Callable[[Client], Any]

CALLS: dict[str, list[Call]] = {
    "resolve": [lambda g: g.resolve("Example X-1"), lambda g: g.resolve("ex-cowos")],
    "info": [lambda g: g.info("ex-accelerator")],
    "search": [
        lambda g: g.search("example"),
        lambda g: g.search("", limit=0),
        lambda g: g.search("hbm", layer="memory", limit=3),
        lambda g: g.search("", types=["Organization"]),
    ],
    "entity": [lambda g: g.entity("ex-accelerator"), lambda g: g.entity("ex-foundry")],
    "requirements": [lambda g: g.requirements("ex-rack"), lambda g: g.requirements("ex-hbm-a")],
    "sources": [lambda g: g.sources("ex-hbm"), lambda g: g.sources("ex-cowos")],
    "capacities": [
        lambda g: g.capacities("ex-foundry"),
        lambda g: g.capacities("ex-cowos", year=2025),
        lambda g: g.capacities("ex-cowos", kind=["capacity", "demand"]),
        lambda g: g.capacities("ex-cowos", kind="backlog"),
    ],
    "deployable": [
        lambda g: g.deployable("ex-rack", year=2025),
        lambda g: g.deployable(
            {"ex-rack": 1, "ex-accelerator": 10}, year=2025, per="year", shortages=["ex-cowos=0.5"]
        ),
        lambda g: g.deployable("ex-rack", year=2025, shortages={"ex-cowos": "1000 wafers"}),
    ],
    "impact": [
        lambda g: g.impact({"ex-cowos": 0.0}),
        lambda g: g.impact({"Vendor A HBM3E": 0.0, "ex-cowos": 0.5}),
        lambda g: g.impact(["ex-hbm-a=0.25"], substitution=True),
    ],
    "critical_path": [
        lambda g: g.critical_path("ex-datacenter"),
        lambda g: g.critical_path("ex-rack"),
    ],
    "single_points_of_failure": [lambda g: g.single_points_of_failure("Example X-1")],
    "chokepoints": [
        lambda g: g.chokepoints(5),
        lambda g: g.chokepoints(3, categories="accelerator"),
    ],
    "dependencies": [
        lambda g: g.dependencies("ex-rack"),
        lambda g: g.dependencies("ex-rack", depth=1),
        lambda g: g.dependencies("ex-rack", layers=["memory", "packaging"]),
    ],
    "dependents": [
        lambda g: g.dependents("ex-fab"),
        lambda g: g.dependents("ex-hbm-a", categories=["accelerator"]),
        lambda g: g.dependents("ex-fab", limit=2),
    ],
    "subgraph": [lambda g: g.subgraph("ex-rack"), lambda g: g.subgraph(["ex-rack"], depth=1)],
    "graph_info": [lambda g: g.graph_info()],
}
CASES = [(name, k, call) for name, calls in CALLS.items() for k, call in enumerate(calls)]


@pytest.fixture(scope="module")
def both(
    server: Server, example_store: str
) -> Iterator[tuple[KnowledgeGraph, RemoteKnowledgeGraph]]:
    with (
        KnowledgeGraph.open(example_store) as local,
        KnowledgeGraph.connect(server.graphql) as remote,
    ):
        yield local, remote


def _graph(g: nx.DiGraph) -> tuple[dict[Any, Any], dict[Any, Any]]:
    return dict(g.nodes(data=True)), {(u, v): d for u, v, d in g.edges(data=True)}


def test_every_public_call_is_checked() -> None:
    public = {
        name
        for name, member in inspect.getmembers(Client)
        if not name.startswith("_") and callable(member)
    }
    assert public - {"spof"} == set(CALLS)


@pytest.mark.parametrize(("name", "k", "call"), CASES, ids=[f"{n}-{k}" for n, k, _ in CASES])
def test_local_and_remote_answer_the_same(
    both: tuple[KnowledgeGraph, RemoteKnowledgeGraph], name: str, k: int, call: Call
) -> None:
    local, remote = both
    a, b = call(local), call(remote)
    if isinstance(a, nx.DiGraph):
        assert _graph(a) == _graph(b)
        return
    assert a == b
    if isinstance(a, Table):
        assert (a.title, list(a.columns), a.summary, a.kind) == (
            b.title,
            list(b.columns),
            b.summary,
            b.kind,
        )
        assert a.to_dicts() == b.to_dicts()
        assert list(a.to_frame().columns) == list(b.to_frame().columns)


def test_answers_are_not_empty(both: tuple[KnowledgeGraph, RemoteKnowledgeGraph]) -> None:
    """The comparisons above mean something: the calls find things on the example data."""
    _, remote = both
    assert remote.resolve("Example X-1") == "ex-accelerator"
    impact = remote.impact({"ex-cowos": 0.0})
    facts = [f["source"] for r in impact for s in r["explanation"] for f in s["facts"]]
    assert facts and all(f.startswith("https://") for f in facts)
    assert remote.critical_path("ex-datacenter").summary["total_days"] == 210
    assert {"ex-accelerator", "ex-cowos"} <= {
        r.id for r in remote.single_points_of_failure("ex-rack")
    }
    assert all(r.via_facts for r in remote.dependencies("ex-rack"))
    e = remote.entity("ex-accelerator")
    assert e["provenance"]["source"] == "https://example.org/x1"
    assert {c["value"] for c in e["claims"]} == {"16", "180", "192"}
    g = remote.subgraph("ex-rack")
    assert g.nodes["ex-accelerator"]["name"] == "Example Accelerator X1"
    assert g.has_edge("ex-rack", "ex-rack/ex-accelerator")


def test_remote_errors_are_ours(both: tuple[KnowledgeGraph, RemoteKnowledgeGraph]) -> None:
    local, remote = both
    for g in (local, remote):
        with pytest.raises(UnknownEntityError):
            g.critical_path("ex-nothing")
        with pytest.raises(ValueError):
            g.impact({"ex-cowos": 2.0})
        with pytest.raises(ValueError, match="layer"):
            g.dependencies("ex-rack", layers=["memroy"])
    with pytest.raises(RemoteError, match="SPARQL"):
        remote.sparql("SELECT * WHERE { ?s ?p ?o }")


def test_spof_is_a_deprecated_spelling(both: tuple[KnowledgeGraph, RemoteKnowledgeGraph]) -> None:
    for g in both:
        with pytest.warns(DeprecationWarning, match="single_points_of_failure"):
            assert g.spof("ex-rack") == g.single_points_of_failure("ex-rack")


def test_plots_work_against_the_server(both: tuple[KnowledgeGraph, RemoteKnowledgeGraph]) -> None:
    from matplotlib.figure import Figure

    from stackgraph import plots

    _, remote = both
    figures = [
        plots.dependency_tree(remote, "ex-rack", shortages={"ex-cowos": 0.0}),
        plots.critical_path_gantt(remote, "ex-datacenter"),
        plots.chokepoint_bars(remote, top=5),
        plots.what_if(remote, "ex-hbm-a", ["ex-accelerator", "ex-rack"], steps=3),
        remote.impact({"ex-cowos": 0.0}).plot(),
    ]
    assert all(isinstance(f, Figure) for f in figures)


def test_stage_times_reach_the_remote_client_too(dataset: Path, tmp_path: Path) -> None:
    """An item's stage time and its source travel over GraphQL: the same path, the same graph."""
    (dataset / "stages.yaml").write_text(
        "title: stage times\n"
        "claims:\n"
        "  - {subject: ex-rack, property: stage_time_days, value: '7', unit: days,\n"
        "     source: 'https://example.org/assembly', as_of: 2025, confidence: medium}\n",
        encoding="utf-8",
    )
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(dataset, spec)
    with (
        serving(Settings(store=spec)) as live,
        KnowledgeGraph.open(spec) as local,
        KnowledgeGraph.connect(live.graphql) as remote,
    ):
        assert local.critical_path("ex-rack") == remote.critical_path("ex-rack")
        assert _graph(local.subgraph("ex-rack")) == _graph(remote.subgraph("ex-rack"))
        assert remote.subgraph("ex-rack").nodes["ex-rack"]["stage_time_days"] == 7
