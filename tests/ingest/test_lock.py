"""The ingest lock: a second run on the same store is told to retry later (exit code 75)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from stackgraph.graph.errors import StoreBusyError
from stackgraph.graph.store import lock_path
from stackgraph.ingest.lock import lock
from tests.conftest import run_cli
from tests.ingest._cli import big_source, start_ingest, summary, wait_for


def test_lock_is_exclusive_and_released(store_spec: str) -> None:
    with lock(store_spec):
        assert lock_path(store_spec).read_text() == f"{os.getpid()}\n"
        with pytest.raises(StoreBusyError, match="retry later"), lock(store_spec):
            pass
    with lock(store_spec):
        pass


def test_locks_of_two_stores_are_independent(tmp_path: Path) -> None:
    with lock(f"oxigraph:{tmp_path / 'a'}"), lock(f"oxigraph:{tmp_path / 'b'}"):
        pass


def test_held_lock_exits_75(dataset: Path, store_spec: str) -> None:
    path = lock_path(store_spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = run_cli("ingest", str(dataset), "--store", store_spec)
    assert result.code == 75
    assert "retry later" in result.stderr
    # the scheduler's line too (the JSON line of every exit: tests/ingest/test_exits.py)
    line = summary(result.stdout)
    assert line == {"outcome": "busy", "error": line["error"], "store": store_spec}
    assert "retry later" in line["error"]


@pytest.mark.slow
def test_second_concurrent_ingest_exits_75(tmp_path: Path, store_spec: str) -> None:
    source = tmp_path / "big.nt"
    big_source(source, 100_000, "a")
    first = start_ingest(source, store_spec)
    try:
        wait_for(first, "read 1 source file")
        second = run_cli("ingest", str(source), "--store", store_spec)
        assert second.code == 75
        assert "retry later" in second.stderr
    finally:
        first.communicate(timeout=300)
    assert first.returncode == 0
