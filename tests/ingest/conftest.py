"""Fixtures of the ingest tests: the example data ingested, and a copy of the ETO fixture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_cli


@pytest.fixture
def ingested(dataset: Path, store_spec: str) -> str:
    """The store spec of an on-disk store that holds the example dataset, ingested by the CLI."""
    result = run_cli("ingest", str(dataset), "--store", store_spec)
    assert result.code == 0, result.stderr
    return store_spec


@pytest.fixture
def eto(tmp_path: Path) -> Path:
    """A copy of the small ETO fixture folder, written in the dataset's format."""
    target = tmp_path / "eto-download"
    shutil.copytree(EXAMPLES / "eto", target)
    return target
