"""A real server for tests: `create_app(settings)` under `uvicorn.Server` in a thread.

Tests talk to it over HTTP with the `gql` client (and plain httpx for what is not GraphQL).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from gql import Client, GraphQLRequest
from gql.transport.httpx import HTTPXTransport

from stackgraph.api.app import create_app
from stackgraph.api.settings import Settings
from tests.conftest import free_port, run_cli


@dataclass
class Server:
    """A running server: its base URL and the settings it was built with."""

    url: str
    settings: Settings

    @property
    def graphql(self) -> str:
        return self.url + "/graphql"

    def query(self, document: str, /, **variables: Any) -> dict[str, Any]:
        """Run one query with the gql client; errors raise `TransportQueryError`."""
        transport = HTTPXTransport(url=self.graphql, timeout=30)
        with Client(transport=transport) as session:
            result: dict[str, Any] = session.execute(
                GraphQLRequest(document, variable_values=variables or None)
            )
        return result

    def post(self, body: Any, **kwargs: Any) -> httpx.Response:
        """POST a raw body (for what gql cannot send: syntax errors, batches, huge bodies)."""
        with httpx.Client(timeout=30) as client:
            if isinstance(body, bytes | str):
                return client.post(
                    self.graphql,
                    content=body,
                    headers={"content-type": "application/json"},
                    **kwargs,
                )
            return client.post(self.graphql, json=body, **kwargs)


def ingest(sources: Path, spec: str) -> None:
    """Ingest `sources` into the store `spec` with the real command."""
    result = run_cli("ingest", str(sources), "--store", spec, "-q")
    assert result.code == 0, result.stderr


@contextlib.contextmanager
def serving(settings: Settings) -> Iterator[Server]:
    """Run `create_app(settings)` under uvicorn on a free port until the block ends."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield Server(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def rename_and_ingest(sources: Path, spec: str, name: str) -> None:
    """Rename the example accelerator in `sources` to `name` and ingest them into `spec`."""
    chain = sources / "chain.yaml"
    text = chain.read_text(encoding="utf-8")
    chain.write_text(
        text.replace("name: Example Accelerator X1", f"name: {name}"), encoding="utf-8"
    )
    ingest(sources, spec)


def wait_for_version(live: Server, old: str) -> str:
    """Wait until `live` serves a version other than `old` (at most 15 s); return it."""
    deadline = time.monotonic() + 15
    while (version := live.query("{ graphInfo { version } }")["graphInfo"]["version"]) == old:
        assert time.monotonic() < deadline, "the server kept serving the old version"
        time.sleep(0.1)
    return str(version)
