"""`stackgraph serve --workers N`: workers forked from one supervisor, one projection file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api._server import ingest, rename_and_ingest
from tests.conftest import ROOT, free_port, run_cli

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


def _workers(pid: int) -> set[int]:
    return {
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    }


def _mapped_versions(pid: int) -> set[str]:
    """The projection versions (folders beside the store) process `pid` has mapped."""
    found = set()
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)
        parts = Path(fields[5]).parts if len(fields) == 6 else ()
        found |= {parts[i + 1] for i, p in enumerate(parts[:-1]) if p.endswith(".projections")}
    return found


def _versions(url: str, connections: int) -> set[str]:
    """The version `/readyz` reports on each of `connections` new connections."""
    seen = set()
    for _ in range(connections):
        with httpx.Client(timeout=30) as client:  # a new connection: any worker may take it
            seen.add(client.get(url + "/readyz").json()["version"])
    return seen


def _until(check: object, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.fixture
def supervised(dataset: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """`stackgraph serve --workers 2` over an on-disk store of the example data."""
    spec = f"oxigraph:{tmp_path / 'store'}"
    ingest(dataset, spec)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STACKGRAPH_")}
    env["STACKGRAPH_RESPONSE_CACHE_SIZE"] = "0"
    command = [sys.executable, "-m", "stackgraph.cli", "serve", "--store", spec, "--port"]
    proc = subprocess.Popen(
        [*command, str(port), "--workers", "2", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            return httpx.get(url + "/readyz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    try:
        _until(ready, "the server did not become ready")
        _until(lambda: len(_workers(proc.pid)) == 2, "two workers were not started")
        yield proc, url, spec
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def test_workers_map_one_file_and_follow_an_ingest(
    supervised: tuple[subprocess.Popen[str], str, str], dataset: Path
) -> None:
    proc, url, spec = supervised
    workers = _workers(proc.pid)
    for pid in workers:  # each has mapped the version once it answered
        _until(lambda pid=pid: _mapped_versions(pid), f"worker {pid} maps no projection file")
    mapped = {pid: _mapped_versions(pid) for pid in workers}
    assert len(set().union(*mapped.values())) == 1, mapped  # one file, mapped by both
    assert not _mapped_versions(proc.pid), "the supervisor holds no version of the graph"
    (old,) = _versions(url, 1)

    rename_and_ingest(dataset, spec, "Renamed Accelerator")
    _until(lambda: old not in _versions(url, 12), "a worker kept serving the old version", 90)
    (new,) = _versions(url, 12)
    assert new != old


def test_a_dead_worker_is_replaced_and_sigterm_stops_all(
    supervised: tuple[subprocess.Popen[str], str, str],
) -> None:
    proc, url, _ = supervised
    first = _workers(proc.pid)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    _until(
        lambda: len(now := _workers(proc.pid)) == 2 and victim not in now,
        "the supervisor did not start a worker in place of the one killed",
    )
    _until(lambda: httpx.get(url + "/readyz", timeout=5).status_code == 200, "not ready")
    assert proc.poll() is None

    workers = _workers(proc.pid)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert proc.stderr is not None
    assert "exited (killed by SIGKILL); starting another" in proc.stderr.read()
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_workers_without_a_store_exit_75_in_one_line(tmp_path: Path) -> None:
    """The check that the store opens runs before any worker: one line, the code to retry."""
    result = run_cli(
        "serve", "--store", f"oxigraph:{tmp_path / 'none'}", "--port", str(free_port()),
        "--workers", "2",
    )  # fmt: skip
    assert result.code == 75, result.stderr
    assert result.stderr.startswith("error: there is no store at "), result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


def test_workers_must_be_one_or_more() -> None:
    result = run_cli("serve", "--workers", "0", "--port", str(free_port()))
    assert result.code == 2
    assert "--workers: expected a whole number of 1 or more, got '0'" in result.stderr
