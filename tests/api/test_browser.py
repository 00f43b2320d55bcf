"""GraphiQL in a real browser with no internet: Debian's Chromium, driven by Playwright, opens
`/graphql` of a live server, every request it makes goes to that server, and a query typed and
run shows its answer. A screenshot is kept in `var/screenshots/` as a test artifact."""

from __future__ import annotations

import pytest

from tests.api._browser import NEEDS_CHROMIUM, visit
from tests.api._server import Server

pytestmark = NEEDS_CHROMIUM
pytest.importorskip("playwright.sync_api", reason="needs playwright (pip: .[test])")


def test_graphiql_runs_a_query_offline(browser: object, server: Server) -> None:
    with visit(browser, server.url) as seen:
        page = seen.page
        page.goto(server.graphql, wait_until="networkidle")
        page.wait_for_selector(
            ".graphiql-query-editor .cm-editor, .graphiql-query-editor .CodeMirror"
        )
        seen.check_offline()

        editor = page.locator(".graphiql-query-editor .CodeMirror").first
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Delete")
        page.keyboard.type('{ entity(id: "ex-accelerator") { name layer } }')
        page.keyboard.press("Control+Enter")
        result = page.locator(".result-window")
        result.get_by_text('"name": "Example Accelerator X1"').wait_for(timeout=15_000)
        assert '"layer": "compute"' in result.inner_text()
        seen.shot("graphiql")
