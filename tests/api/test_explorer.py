"""The explorer at `/` over plain HTTP: the page names only files this server ships, each served
with its content type and the same validators (ETag, Last-Modified) as GraphiQL's files, and
the layers in the schema's order."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from stackgraph.api.assets import integrity
from stackgraph.api.explorer import explorer_page
from stackgraph.graph.palette import LAYER_COLOURS
from stackgraph.graph.vocabulary import LAYERS
from tests.api._server import Server
from tests.conftest import ROOT

_REFERENCE = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"[^>]*>')
_TYPES = {".js": "text/javascript", ".css": "text/css"}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as c:
        yield c


def test_the_page_is_html_revalidated_on_each_visit(server: Server, client: httpx.Client) -> None:
    page = client.get(server.url + "/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    again = client.get(server.url + "/", headers={"if-none-match": page.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.head(server.url + "/").status_code == 200
    assert client.post(server.url + "/").status_code == 405


def test_the_page_loads_only_what_this_server_ships(server: Server, client: httpx.Client) -> None:
    page = client.get(server.url + "/").text
    urls = [u for u in _REFERENCE.findall(page) if not u.startswith("data:")]
    assert sorted(urls) == ["/static/explorer.css", "/static/explorer.js"]
    for url in urls:
        asset = client.get(server.url + url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].startswith(_TYPES[url[url.rindex(".") :]]), url
        sri = re.search(rf'"{re.escape(url)}" integrity="([^"]+)"', page)
        assert sri is not None and integrity(asset.content) == sri.group(1), url
        text = asset.text
        # nothing fetched from elsewhere: no absolute URL but the SVG namespace, no imports
        assert re.findall(r"https?://[^\s\"'`]+", text) in ([], ["http://www.w3.org/2000/svg"])
        assert "@import" not in text and "url(" not in text and "import " not in text
    assert "https://" not in page and "http://" not in page


def test_its_files_are_cached_like_graphiqls(server: Server, client: httpx.Client) -> None:
    validators = ("etag", "last-modified")
    for url in ("/static/explorer.js", "/static/explorer.css", "/static/vendor/graphiql.min.js"):
        asset = client.get(server.url + url)
        assert all(v in asset.headers for v in validators), (url, asset.headers)
        again = client.get(server.url + url, headers={"if-none-match": asset.headers["etag"]})
        assert again.status_code == 304, url


def test_the_page_carries_the_schemas_layers_in_stack_order_and_their_colours() -> None:
    page, _ = explorer_page()
    found = re.search(r'<script type="application/json" id="layers">(.*?)</script>', page)
    assert found is not None and json.loads(found.group(1)) == list(LAYERS)
    for layer, colour in LAYER_COLOURS.items():
        assert f".l-{layer} {{ --lc: {colour}; }}" in page


def test_graphiql_is_linked_from_the_page(server: Server, client: httpx.Client) -> None:
    page = client.get(server.url + "/").text
    assert 'href="/graphql"' in page and 'href="#main"' in page  # and a skip link


def test_the_readmes_first_screen_shows_the_explorer() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    picture = ROOT / "docs" / "explorer.png"
    assert readme.index("(docs/explorer.png)") < readme.index("## Set up")
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size < 200_000
