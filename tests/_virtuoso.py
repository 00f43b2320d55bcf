"""A real Virtuoso Open Source server for the tests, from Debian's `virtuoso-opensource`.

Started as an ordinary process with its own database folder and free ports (a `virtuoso.ini`
written here), SPARQL update granted to the endpoint's user through `isql`, stopped by SIGTERM.
The configuration is small (2,000 buffers of 8 kB, one thread a query) and keeps a low
`ResultSetMaxRows`, so that the store's paging past it runs in every suite.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

__all__ = ["MAX_ROWS", "REQUIRE", "virtuoso"]

REQUIRE = "STACKGRAPH_REQUIRE_VIRTUOSO"
MAX_ROWS = 1000
"""The server's ResultSetMaxRows: answers longer than this come in pages."""

_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 8
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 2000
MaxDirtyBuffers = 1200
ThreadsPerQuery = 1
AsyncQueueMaxThreads = 2
MaxQueryMem = 256M

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 6
MaxClientConnections = 6
MaxKeepAlives = 6
KeepAliveTimeout = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 0
"""


def _binaries() -> tuple[str, str] | None:
    server = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql-v")
    return (server, isql) if server and isql else None


@contextlib.contextmanager
def virtuoso(folder: Path, http_port: int, sql_port: int) -> Iterator[str]:
    """Run Virtuoso with its database in `folder` until the block ends; yields its SPARQL
    endpoint (``http://127.0.0.1:PORT/sparql``).

    Skips the test when Virtuoso is not installed, unless ``STACKGRAPH_REQUIRE_VIRTUOSO=1``:
    then it fails.
    """
    binaries = _binaries()
    if binaries is None:
        message = (
            "Virtuoso is not installed (apt-get install virtuoso-opensource): the SPARQL store"
            " tests ran against oxigraph serve only"
        )
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"{REQUIRE}=1, but {message}")
        pytest.skip(message)
    server, isql = binaries
    ini = folder / "virtuoso.ini"
    ini.write_text(
        _INI.format(dir=folder, http_port=http_port, sql_port=sql_port, max_rows=MAX_ROWS),
        encoding="utf-8",
    )
    log = (folder / "server.out").open("wb")
    proc = subprocess.Popen(
        [server, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{http_port}/sparql"
    try:
        _wait(proc, endpoint, folder)
        # The endpoint runs as the SQL user SPARQL, who may only read until granted this.
        grant = subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert grant.returncode == 0, grant.stdout + grant.stderr
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _wait(proc: subprocess.Popen[bytes], endpoint: str, folder: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (folder / "server.out").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Virtuoso exited with {proc.returncode}:\n{tail}")
        try:
            if httpx.get(endpoint, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"Virtuoso did not answer at {endpoint} within 90 s")
