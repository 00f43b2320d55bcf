"""The analyses and the API over the `sparql:` store, on each real SPARQL server (`oxigraph
serve` and Virtuoso): the answers over the embedded store; and two `stackgraph serve` processes
over one SPARQL store, which serve one graph version and move to the next together."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.load import start_server
from stackgraph import KnowledgeGraph
from stackgraph.api.settings import Settings
from stackgraph.graph.store import GraphWrite, Store, open_store
from tests import _virtuoso
from tests.api._server import Server, ingest, rename_and_ingest, serving
from tests.conftest import free_port

QUERY = """{
  graphInfo { version }
  impact(shortages: [{id: "ex-cowos", availability: 0.5}, {id: "ex-hbm-a", availability: 0}]) {
    totalCount edges { node { entity { id name } status availabilityLow availabilityHigh chain } }
  }
  criticalPath(id: "ex-datacenter") { totalDays steps { entity { id } } missingInClosureCount }
  singlePointsOfFailure(id: "ex-rack") { entity { id } path weak }
  chokepoints(first: 5) { entity { id } endProductsBlocked score }
  entity(id: "ex-accelerator") { name dependents { totalCount edges { node { id } } } }
}"""


def _clear(store: Store) -> None:
    store.replace_graphs(GraphWrite(g, "") for g in store.named_graphs())


@pytest.fixture
def remote(sparql_server: str, reload_sources: Path) -> Iterator[str]:
    """The example data (a copy, `reload_sources`), ingested by the CLI into the server emptied
    of our graphs; its spec."""
    spec = "sparql:" + sparql_server
    with open_store(spec) as s:
        _clear(s)
    ingest(reload_sources, spec)
    yield spec
    with open_store(spec) as s:
        _clear(s)


def _answers(kg: KnowledgeGraph) -> dict[str, Any]:
    return {
        "version": kg.graph_info()["version"],
        "impact": kg.impact({"ex-cowos": 0.0}).to_dicts(),
        "shares": kg.impact({"ex-hbm-a": 0.0}).to_dicts(),
        "critical_path": kg.critical_path("ex-datacenter").to_dicts(),
        "spof": kg.single_points_of_failure("ex-rack").to_dicts(),
        "chokepoints": kg.chokepoints(5).to_dicts(),
        "dependents": kg.dependents("ex-fab").to_dicts(),
        "capacities": kg.capacities("ex-cowos").to_dicts(),
        "search": kg.search("ex").to_dicts(),
    }


def test_the_analyses_answer_as_over_the_embedded_store(remote: str, example_store: str) -> None:
    with KnowledgeGraph.open(remote) as over_sparql, KnowledgeGraph.open(example_store) as local:
        assert _answers(over_sparql) == _answers(local)
        assert over_sparql.entity("ex-accelerator") == local.entity("ex-accelerator")


def test_the_api_answers_as_over_the_embedded_store(remote: str, server: Server) -> None:
    with serving(Settings(store=remote)) as over_sparql:
        assert over_sparql.query(QUERY) == server.query(QUERY)


def _version(port: int) -> str:
    body = httpx.post(
        f"http://127.0.0.1:{port}/graphql", json={"query": "{ graphInfo { version } }"}, timeout=30
    ).json()
    return str(body["data"]["graphInfo"]["version"])


def _name(port: int) -> str:
    query = '{ entity(id: "ex-accelerator") { name } }'
    body = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=30)
    return str(body.json()["data"]["entity"]["name"])


@pytest.mark.slow
def test_two_servers_over_one_store_move_to_a_new_version_together(
    remote: str, reload_sources: Path
) -> None:
    ports = [free_port(), free_port()]
    with ThreadPoolExecutor(2) as pool:  # they start side by side
        servers = list(pool.map(lambda port: start_server(remote, port), ports))
    try:
        first = {_version(p) for p in ports}
        assert len(first) == 1
        rename_and_ingest(reload_sources, remote, "Renamed Accelerator")
        deadline = time.monotonic() + 15
        while {_version(p) for p in ports} & first:
            assert time.monotonic() < deadline, "a server kept serving the old version"
            time.sleep(0.1)
        assert len({_version(p) for p in ports}) == 1
        assert [_name(p) for p in ports] == ["Renamed Accelerator"] * 2
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            proc.wait(timeout=15)


def test_a_missing_virtuoso_skips_or_fails_as_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_virtuoso.shutil, "which", lambda *_, **__: None)
    monkeypatch.delenv(_virtuoso.REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install virtuoso-opensource"):
        _virtuoso.virtuoso(tmp_path, free_port(), free_port()).__enter__()
    monkeypatch.setenv(_virtuoso.REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception, match="STACKGRAPH_REQUIRE_VIRTUOSO=1"):
        _virtuoso.virtuoso(tmp_path, free_port(), free_port()).__enter__()
