"""The code stays as clean as it is: lint, format, strict types, and a small public surface."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_lint_and_format() -> None:
    lint = _run("ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = _run("ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout[-3000:]


@pytest.mark.slow
def test_mypy_strict() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(
    "module", ["graph", "graph.analysis", "graph.plots", "api", "ingest"], ids=str
)
def test_public_surface_is_declared(module: str) -> None:
    mod = importlib.import_module(module)
    names = getattr(mod, "__all__", None)
    if names is None:
        pytest.fail(f"{module} has no __all__")
    for name in names:
        assert hasattr(mod, name), f"{module}.__all__ names {name!r}, which does not exist"
        assert not name.startswith("_"), f"{module} exports the private name {name!r}"


def test_analysis_core_imports_neither_rdf_nor_web() -> None:
    for path in sorted((ROOT / "graph" / "analysis").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for banned in (
            "rdflib",
            "strawberry",
            "starlette",
            "pyoxigraph",
            "from api",
            "from ingest",
        ):
            assert banned not in text, f"graph/analysis/{path.name} uses {banned}"


def test_graph_imports_neither_api_nor_ingest() -> None:
    for path in sorted((ROOT / "graph").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for banned in ("from api", "import api", "from ingest", "import ingest"):
            assert banned not in text, f"{path.relative_to(ROOT)} imports {banned.split()[-1]}"
