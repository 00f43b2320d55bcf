"""The code stays as clean as it is: lint, format, strict types, and a small public surface."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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
    "module",
    [
        "stackgraph",
        "stackgraph.graph",
        "stackgraph.graph.analysis",
        "stackgraph.knowledge",
        "stackgraph.plots",
        "stackgraph.remote",
        "stackgraph.results",
        "stackgraph.api",
        "stackgraph.ingest",
    ],
    ids=str,
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
            "stackgraph.api",
            "stackgraph.ingest",
        ):
            assert banned not in text, f"graph/analysis/{path.name} uses {banned}"


def test_graph_imports_neither_api_nor_ingest() -> None:
    for path in sorted((ROOT / "graph").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for banned in ("stackgraph.api", "stackgraph.ingest"):
            assert banned not in text, f"{path.relative_to(ROOT)} imports {banned}"


#: The folders at the top of the checkout that install as `stackgraph.<folder>` (pyproject.toml).
_ENGINE = ("graph", "api", "ingest", "schema")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] in _ENGINE:
        parts.insert(0, "stackgraph")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    """Module name -> file, each file once: `stackgraph/graph` and the others are links."""
    found: dict[str, Path] = {}
    for folder in (*_ENGINE, "stackgraph"):
        for path in (ROOT / folder).rglob("*.py"):
            inside = path.relative_to(ROOT).parts
            if "__pycache__" in inside or (ROOT / inside[0] / inside[1]).is_symlink():
                continue
            found[_module_name(path)] = path
    return found


def surface_modules() -> set[str]:
    """The modules of the user surface: `stackgraph.*` outside the engine's subpackages."""
    engine = tuple(f"stackgraph.{name}" for name in _ENGINE)
    return {
        m
        for m in _sources()
        if m != "stackgraph" and not any(m == e or m.startswith(f"{e}.") for e in engine)
    } | {"stackgraph"}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_that_run(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement outside an `if TYPE_CHECKING:` block, in functions too."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _every_import(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    return (n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)))


def import_graph(*, type_only: bool = False) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports by code that runs (with `type_only`, also those
    imported for types alone).

    `from pkg import name` is an edge to `pkg.name` when that is a module, else to `pkg`.
    """
    modules = _sources()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    imports = _every_import if type_only else _imports_that_run
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                ]
            edges[name].update(t for t in targets if t in modules and t != name)
    return edges


def import_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_runs_code() -> None:
    cycles = import_cycles(import_graph())
    assert cycles == [], (
        "import cycles (move the shared code down, or import for types only):\n"
        + "\n".join(" <-> ".join(c) for c in cycles)
    )


def test_the_engine_never_imports_the_surface() -> None:
    """Imports run one way: `stackgraph`'s surface (the facade, the clients, `Table`, plots, the
    CLI) imports the engine (`stackgraph.graph`), never the reverse, not even for types."""
    surface = surface_modules()
    assert {"stackgraph.knowledge", "stackgraph.plots", "stackgraph.results"} <= surface
    edges = import_graph(type_only=True)
    wrong = {
        f"{m} -> {t}"
        for m, targets in edges.items()
        if m.startswith("stackgraph.graph")
        for t in targets & surface
    }
    assert wrong == set(), f"the engine imports the surface: {sorted(wrong)}"


def test_no_module_has_two_names() -> None:
    """`graph/` and the others install as `stackgraph.graph`...; imported by the folder's bare
    name they refuse, so no module is ever loaded twice."""
    for folder in _ENGINE:
        result = subprocess.run(
            [sys.executable, "-c", f"import {folder}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0, f"`import {folder}` works beside stackgraph.{folder}"
        assert f"import stackgraph.{folder}, not {folder}" in result.stderr


def test_modules_stay_small() -> None:
    big = {
        str(p.relative_to(ROOT)): n
        for p in [
            *_sources().values(),
            *(ROOT / "tests").rglob("*.py"),
            *(ROOT / "bench").rglob("*.py"),
        ]
        if p.name != "models.py" and (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert big == {}, f"modules over 450 lines (split them by noun): {big}"
