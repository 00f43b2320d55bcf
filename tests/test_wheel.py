"""The built wheel installs next to PyPI's `schema` with one top-level package, and both import.

Offline: the fresh environment installs from a local wheelhouse (`make wheelhouse` fills
`.wheelhouse/`; `STACKGRAPH_WHEELHOUSE` names another). Without one the test skips, saying so,
unless ``STACKGRAPH_REQUIRE_WHEELHOUSE=1`` (as in CI): then it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port

REQUIRE = "STACKGRAPH_REQUIRE_WHEELHOUSE"


def wheelhouse() -> Path:
    """The local wheelhouse, or a skip (a failure under ``STACKGRAPH_REQUIRE_WHEELHOUSE=1``)."""
    folder = Path(os.environ.get("STACKGRAPH_WHEELHOUSE") or ROOT / ".wheelhouse")
    if not any(folder.glob("schema-*.whl")) or not any(folder.glob("hatchling-*.whl")):
        message = (
            f"no wheelhouse at {folder} (run `make wheelhouse`): the wheel was not installed"
            " beside PyPI's schema"
        )
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"{REQUIRE}=1, but {message}")
        pytest.skip(message)
    return folder


def top_level(names: Iterator[str] | list[str]) -> set[str]:
    """The top-level names a wheel's (or an installation's) RECORD puts in site-packages."""
    return {
        n.split("/")[0]
        for n in names
        if not n.startswith("..") and not n.split("/")[0].endswith((".dist-info", ".data"))
    }


def test_top_level_reads_a_record() -> None:
    record = ["stackgraph/__init__.py", "stackgraph-0.1.0.dist-info/RECORD", "../../bin/x", "s.py"]
    assert top_level(record) == {"stackgraph", "s.py"}


def _run(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{args}: {result.stderr[-3000:]}"
    return result


@pytest.mark.slow
def test_the_wheel_installs_beside_pypi_schema(tmp_path: Path) -> None:
    house = wheelhouse()
    offline = ("--no-index", "--find-links", house)
    wheels = tmp_path / "wheels"
    # the build backend comes from the wheelhouse too (pip's isolated build environment)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *offline, "-w", wheels, ROOT)
    (wheel,) = wheels.glob("stackgraph-*.whl")
    with zipfile.ZipFile(wheel) as z:
        assert top_level(z.namelist()) == {"stackgraph"}
        record = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
        rows = z.read(record).decode().splitlines()
        assert top_level(r.split(",")[0] for r in rows) == {"stackgraph"}

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", *offline, wheel, "schema")
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
    (installed,) = site.glob("stackgraph-*.dist-info")
    ours = top_level(line.split(",")[0] for line in (installed / "RECORD").read_text().splitlines())
    assert ours == {"stackgraph"}, f"the wheel put {sorted(ours)} in site-packages"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "STACKGRAPH_STORE")}
    env.update(HOME=str(tmp_path / "home"), STACKGRAPH_STORE=f"oxigraph:{tmp_path / 'store'}")
    command = venv / "bin" / "stackgraph"
    _run(command, "ingest", "-q", cwd=elsewhere, env=env)  # the bundled data

    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as errors:
        server = subprocess.Popen(
            [command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=elsewhere,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            status = None
            deadline = time.monotonic() + 120
            while status != 200 and server.poll() is None and time.monotonic() < deadline:
                try:
                    status = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1.0).status_code
                except httpx.HTTPError:
                    status = None
                if status != 200:
                    time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=60)
    assert status == 200, f"`stackgraph serve` never became ready: {log.read_text()[-3000:]}"

    both = (
        "import schema, stackgraph\n"
        "from schema import Schema\n"
        "from stackgraph import KnowledgeGraph, plots\n"
        "assert Schema({'a': int}).validate({'a': 1}) == {'a': 1}\n"
        "assert not schema.__file__.startswith(stackgraph.__path__[0])\n"
        "kg = KnowledgeGraph.open()\n"
        "print(plots.__name__, any(r['id'] == 'b200' for r in kg.impact({'cowos-l': 0.0})))\n"
    )
    shown = _run(python, "-c", both, cwd=elsewhere, env=env)
    assert shown.stdout.split() == ["stackgraph.plots", "True"]
