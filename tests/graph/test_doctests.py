"""The examples in the docstrings of the graph package run, on the small example dataset.

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
from stackgraph.graph import KnowledgeGraph
from tests.api._server import Server

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(stackgraph.graph.__path__, "stackgraph.graph.")
    if not m.name.startswith(
        "stackgraph.graph.analysis"
    )  # tests/graph/analysis runs those, graph-free
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
        for path in Path(stackgraph.graph.__file__).parent.rglob("*.py")
        if "doctest: +SKIP" in path.read_text(encoding="utf-8")
    ]
    assert skipped == [], "examples that do not run; make them run on the example data"
