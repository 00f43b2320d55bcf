"""The explorer at `/`: its page weight, and the time to a first answer in Chromium.

Usage::

    python bench/explorer.py              # bundled data, 10 visits of each kind
    python bench/explorer.py --runs 20 --json
    python bench/explorer.py --screenshot docs/explorer.png   # the README's picture, too

Starts `stackgraph serve` on the bundled data (ingested into a temporary store) and measures:

- **page weight**: the bytes of `/` and of every file it names, as served (the server does not
  compress) and gzipped (level 6, what a compressing proxy would send);
- **time to first answer**, in Debian's Chromium under Playwright, each visit in a fresh
  browser context (an empty cache): from the start of navigation to the first search suggestion
  drawn (typing "cowos" as soon as the search box exists, even before the script runs; suggestions
  wait 150 ms after the last keystroke), and to an entity page drawn (`/#/entity/cowos-l`). Times come from the page's own
  clock (`performance.now()`, read by a MutationObserver when the element appears). The first
  visit of each kind meets the server's response cache cold; the median and worst are over all.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.load import _free_port, _ingest_bundled, start_server

__all__ = ["SCREENSHOT", "first_answers", "main", "page_weight", "screenshot"]

SCREENSHOT = "/#/scenario/cowos-l=0.5,sk-hynix-hbm3e=0"
_REFERENCE = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="(/[^"]+)"[^>]*>')

# Records, on the page's clock, when the first suggestion and the first entity page appear.
_MARKS = """
window.__marks = {};
new MutationObserver(() => {
  const m = window.__marks;
  if (!m.option && document.querySelector('#search-options [role=option]')) m.option = performance.now();
  if (!m.entity && document.querySelector('#view h1 + p.lede .tag')) m.entity = performance.now();
}).observe(document, { childList: true, subtree: true });
"""


def page_weight(base: str) -> dict[str, dict[str, int]]:
    """Raw and gzipped bytes of `/` and of each file it names, and their total."""
    weights: dict[str, dict[str, int]] = {}
    with httpx.Client(timeout=30) as client:
        page = client.get(base + "/")
        page.raise_for_status()
        bodies = {"/": page.content}
        for url in _REFERENCE.findall(page.text):
            asset = client.get(base + url)
            asset.raise_for_status()
            bodies[url] = asset.content
    for url, body in bodies.items():
        weights[url] = {"raw": len(body), "gzip": len(gzip.compress(body, 6))}
    weights["total"] = {k: sum(w[k] for w in weights.values()) for k in ("raw", "gzip")}
    return weights


def _visit(browser: Any, url: str, type_search: bool) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.add_init_script(_MARKS)
        page.goto(url, wait_until="commit")
        if type_search:
            search = page.locator("#search")
            search.wait_for()
            search.press_sequentially("cowos")
            page.wait_for_function("window.__marks.option", timeout=30_000)
        else:
            page.wait_for_function("window.__marks.entity", timeout=30_000)
        marks: dict[str, float] = page.evaluate("window.__marks")
        timing = page.evaluate(
            "(() => { const t = performance.getEntriesByType('navigation')[0];"
            " return { domContentLoaded: t.domContentLoadedEventEnd, load: t.loadEventEnd }; })()"
        )
        return {**marks, **timing}
    finally:
        context.close()


def first_answers(base: str, runs: int) -> dict[str, list[dict[str, float]]]:
    """`runs` cold visits to the search and to an entity page, each in a fresh context."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            search = [_visit(browser, base + "/", True) for _ in range(runs)]
            entity = [_visit(browser, base + "/#/entity/cowos-l", False) for _ in range(runs)]
        finally:
            browser.close()
    return {"search": search, "entity": entity}


def screenshot(base: str, path: Path) -> None:
    """The README's picture: CoWoS-L halves and SK hynix HBM3E stops, in the scenario panel at
    1280 x 800 (the README's GraphQL example)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(base + SCREENSHOT)
            page.locator("h2", has_text="is at 0%").wait_for(timeout=30_000)
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path))
        finally:
            browser.close()


def _summary(visits: list[dict[str, float]], key: str) -> str:
    values = [v[key] for v in visits]
    return (
        f"first {values[0]:.0f} ms, median {statistics.median(values):.0f} ms, "
        f"worst {max(values):.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the measures and print them; 0 when done."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="visits of each kind")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--screenshot", type=Path, help=f"also save {SCREENSHOT} as this PNG")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be positive")
    with tempfile.TemporaryDirectory(prefix="stackgraph-explorer-") as tmp:
        store = _ingest_bundled(Path(tmp))
        port = _free_port()
        server = start_server(store, port)
        try:
            base = f"http://127.0.0.1:{port}"
            weights = page_weight(base)
            answers = first_answers(base, args.runs)
            if args.screenshot:
                screenshot(base, args.screenshot)
        finally:
            server.terminate()
            server.wait(timeout=15)
    print("| file | bytes | gzip |\n|---|---:|---:|")
    for url, w in weights.items():
        print(f"| `{url}` | {w['raw']:,} | {w['gzip']:,} |")
    print(f"\n{args.runs} cold visits of each kind (a fresh browser context each):")
    print(f"- first suggestion, from navigation: {_summary(answers['search'], 'option')}")
    print(f"  - script run (DOMContentLoaded): {_summary(answers['search'], 'domContentLoaded')}")
    print(f"- entity page drawn, from navigation: {_summary(answers['entity'], 'entity')}")
    print(f"  - script run (DOMContentLoaded): {_summary(answers['entity'], 'domContentLoaded')}")
    if args.json:
        print(json.dumps({"weights": weights, "answers": answers}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
