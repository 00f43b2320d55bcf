"""Browser assets the API serves itself, so that its pages work with no internet (air-gapped).

Third-party files (GraphiQL and React) are pinned in `web/package-lock.json` and copied from
the npm registry into `api/static/vendor/` by `make vendor`, which runs::

    cd web && npm ci --ignore-scripts && cd .. && python -m stackgraph.api.assets vendor web/node_modules

`vendor` writes `MANIFEST.json` beside the files (package, version, license and a SHA-384 of each
file); the pages cite each file with that hash as its subresource integrity, and
`python -m stackgraph.api.assets check` (run by the tests) verifies the files against it. Nothing is fetched
at run time.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import shutil
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "FILES",
    "PAGES",
    "STATIC",
    "VENDOR",
    "Vendored",
    "check",
    "graphiql_page",
    "integrity",
    "manifest",
    "vendor",
]

STATIC = Path(__file__).resolve().parent / "static"
"""Served under `/static/`."""
VENDOR = STATIC / "vendor"


@dataclass(frozen=True)
class Vendored:
    """One file of one npm package, served as `/static/vendor/{name}`."""

    package: str
    path: str
    name: str


FILES = (
    Vendored("react", "umd/react.production.min.js", "react.production.min.js"),
    Vendored("react-dom", "umd/react-dom.production.min.js", "react-dom.production.min.js"),
    Vendored("graphiql", "graphiql.min.js", "graphiql.min.js"),
    Vendored("graphiql", "graphiql.min.css", "graphiql.min.css"),
)


PAGES = ("graphiql.html", "graphiql.js", "explorer.html", "explorer.css", "explorer.js")
"""This package's own page files in `STATIC` (the explorer at `/` and GraphiQL's start)."""


def integrity(data: bytes) -> str:
    """The subresource-integrity value of `data` (SHA-384, base64).

    >>> integrity(b"")
    'sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb'
    """
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def vendor(node_modules: Path, target: Path = VENDOR) -> dict[str, dict[str, str]]:
    """Copy `FILES` and their packages' licenses from `node_modules` into `target`, and write
    `MANIFEST.json`; returns the manifest."""
    target.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, str]] = {}
    for f in FILES:
        package = node_modules / f.package
        meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
        data = (package / f.path).read_bytes()
        (target / f.name).write_bytes(data)
        for licence in package.glob("LICEN[CS]E*"):
            shutil.copyfile(licence, target / f"{f.package}.LICENSE")
        manifest[f.name] = {
            "package": f.package,
            "version": meta["version"],
            "license": meta.get("license", ""),
            "from": f"{f.package}@{meta['version']}/{f.path}",
            "integrity": integrity(data),
        }
    (target / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (target / "THIRD_PARTY.txt").write_text(_third_party(node_modules), encoding="utf-8")
    return manifest


def _third_party(node_modules: Path) -> str:
    """Every installed package (the bundles include their dependencies) with its license."""
    lines = ["Packages in web/package-lock.json whose code the vendored bundles may include:", ""]
    for meta_path in sorted(node_modules.glob("**/package.json")):
        parts = meta_path.relative_to(node_modules).parts
        depth = 2 if parts[0].startswith("@") else 1
        if len(parts) != depth + 1:
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        lines.append(f"{meta.get('name')} {meta.get('version')}  {meta.get('license', '?')}")
    return "\n".join(lines) + "\n"


def manifest(folder: Path = VENDOR) -> dict[str, dict[str, str]]:
    """The manifest the vendored files were written with."""
    found: dict[str, dict[str, str]] = json.loads(
        (folder / "MANIFEST.json").read_text(encoding="utf-8")
    )
    return found


def check(folder: Path = VENDOR, static: Path = STATIC) -> list[str]:
    """What is wrong with the pages' files: one of `PAGES` missing from `static`, or a vendored
    file in `folder` missing or not the bytes the manifest names."""
    problems = [f"{name}: missing from {static}" for name in PAGES if not (static / name).is_file()]
    listed = manifest(folder)
    for f in FILES:
        entry = listed.get(f.name)
        path = folder / f.name
        if entry is None or not path.is_file():
            problems.append(f"{f.name}: missing; run `make vendor`")
        elif integrity(path.read_bytes()) != entry["integrity"]:
            problems.append(f"{f.name}: differs from {entry['from']} in MANIFEST.json")
    return problems


@cache
def graphiql_page() -> str:
    """GraphiQL's page, every asset from `/static/` with its integrity."""
    listed = manifest()

    def tag(name: str) -> str:
        url = f"/static/vendor/{name}"
        sri = html.escape(listed[name]["integrity"])
        if name.endswith(".css"):
            return f'<link rel="stylesheet" href="{url}" integrity="{sri}">'
        return f'<script src="{url}" integrity="{sri}"></script>'

    return (
        (STATIC / "graphiql.html")
        .read_text(encoding="utf-8")
        .format(
            css=tag("graphiql.min.css"),
            scripts="\n".join(
                tag(n)
                for n in (
                    "react.production.min.js",
                    "react-dom.production.min.js",
                    "graphiql.min.js",
                )
            ),
        )
    )


def _main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "vendor":
        for name, entry in vendor(Path(argv[1])).items():
            print(f"{name}  {entry['from']}  {entry['integrity']}")
        return 0
    if argv == ["check"]:
        problems = check()
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    print("usage: python -m stackgraph.api.assets vendor NODE_MODULES | check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
