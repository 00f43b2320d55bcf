"""`Transport`: the remote client's GraphQL over HTTP, with complete pages from one version."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from stackgraph.api.settings import Settings
from stackgraph.graph import StoreUnavailableError, UnknownEntityError
from stackgraph.remote import RemoteKnowledgeGraph
from stackgraph.transport import RemoteError, Transport
from tests.api._server import Server, ingest, rename_and_ingest, serving, wait_for_version
from tests.conftest import EXAMPLES, free_port


def test_an_empty_page_size_is_refused(server: Server) -> None:
    with pytest.raises(ValueError, match="page_size"):
        RemoteKnowledgeGraph(server.graphql, page_size=0)


def test_server_errors_become_ours(server: Server) -> None:
    transport = Transport(server.graphql)
    try:
        with pytest.raises(RemoteError, match="nothing"):
            transport.query('{ entity(id: "ex-rack") { nothing } }')
        with pytest.raises(UnknownEntityError):
            transport.query('{ entity(id: "ex-nothing") { id } }')
        with pytest.raises(ValueError, match="first"):
            transport.query('{ search(text: "", first: -1) { totalCount } }')
    finally:
        transport.close()


def test_no_server_is_a_store_unavailable(tmp_path: Path) -> None:
    transport = Transport(f"http://127.0.0.1:{free_port()}/graphql", timeout=2)
    try:
        with pytest.raises(StoreUnavailableError, match="cannot reach"):
            transport.query("{ __typename }")
    finally:
        transport.close()


@pytest.mark.slow
def test_a_listing_restarts_when_the_graph_changes_between_pages(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(EXAMPLES / "valid", sources)
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(sources, spec)
    with serving(Settings(store=spec, reload_interval_s=0.1)) as live:

        class IngestAfterFirstPage(Transport):
            """A transport during whose listing a scheduled ingest lands (a real one)."""

            calls = 0

            def query(self, query: str, variables: Any = None) -> dict[str, Any]:
                answer = super().query(query, variables)
                self.calls += 1
                if self.calls == 1:
                    old = live.query("{ graphInfo { version } }")["graphInfo"]["version"]
                    rename_and_ingest(sources, spec, "Example Accelerator X2")
                    wait_for_version(live, old)
                return answer

        with RemoteKnowledgeGraph(live.graphql) as remote:
            remote._transport.close()
            transport = remote._transport = IngestAfterFirstPage(live.graphql, page_size=4)
            table = remote.search("")
    names = {r["name"] for r in table}
    assert transport.calls > 2  # the first listing was abandoned and started again
    assert "Example Accelerator X2" in names and "Example Accelerator X1" not in names
    assert len(table) == table.summary["total"] == len({r["id"] for r in table})
