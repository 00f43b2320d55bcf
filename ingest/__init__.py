"""The ingest job: read, validate, resolve, gate and swap sources into the store."""

from __future__ import annotations

# The readers of the built-in formats and of the ETO dataset register themselves on import.
from ingest import eto, formats  # noqa: F401
from ingest.problems import IngestError, InvalidInputError, Problem, UsageError
from ingest.run import IngestOptions, IngestReport, SourceReport, ingest

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
