"""Cursors carry their graph version: one of another version, or of the old format, is stale."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from stackgraph.api.settings import Settings
from tests.api._server import Server, ingest, rename_and_ingest, serving, wait_for_version


@pytest.mark.slow
def test_a_cursor_of_an_older_version_is_refused(reload_sources: Path, tmp_path: Path) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(reload_sources, spec)
    page = "{ graphInfo { version } search(first: 3) { pageInfo { endCursor } } }"
    with serving(Settings(store=spec, reload_interval_s=0.1)) as live:
        first = live.query(page)
        cursor = first["search"]["pageInfo"]["endCursor"]
        rename_and_ingest(reload_sources, spec, "Example Accelerator X2")
        version = wait_for_version(live, first["graphInfo"]["version"])
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
