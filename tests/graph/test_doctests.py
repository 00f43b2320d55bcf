"""The examples in the docstrings of the engine (`stackgraph.graph`) and of the Python surface over
it (the facade, the clients, `Table`, plots) run, on the small example dataset.

As networkx's conftest does with its `doctest_namespace`, every example finds `kg` (the example
data of `tests/examples/valid` in a real store) and `url` (a real server over that store).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import stackgraph.graph
import stackgraph.plotting
from stackgraph import KnowledgeGraph
from tests.api._server import Server

#: The surface's modules with examples to run (the CLI's are run by its tests).
SURFACE = [
    "stackgraph.client",
    "stackgraph.knowledge",
    "stackgraph.plots",
    "stackgraph.remote",
    "stackgraph.results",
    "stackgraph.transport",
    *(m.name for m in pkgutil.iter_modules(stackgraph.plotting.__path__, "stackgraph.plotting.")),
]
MODULES = sorted(
    [
        m.name
        for m in pkgutil.walk_packages(stackgraph.graph.__path__, "stackgraph.graph.")
        # tests/graph/analysis runs those, graph-free
        if not m.name.startswith("stackgraph.graph.analysis")
    ]
    + SURFACE
)


@pytest.fixture(scope="module")
def namespace(server: Server, example_store: str) -> Iterator[dict[str, Any]]:
    with KnowledgeGraph.open(example_store) as kg:
        yield {"kg": kg, "url": server.graphql, "KnowledgeGraph": KnowledgeGraph}


@pytest.mark.parametrize("name", ["stackgraph.graph", *MODULES], ids=["stackgraph.graph", *MODULES])
def test_doctests(name: str, namespace: dict[str, Any]) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs={**vars(module), **namespace}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) of {name} failed (see above)"


def test_no_example_is_skipped() -> None:
    skipped = [
        path.name
        for folder in (stackgraph.graph, stackgraph.plotting)
        for path in Path(str(folder.__file__)).parent.rglob("*.py")
        if "doctest: +SKIP" in path.read_text(encoding="utf-8")
    ]
    skipped += [
        m
        for m in SURFACE
        if "doctest: +SKIP"
        in Path(str(importlib.import_module(m).__file__)).read_text(encoding="utf-8")
    ]
    assert skipped == [], "examples that do not run; make them run on the example data"
