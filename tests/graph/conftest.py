"""Fixtures of the graph tests: the example data in a store, and a real server over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.settings import Settings
from tests.api._server import Server, ingest, serving
from tests.conftest import EXAMPLES


@pytest.fixture(scope="session")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An oxigraph store holding the example data (shared, never written after ingest)."""
    spec = f"oxigraph:{tmp_path_factory.mktemp('graph-store') / 'store'}"
    ingest(EXAMPLES / "valid", spec)
    return spec


@pytest.fixture(scope="session")
def server(example_store: str) -> Iterator[Server]:
    """A real uvicorn server on 127.0.0.1 answering from the example store."""
    with serving(Settings(store=example_store)) as s:
        yield s
