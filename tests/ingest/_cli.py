"""Helpers of the ingest tests: the JSON summary, an export, and an ingest left running."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import EXAMPLES, ROOT, run_cli


def summary(stdout: str) -> dict[str, Any]:
    """The JSON summary: the last line on stdout."""
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return result


def export_nt(store_spec: str, *extra: str) -> str:
    """The store as N-Triples, through `stackgraph export`."""
    result = run_cli("export", "--store", store_spec, "--format", "nt", *extra)
    assert result.code == 0, result.stderr
    return result.stdout


def big_source(path: Path, triples: int, tag: str) -> None:
    """An N-Triples file of `triples` untyped triples, their objects tagged."""
    with open(path, "w") as handle:
        for i in range(triples):
            handle.write(
                f'<https://example.org/{tag}/{i}> <https://example.org/p> "value {i} {tag}" .\n'
            )


def start_ingest(source: Path, store_spec: str) -> subprocess.Popen[str]:
    """`stackgraph -v ingest` in the background, its log lines on a pipe."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stackgraph.cli",
            "-v",
            "ingest",
            str(source),
            "--store",
            store_spec,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(proc: subprocess.Popen[str], needle: str, timeout: float = 120) -> None:
    """Read the process's stderr until a line holds `needle`."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if needle in line:
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"ingest ended before {needle!r}: {proc.returncode}")
    raise AssertionError(f"no {needle!r} within {timeout} s")


@dataclass(frozen=True)
class Ingested:
    """The example data ingested once: its folder, the store's folder and the store's triples.

    A test that ingests a mistake beside the data writes into a copy of the store (`copy`) and
    adds its file to `sources` only for the run (`adding`), so every test starts from the same
    state without paying for the first ingest and export again.
    """

    sources: Path
    store: Path
    triples: list[str]

    def copy(self, target: Path) -> str:
        """A copy of the store at `target`; its spec."""
        shutil.copytree(self.store, target)
        return f"oxigraph:{target}"

    @contextmanager
    def adding(self, name: str, content: bytes) -> Iterator[Path]:
        """`sources` with one more file, `name`, for the duration of the block."""
        path = self.sources / name
        assert not path.exists(), f"{name} would replace a file of the data"
        path.write_bytes(content)
        try:
            yield path
        finally:
            path.unlink()


def ingest_examples(folder: Path) -> Ingested:
    """Copy the valid examples into `folder` and ingest them into a store beside them."""
    sources, store = folder / "sources", folder / "store"
    shutil.copytree(EXAMPLES / "valid", sources)
    result = run_cli("ingest", str(sources), "--store", f"oxigraph:{store}")
    assert result.code == 0, result.stderr
    return Ingested(
        sources, store, sorted(export_nt(f"oxigraph:{store}", "--with-meta").splitlines())
    )
