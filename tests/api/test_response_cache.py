"""Whole responses are reused for the same query on the same graph version, and only then."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from stackgraph.api.settings import Settings
from tests.api._server import Server, ingest, serving
from tests.conftest import run_async

QUERY = '{ entity(id: "X1") { id name requirements { input { id } } } }'


def _post(url: str, query: str) -> httpx.Response:
    return httpx.post(url, json={"query": query}, timeout=30)


def test_repeated_query_is_a_hit_with_the_same_body(server: Server) -> None:
    query = QUERY.replace("X1", "Example X-1")  # a query no other test asks
    first = _post(server.graphql, query)
    second = _post(server.graphql, query)
    assert first.headers["x-stackgraph-cache"] == "miss"
    assert second.headers["x-stackgraph-cache"] == "hit"
    assert first.content == second.content
    assert second.json()["data"]["entity"]["id"] == "ex-accelerator"


def test_errors_are_never_cached(server: Server) -> None:
    query = '{ entity(id: "ex-nothing-here") { id } }'
    for _ in range(2):
        response = _post(server.graphql, query)
        assert response.headers["x-stackgraph-cache"] == "miss"
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.slow
def test_a_new_version_is_a_miss_and_the_cache_is_bounded(
    reload_sources: Path, tmp_path: Path
) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(reload_sources, spec)
    with serving(Settings(store=spec, reload_interval_s=0.1, response_cache_size=2)) as live:
        assert _post(live.graphql, QUERY).headers["x-stackgraph-cache"] == "miss"
        assert _post(live.graphql, QUERY).headers["x-stackgraph-cache"] == "hit"
        for other in ("{ graphInfo { version } }", '{ search(text: "ex") { totalCount } }'):
            _post(live.graphql, other)
        # two newer entries pushed the first one out
        assert _post(live.graphql, QUERY).headers["x-stackgraph-cache"] == "miss"
        chain = reload_sources / "chain.yaml"
        chain.write_text(
            chain.read_text(encoding="utf-8").replace(
                "name: Example Accelerator X1", "name: Example Accelerator X9"
            ),
            encoding="utf-8",
        )
        ingest(reload_sources, spec)
        import time

        deadline = time.monotonic() + 15
        while (
            _post(live.graphql, QUERY).json()["data"]["entity"]["name"] != "Example Accelerator X9"
        ):
            assert time.monotonic() < deadline, "a stale cached answer outlived its version"
            time.sleep(0.1)


def test_disabled_cache_always_misses(example_store: str) -> None:
    with serving(Settings(store=example_store, response_cache_size=0)) as live:
        for _ in range(2):
            assert "x-stackgraph-cache" not in _post(live.graphql, QUERY).headers


def test_a_cached_answer_is_never_served_to_a_request_that_would_be_refused(
    server: Server,
) -> None:
    query = QUERY.replace("X1", "Example Rack NVL72")
    body = '{"query": ' + httpx.Request("POST", "/", json=query).content.decode() + "}"
    assert _post(server.graphql, query).headers["x-stackgraph-cache"] == "miss"
    assert _post(server.graphql, query).headers["x-stackgraph-cache"] == "hit"
    for media in ("text/plain", "application/x-www-form-urlencoded"):
        response = httpx.post(
            server.graphql, content=body, headers={"content-type": media}, timeout=30
        )
        assert "x-stackgraph-cache" not in response.headers
        assert response.status_code >= 400, (media, response.status_code)


def test_the_cache_is_bounded_in_bytes(example_store: str) -> None:
    """Many distinct large answers never hold more than `max_bytes` (requests and responses)."""
    from stackgraph import KnowledgeGraph
    from stackgraph.api.response_cache import ResponseCache

    payload = b'{"data": {"x": "' + b"y" * 100_000 + b'"}}'

    async def answer(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        start = {"type": "http.response.start", "status": 200, "headers": []}
        await send(start)
        await send({"type": "http.response.body", "body": payload})

    cache = ResponseCache(answer, max_entries=10_000, max_bytes=1_000_000)

    async def ask(kg: KnowledgeGraph, i: int) -> None:
        scope = {
            "type": "http",
            "method": "POST",
            "headers": [(b"content-type", b"application/json")],
            "app": SimpleNamespace(state=SimpleNamespace(view=kg)),
        }
        body = b'{"query": "{ graphInfo { version } }", "n": %d}' % i

        async def receive() -> Any:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Any) -> None:
            return None

        await cache(scope, receive, send)

    with KnowledgeGraph.open(example_store) as kg:
        for i in range(40):
            run_async(ask, kg, i)
    assert 0 < len(cache) <= 9 and cache.bytes <= 1_000_000
