"""Run the examples in the docstrings of every ingest module."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import stackgraph.ingest

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(stackgraph.ingest.__path__, "stackgraph.ingest.")
)


@pytest.mark.parametrize("name", MODULES, ids=MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_no_example_is_skipped() -> None:
    for name in MODULES:
        source = importlib.import_module(name).__file__
        assert source is not None
        with open(source, encoding="utf-8") as handle:
            assert "doctest: +SKIP" not in handle.read(), f"{name} skips an example"
