"""Shared by the browser tests: Debian's Chromium, launched so that no name but the loopback
resolves, and a page that records every request it makes.

The tests skip, saying why, without Chromium or Playwright, unless STACKGRAPH_REQUIRE_BROWSER is
set (as `.ci/run` does): then a missing browser is an error.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT

__all__ = ["CHROMIUM", "NEEDS_CHROMIUM", "SHOTS", "Visit", "launch", "visit"]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("STACKGRAPH_REQUIRE_BROWSER"):
    raise RuntimeError("STACKGRAPH_REQUIRE_BROWSER is set but there is no chromium on PATH")
NEEDS_CHROMIUM = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium (Debian: apt-get install chromium)"
)
SHOTS = ROOT / "var" / "screenshots"
"""Where the browser tests keep their screenshots (test artifacts)."""


@contextmanager
def launch() -> Iterator[Any]:
    """Chromium under Playwright, with every host but 127.0.0.1 unresolvable: a page that reached
    for the internet would fail (and `Visit.check_offline` would name the request)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visit:
    """A page of one test and what it did: the URLs it requested, those that failed, and the
    script errors it raised."""

    page: Any
    base: str
    requested: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check_offline(self) -> None:
        """Every request went to the server under test; none failed; no script error."""
        here = urlsplit(self.base).netloc
        assert self.requested, "the page made no request"
        away = [u for u in self.requested if urlsplit(u).netloc != here]
        assert away == [], f"requests left {here}: {away}"
        assert self.failed == [] and self.errors == [], (self.failed, self.errors)

    def shot(self, name: str, full_page: bool = False) -> None:
        """Keep a screenshot as `var/screenshots/{name}.png`."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


@contextmanager
def visit(browser: Any, base: str, width: int = 1280, height: int = 800) -> Iterator[Visit]:
    """A fresh page of `width` x `height` CSS pixels that records what it does; on leaving the
    block it checks that nothing left the loopback, and closes."""
    page = browser.new_page(viewport={"width": width, "height": height})
    seen = Visit(page, base)
    page.on("request", lambda r: seen.requested.append(r.url))
    page.on("requestfailed", lambda r: seen.failed.append(f"{r.url} ({r.failure})"))
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    try:
        yield seen
        seen.check_offline()
    finally:
        page.close()
