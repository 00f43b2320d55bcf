"""Health, readiness, hot reload of a new graph version, and the committed SDL."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.cache import AnalysisCache
from api.sdl import SDL_PATH, main, render_sdl
from api.settings import Settings
from graph.remote import RemoteKnowledgeGraph
from tests.api._server import Server, ingest, serving


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


def test_committed_sdl_is_current() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == render_sdl(), (
        "api/schema.graphql is stale; run `python -m api.sdl` and commit it"
    )
    assert main(["--check"]) == 0


def test_sdl_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { old: Int }\n", encoding="utf-8")
    assert main(["--check", "--output", str(stale)]) == 1
    assert main(["--output", str(stale)]) == 0
    assert main(["--check", "--output", str(stale)]) == 0


def test_analysis_cache_is_bounded_and_least_recently_used() -> None:
    cache = AnalysisCache(2)
    calls: list[str] = []
    for key in ["a", "b", "a", "c", "a", "b"]:
        cache.get_or_compute(("v1", key), lambda key=key: calls.append(key) or key)
    assert calls == ["a", "b", "c", "b"]
    assert len(cache) == 2


def _rename_and_ingest(sources: Path, spec: str, name: str) -> None:
    chain = sources / "chain.yaml"
    text = chain.read_text(encoding="utf-8")
    chain.write_text(
        text.replace("name: Example Accelerator X1", f"name: {name}"), encoding="utf-8"
    )
    ingest(sources, spec)


def _wait_for_version(live: Server, old: str) -> str:
    deadline = time.monotonic() + 15
    while (version := live.query("{ graphInfo { version } }")["graphInfo"]["version"]) == old:
        assert time.monotonic() < deadline, "the server kept serving the old version"
        time.sleep(0.1)
    return str(version)


def test_a_cursor_of_an_older_version_is_refused(reload_sources: Path, tmp_path: Path) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(reload_sources, spec)
    page = "{ graphInfo { version } search(first: 3) { pageInfo { endCursor } } }"
    with serving(Settings(store=spec, reload_interval_s=0.1)) as live:
        first = live.query(page)
        cursor = first["search"]["pageInfo"]["endCursor"]
        _rename_and_ingest(reload_sources, spec, "Example Accelerator X2")
        version = _wait_for_version(live, first["graphInfo"]["version"])
        body = live.post(
            {"query": f'{{ search(first: 3, after: "{cursor}") {{ totalCount }} }}'}
        ).json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "STALE_CURSOR"
    assert error["extensions"]["version"] == version and "without `after`" in error["message"]


def test_a_cursor_from_before_versioned_cursors_is_stale(server: Server) -> None:
    old = base64.urlsafe_b64encode(b"o:2").decode()
    body = server.post({"query": f'{{ search(after: "{old}") {{ totalCount }} }}'}).json()
    assert body["errors"][0]["extensions"]["code"] == "STALE_CURSOR"


def test_the_remote_client_refuses_an_empty_page_size(server: Server) -> None:
    with pytest.raises(ValueError, match="page_size"):
        RemoteKnowledgeGraph(server.graphql, page_size=0)


def test_the_remote_client_restarts_a_listing_when_the_graph_changes(
    reload_sources: Path, tmp_path: Path
) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(reload_sources, spec)
    with serving(Settings(store=spec, reload_interval_s=0.1)) as live:

        class IngestAfterFirstPage(RemoteKnowledgeGraph):
            """A client during whose listing a scheduled ingest lands (a real one)."""

            pages = 0

            def _query(self, query: str, variables: Any = None) -> dict[str, Any]:
                answer = super()._query(query, variables)
                self.pages += 1
                if self.pages == 1:
                    old = live.query("{ graphInfo { version } }")["graphInfo"]["version"]
                    _rename_and_ingest(reload_sources, spec, "Example Accelerator X2")
                    _wait_for_version(live, old)
                return answer

        with IngestAfterFirstPage(live.graphql, page_size=4) as remote:
            table = remote.search("")
        names = {r["name"] for r in table}
    assert remote.pages > 2  # the first listing was abandoned and started again
    assert "Example Accelerator X2" in names and "Example Accelerator X1" not in names
    assert len(table) == table.summary["total"] == len({r["id"] for r in table})
