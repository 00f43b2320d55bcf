"""GraphiQL works with no internet: its page names only files this server ships, each served with
the bytes its integrity hash names, pinned to the versions of `web/package-lock.json`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import httpx

from stackgraph.api.assets import FILES, VENDOR, check, integrity, manifest
from tests.api._server import Server
from tests.conftest import ROOT

_REFERENCE = re.compile(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"[^>]*>')


def test_the_page_loads_only_what_this_server_ships(server: Server) -> None:
    with httpx.Client(timeout=30) as client:
        page = client.get(server.graphql, headers={"accept": "text/html"})
        assert page.status_code == 200, page.text[:300]
        tags = _REFERENCE.findall(page.text)
        assert len(tags) == len(FILES) + 1  # the vendored files and our own script
        for url in tags:
            assert url.startswith("/static/") and "//" not in url, url
            asset = client.get(server.url + url)
            assert asset.status_code == 200, url
            kind = "text/css" if url.endswith(".css") else "javascript"
            assert kind in asset.headers["content-type"], (url, asset.headers["content-type"])
            sri = re.search(rf'"{re.escape(url)}" integrity="([^"]+)"', page.text)
            if sri is not None:  # every vendored file; our own script is not hashed
                assert integrity(asset.content) == sri.group(1), url
    assert "https://" not in page.text and "http://" not in page.text


def test_the_vendored_files_are_the_pinned_ones() -> None:
    assert check() == []
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text(encoding="utf-8"))
    for name, entry in manifest().items():
        locked = lock["packages"][f"node_modules/{entry['package']}"]
        assert locked["version"] == entry["version"], name
        assert entry["license"] == "MIT", name


def test_a_changed_vendored_file_is_caught(tmp_path: Path) -> None:
    folder = tmp_path / "vendor"
    shutil.copytree(VENDOR, folder)
    (folder / "react.production.min.js").write_bytes(b"/* not react */")
    assert check(folder) == [
        "react.production.min.js: differs from react@18.2.0/umd/react.production.min.js in"
        " MANIFEST.json"
    ]
