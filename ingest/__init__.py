"""The ingest job: read, validate, resolve, gate and swap sources into the store."""

from __future__ import annotations

# The readers of the built-in formats and of the ETO dataset register themselves on import.
from stackgraph.ingest import eto, formats  # noqa: F401
from stackgraph.ingest.problems import IngestError, InvalidInputError, Problem, UsageError
from stackgraph.ingest.run import IngestOptions, IngestReport, SourceReport, ingest

__all__ = [
    "IngestError",
    "IngestOptions",
    "IngestReport",
    "InvalidInputError",
    "Problem",
    "SourceReport",
    "UsageError",
    "ingest",
]

# The folder sits at the top of the checkout but installs as stackgraph.ingest (see pyproject.toml):
# imported by its bare name it would be a second copy of every module, so that name is refused.
if __name__ != "stackgraph.ingest":
    raise ImportError(f"import stackgraph.ingest, not {__name__}")
