"""Servers for the API tests: uvicorn on 127.0.0.1, the example data in oxigraph stores."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from stackgraph.api.settings import Settings
from tests.api._server import Server, serving
from tests.conftest import EXAMPLES

STRICT = Settings(
    max_depth=4,
    max_aliases=2,
    max_tokens=120,
    max_cost=400,
    max_body_bytes=2048,
    max_page_size=5,
    introspection=False,
    graphiql=False,
    cors_origins=("https://allowed.example",),
)


@pytest.fixture(scope="session")
def strict_server(example_store: str) -> Iterator[Server]:
    """A server with small limits, introspection and GraphiQL off, one CORS origin."""
    with serving(replace(STRICT, store=example_store)) as s:
        yield s


@pytest.fixture(scope="session")
def slow_server(example_store: str) -> Iterator[Server]:
    """A server whose request time limit has always passed by the time a resolver runs."""
    with serving(Settings(store=example_store, request_timeout_s=1e-6)) as s:
        yield s


@pytest.fixture
def reload_sources(tmp_path: Path) -> Path:
    """A private copy of the example sources, to change during a test."""
    target = tmp_path / "sources"
    shutil.copytree(EXAMPLES / "valid", target)
    return target


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright, reaching only the loopback (`tests.api._browser`)."""
    pytest.importorskip("playwright.sync_api", reason="needs playwright (pip: .[test])")
    from tests.api._browser import launch

    with launch() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def bundled_server(bundled: str) -> Iterator[Server]:
    """A server with the default settings over the bundled data."""
    with serving(Settings(store=bundled)) as s:
        yield s
