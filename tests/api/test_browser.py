"""GraphiQL in a real browser with no internet: Debian's Chromium, driven by Playwright, opens
`/graphql` of a live server, every request it makes goes to that server, and a query typed and
run shows its answer. A screenshot is kept in `var/screenshots/` as a test artifact."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.api._server import Server
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("STACKGRAPH_REQUIRE_BROWSER"):
    raise RuntimeError("STACKGRAPH_REQUIRE_BROWSER is set but there is no chromium on PATH")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium (Debian: apt-get install chromium)"
)
playwright = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip: .[test])")
SHOTS = ROOT / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            # No name resolves but the loopback: a page that reached for the internet would fail.
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


def test_graphiql_runs_a_query_offline(browser: object, server: Server) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.graphql, wait_until="networkidle")
    page.wait_for_selector(".graphiql-query-editor .cm-editor, .graphiql-query-editor .CodeMirror")
    here = urlsplit(server.url).netloc
    assert requested and all(urlsplit(u).netloc == here for u in requested), requested
    assert failed == [] and errors == [], (failed, errors)

    editor = page.locator(".graphiql-query-editor .CodeMirror").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type('{ entity(id: "ex-accelerator") { name layer } }')
    page.keyboard.press("Control+Enter")
    result = page.locator(".result-window")
    result.get_by_text('"name": "Example Accelerator X1"').wait_for(timeout=15_000)
    assert '"layer": "compute"' in result.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "graphiql.png"))
    page.close()
    assert all(urlsplit(u).netloc == here for u in requested), requested
