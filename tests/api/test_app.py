"""The application: health, readiness, GET queries, hot reload of a new graph version, the
GraphiQL and CORS switches, no batching; and the remote client against a live server."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from stackgraph.api.settings import Settings
from tests.api._server import Server, ingest, rename_and_ingest, serving, wait_for_version
from tests.ingest._cli import big_source


def test_healthz(server: Server) -> None:
    response = httpx.get(server.url + "/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_when_the_graph_has_data(server: Server) -> None:
    response = httpx.get(server.url + "/readyz", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["entities"] == 18 and len(body["version"]) == 16


def test_readyz_is_503_on_an_empty_graph() -> None:
    with serving(Settings(store="memory:")) as empty:
        ready = httpx.get(empty.url + "/readyz", timeout=10)
        healthy = httpx.get(empty.url + "/healthz", timeout=10)
        search = empty.query("{ search { totalCount } }")
    assert ready.status_code == 503 and ready.json()["status"] == "empty"
    assert healthy.status_code == 200
    assert search == {"search": {"totalCount": 0}}


def test_queries_via_get(server: Server) -> None:
    response = httpx.get(
        server.graphql, params={"query": '{ entity(id: "X1") { id } }'}, timeout=10
    )
    assert response.json() == {"data": {"entity": {"id": "ex-accelerator"}}}


RELOAD_QUERY = """
query {
  graphInfo { version }
  entity(id: "ex-accelerator") { name }
  impact(shortages: [{id: "ex-hbm-a", availability: 0}]) { version totalCount }
}
"""


@pytest.mark.slow
def test_hot_reload_serves_the_new_version(reload_sources: Path, tmp_path: Path) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(reload_sources, spec)
    with serving(Settings(store=spec, reload_interval_s=0.1)) as live:
        before = live.query(RELOAD_QUERY)
        assert before["entity"]["name"] == "Example Accelerator X1"
        chain = reload_sources / "chain.yaml"
        chain.write_text(
            chain.read_text(encoding="utf-8").replace(
                "name: Example Accelerator X1", "name: Example Accelerator X2"
            ),
            encoding="utf-8",
        )
        ingest(reload_sources, spec)  # a concurrent writer while the server reads
        deadline = time.monotonic() + 15
        after = live.query(RELOAD_QUERY)
        while after["entity"]["name"] != "Example Accelerator X2":
            assert time.monotonic() < deadline, "the server kept serving the old version"
            time.sleep(0.1)
            after = live.query(RELOAD_QUERY)
        version = after["graphInfo"]["version"]
        assert version != before["graphInfo"]["version"]
        assert after["impact"]["version"] == version  # cached analyses are per version
        assert after["impact"]["totalCount"] == before["impact"]["totalCount"]
        found = live.query('{ search(text: "Accelerator X2") { edges { node { id } } } }')
        assert found["search"]["edges"] == [{"node": {"id": "ex-accelerator"}}]


@pytest.mark.slow
def test_hot_reload_after_a_write_through_the_shadow_copy(
    reload_sources: Path, tmp_path: Path
) -> None:
    """A write over the store's shadow threshold swaps the store's folder (``stackgraph.graph.shadow``):
    the server reopens it and moves to the new version, answering all along."""
    spec = f"oxigraph:{tmp_path / 'store'}"
    big_source(reload_sources / "bulk.nt", 1_000, "old")
    ingest(reload_sources, spec)
    with serving(Settings(store=spec, reload_interval_s=0.1)) as live:
        before = live.query(RELOAD_QUERY)
        big_source(reload_sources / "bulk.nt", 150_000, "new")  # over shadow_above
        folder = (tmp_path / "store").stat().st_ino
        rename_and_ingest(reload_sources, spec, "Example Accelerator X2")
        wait_for_version(live, before["graphInfo"]["version"])
        after = live.query(RELOAD_QUERY)
        assert after["entity"]["name"] == "Example Accelerator X2"
        assert after["impact"]["totalCount"] == before["impact"]["totalCount"]
    assert (tmp_path / "store").stat().st_ino != folder, "the store's folder was swapped"
    # Beside the store: its ingest lock and its projection files (`.store.projections`).
    beside = [p.name for p in tmp_path.iterdir() if "store" in p.name]
    assert sorted(n for n in beside if not n.endswith(".projections")) == [
        ".store.lock",
        "store",
    ], "the old folder is removed after the swap"


def test_batching_is_off(server: Server) -> None:
    response = server.post([{"query": "{ __typename }"}, {"query": "{ __typename }"}])
    assert response.status_code == 400
    assert "Batching is not enabled" in response.text


def test_graphiql_switch(server: Server, strict_server: Server) -> None:
    with httpx.Client(timeout=30) as client:
        on = client.get(server.graphql, headers={"accept": "text/html"})
        off = client.get(strict_server.graphql, headers={"accept": "text/html"})
    assert on.status_code == 200 and "graphiql" in on.text.lower()
    assert off.status_code == 404


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [("https://allowed.example", True), ("https://evil.example", False)],
    ids=["listed", "unlisted"],
)
def test_cors_origins_are_explicit(strict_server: Server, origin: str, allowed: bool) -> None:
    headers = {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    with httpx.Client(timeout=30) as client:
        preflight = client.options(strict_server.graphql, headers=headers)
        actual = client.post(
            strict_server.graphql, json={"query": "{ __typename }"}, headers={"origin": origin}
        )
    assert (preflight.status_code == 200) is allowed
    assert (preflight.headers.get("access-control-allow-origin") == origin) is allowed
    assert (actual.headers.get("access-control-allow-origin") == origin) is allowed


def test_no_cors_headers_without_configured_origins(server: Server) -> None:
    response = server.post({"query": "{ __typename }"}, headers={"origin": "https://a.example"})
    assert "access-control-allow-origin" not in response.headers


def _readyz_until(live: Server, status: str) -> dict[str, Any]:
    """/readyz once it says `status` (at most 15 s)."""
    deadline = time.monotonic() + 15
    while (ready := httpx.get(live.url + "/readyz").json())["status"] != status:
        assert time.monotonic() < deadline, ready
        time.sleep(0.1)
    found: dict[str, Any] = ready
    return found


def _unprojectable(folder: Path) -> Any:
    """Write, past ingest's checks, a lead time the projection cannot hold (and a content hash
    that makes it a new version) into the store at `folder`; returns the quad to take it out."""
    import pyoxigraph as ox

    from stackgraph.graph.namespace import META_GRAPH, SG

    bad = ox.Quad(
        ox.NamedNode("https://w3id.org/stackgraph/id/ex-cowos"),
        ox.NamedNode(str(SG.leadTimeDays)),
        ox.Literal(
            "99999999999999", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        ),
        ox.NamedNode("https://w3id.org/stackgraph/graph/chain"),
    )
    stamp = ox.Quad(
        ox.NamedNode("https://w3id.org/stackgraph/graph/chain"),
        ox.NamedNode(str(SG.contentHash)),
        ox.Literal("sha256:not-what-ingest-wrote"),
        ox.NamedNode(str(META_GRAPH)),
    )
    store = ox.Store(str(folder))
    store.extend([bad, stamp])
    store.flush()
    del store
    return bad


def _repair(folder: Path, bad: Any) -> None:
    import pyoxigraph as ox

    store = ox.Store(str(folder))
    store.remove(bad)
    store.flush()
    del store


def test_a_version_that_cannot_be_projected_is_reported_not_served(
    reload_sources: Path, tmp_path: Path
) -> None:
    """A writer that bypasses ingest leaves a figure the projection cannot hold: the server keeps
    the last good version, /readyz says why, and the next good version is served again."""
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(reload_sources, spec)
    with serving(Settings(store=spec, reload_interval_s=0.1)) as live:
        version = live.query("{ graphInfo { version } }")["graphInfo"]["version"]
        bad = _unprojectable(tmp_path / "store")
        ready = _readyz_until(live, "stale")
        assert ready["version"] == version and "reload_error" in ready
        assert live.query("{ graphInfo { version } }")["graphInfo"]["version"] == version
        _repair(tmp_path / "store", bad)
        ready = _readyz_until(live, "ready")
        assert ready["version"] != version


def test_a_first_version_that_cannot_be_projected_starts_unavailable_not_a_crash_loop(
    reload_sources: Path, tmp_path: Path
) -> None:
    """With no good version to fall back on, the server still starts: /healthz answers, /readyz
    and /graphql answer 503 saying why, and once the data is repaired it serves without a
    restart."""
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(reload_sources, spec)
    bad = _unprojectable(tmp_path / "store")
    with serving(Settings(store=spec, reload_interval_s=0.1)) as live:
        assert httpx.get(live.url + "/healthz", timeout=10).status_code == 200
        ready = httpx.get(live.url + "/readyz", timeout=10)
        assert ready.status_code == 503, ready.text
        assert ready.json()["status"] == "unavailable"
        assert (
            "ex-cowos: a lead time of 99999999999999 days" in ready.json()["reload_error"]["error"]
        )
        answer = httpx.post(live.url + "/graphql", json={"query": "{ __typename }"}, timeout=10)
        assert answer.status_code == 503, answer.text
        error = answer.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAVAILABLE"
        assert error["message"].startswith("no graph version could be loaded yet: ")
        _repair(tmp_path / "store", bad)
        _readyz_until(live, "ready")
        assert live.query('{ entity(id: "ex-cowos") { id } }')["entity"]["id"] == "ex-cowos"
