"""The ingest job: read, validate, resolve, gate and swap sources into the store."""

from __future__ import annotations

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
