"""Run the examples in the docstrings of every stackgraph.graph.analysis module."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import stackgraph.graph.analysis

MODULES = sorted(
    m.name
    for m in pkgutil.iter_modules(stackgraph.graph.analysis.__path__, "stackgraph.graph.analysis.")
)


@pytest.mark.parametrize("name", MODULES, ids=MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
