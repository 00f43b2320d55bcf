"""`from stackgraph import KnowledgeGraph, plots` is the Python entry point, and it loads lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

import stackgraph
from tests.conftest import ROOT


def test_the_documented_names_import() -> None:
    from stackgraph import KnowledgeGraph, Table, plots
    from stackgraph.knowledge import KnowledgeGraph as Facade
    from stackgraph.results import Table as Rows

    assert KnowledgeGraph is Facade and Table is Rows
    assert plots.__name__ == "stackgraph.plots"
    assert set(stackgraph.__all__) <= set(dir(stackgraph))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="'Knowledgegraph'"):
        stackgraph.Knowledgegraph  # noqa: B018


def test_the_command_line_does_not_load_pandas_or_matplotlib() -> None:
    """`stackgraph --help` starts fast: the surface's heavy imports wait for first use."""
    code = (
        "import sys, stackgraph, stackgraph.cli\n"
        "heavy = sorted(m for m in ('pandas', 'matplotlib', 'stackgraph.knowledge') "
        "if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
