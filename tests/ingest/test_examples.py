"""Valid example records ingest; each invalid one fails with a precise message and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_cli
from tests.ingest._cli import Ingested, export_nt, ingest_examples

INVALID = sorted(p for p in (EXAMPLES / "invalid").iterdir() if p.suffix != ".expect")


def expectations(path: Path) -> dict[str, str]:
    """The `# key: value` lines at the top of an example (or of its .expect sidecar)."""
    sidecar = path.with_name(path.name + ".expect")
    text = (sidecar if sidecar.exists() else path).read_bytes().decode("utf-8", "replace")
    out = {}
    for line in text.splitlines():
        if not line.startswith("# ") or ":" not in line:
            break
        key, value = line[2:].split(":", 1)
        out[key.strip()] = value.strip()
    return out


def test_valid_examples_ingest(dataset: Path, store_spec: str) -> None:
    result = run_cli("ingest", str(dataset), "--store", store_spec)
    assert result.code == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["outcome"] == "changed"
    assert {s["outcome"] for s in summary["sources"]} == {"changed"}
    assert all(s["triples"] > 0 for s in summary["sources"])


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    return ingest_examples(tmp_path_factory.mktemp("examples"))


@pytest.mark.parametrize("example", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example_is_refused(example: Path, ingested: Ingested, tmp_path: Path) -> None:
    store_spec = ingested.copy(tmp_path / "store")
    with ingested.adding(example.name, example.read_bytes()):
        result = run_cli("ingest", str(ingested.sources), "--store", store_spec)

    expect = expectations(example)
    assert result.code == 1, result.stderr
    assert expect["expect"] in result.stderr
    assert example.name in result.stderr or "SHACL" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["outcome"] == "invalid"
    if "line" in expect:
        assert any(
            p["line"] == int(expect["line"]) and p["file"].endswith(example.name)
            for p in summary["problems"]
        ), summary["problems"]
    if "field" in expect:
        assert any(p["field"] == expect["field"] for p in summary["problems"]), summary["problems"]
    after = export_nt(store_spec, "--with-meta")
    assert sorted(after.splitlines()) == ingested.triples
