"""Valid example records ingest; each invalid one fails with a precise message and writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_cli

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


@pytest.mark.parametrize("example", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example_is_refused(example: Path, dataset: Path, store_spec: str) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    before = run_cli("export", "--store", store_spec, "--format", "nt", "--with-meta").stdout
    bad = dataset / example.name
    shutil.copy(example, bad)

    result = run_cli("ingest", str(dataset), "--store", store_spec)

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
    after = run_cli("export", "--store", store_spec, "--format", "nt", "--with-meta").stdout
    assert after == before
