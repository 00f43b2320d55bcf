"""The coverage report counts what a store holds."""

from __future__ import annotations

from pathlib import Path

from stackgraph.graph.store import open_store
from stackgraph.ingest.coverage import coverage
from stackgraph.ingest.run import IngestOptions, ingest


def test_report_counts_the_example_data(dataset: Path) -> None:
    with open_store("memory:") as store:
        ingest(IngestOptions(paths=[dataset]), store=store)
        report = coverage(store)

    lines = report.splitlines()
    assert lines[0] == "# Coverage of the bundled data"
    sections = [line for line in lines if line.startswith("## ")]
    assert sections == [
        "## Entities per layer and class",
        "## Relations and facts",
        "## Provenance",
        "## Products and facilities per layer",
        "## Quantities per layer",
        "## Measures of the core question",
    ]
    assert "| Deal | 1 | |" in lines
    # the example accelerator: 4 requirements, each with a quantity; its HBM shares are sourced
    assert "| compute | 4 of 4 (100%) | - | 0 of 1 (0%) | - |" in lines
    assert (
        "| HBM-using products with vendor shares | 1 of 1 (100.0%) | at least half | yes |" in lines
    )


def test_report_of_an_empty_store_has_no_division_by_zero() -> None:
    with open_store("memory:") as store:
        report = coverage(store)
    assert "| **total** | 0 | 0 | 0 | **0** |" in report
    assert "| records with a source URL | 0 |" in report
