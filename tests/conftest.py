"""Shared fixtures: a small valid dataset, a CLI runner, two real SPARQL servers (`oxigraph
serve` and Virtuoso), and a real uvicorn server over the example data."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest

if TYPE_CHECKING:
    from stackgraph import KnowledgeGraph
    from tests.api._server import Server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(__file__).resolve().parent / "examples"


T = TypeVar("T")


def run_async(fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    """`anyio.run(fn, *args)` on a thread of its own: a browser test earlier in the same test
    process leaves Playwright's event loop running on the main thread."""
    import anyio

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, fn, *args).result()


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 180
) -> Result:
    """Run the real `stackgraph` command in a subprocess."""
    full_env = {k: v for k, v in os.environ.items() if k != "STACKGRAPH_STORE"}
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "stackgraph.cli", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A copy of the small valid example dataset in its own folder."""
    target = tmp_path / "sources"
    shutil.copytree(EXAMPLES / "valid", target)
    return target


@pytest.fixture
def store_spec(tmp_path: Path) -> str:
    return f"oxigraph:{tmp_path / 'store'}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered at {url} within {timeout} s")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `oxigraph serve` on 127.0.0.1 (from the `oxigraph` package); yields its base URL."""
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if binary is None:
        pytest.fail("the `oxigraph` server is not installed: pip install oxigraph")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/query?query=ASK%7B%7D")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Virtuoso Open Source (``tests/_virtuoso.py``); yields its SPARQL endpoint. Skipped
    when it is not installed, unless ``STACKGRAPH_REQUIRE_VIRTUOSO=1``."""
    from tests._virtuoso import virtuoso

    with virtuoso(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port()) as url:
        yield url


SPARQL_SERVERS = {"oxigraph-serve": "oxigraph_server", "virtuoso": "virtuoso_server"}
"""The real SPARQL servers the `sparql:` store is tested against, and their fixtures."""


@pytest.fixture(params=sorted(SPARQL_SERVERS), ids=str)
def sparql_server(request: pytest.FixtureRequest) -> str:
    """Each real SPARQL server in turn (shared by the session): the URL of a `sparql:` spec."""
    url: str = request.getfixturevalue(SPARQL_SERVERS[request.param])
    return url


@pytest.fixture(scope="session")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled data, ingested by the CLI once per session into a store on disk (read it,
    never write to it); its spec."""
    spec = f"oxigraph:{tmp_path_factory.mktemp('bundled') / 'store'}"
    result = run_cli("ingest", str(ROOT / "data"), "--store", spec)
    assert result.code == 0, result.stderr[-3000:]
    return spec


@pytest.fixture(scope="session")
def bundled_kg(bundled: str) -> Iterator[KnowledgeGraph]:
    """The Python API over the ``bundled`` store."""
    from stackgraph import KnowledgeGraph

    with KnowledgeGraph.open(bundled) as kg:
        yield kg


@pytest.fixture(scope="session")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An oxigraph store holding the example data (shared, never written after ingest)."""
    from tests.api._server import ingest

    spec = f"oxigraph:{tmp_path_factory.mktemp('example-store') / 'store'}"
    ingest(EXAMPLES / "valid", spec)
    return spec


@pytest.fixture(scope="session")
def server(example_store: str) -> Iterator[Server]:
    """A real uvicorn server on 127.0.0.1 with the default settings, over the example store."""
    from stackgraph.api.settings import Settings
    from tests.api._server import serving

    with serving(Settings(store=example_store)) as s:
        yield s
