"""Hand-written value types that the generated models use."""

from __future__ import annotations

import datetime
import functools
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_URI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


def _to_text(value: Any) -> Any:
    # YAML turns 2025-04-14 into a date and 2025 into an int; both are fine inputs.
    if isinstance(value, bool):
        return value
    if isinstance(value, (datetime.date, int)):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    return value


@functools.lru_cache(maxsize=4096)  # as-of dates repeat across the records of a source
def _check_partial_date(value: str) -> str:
    match = _PARTIAL_DATE.match(value)
    if not match:
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from None
    return value


def _check_uri(value: str) -> str:
    if not _URI.match(value):
        raise ValueError(f"expected an absolute http(s) URL, got {value!r}")
    return value


PartialDate = Annotated[str, BeforeValidator(_to_text), AfterValidator(_check_partial_date)]
"""A date with year, year-month or full precision, kept as ISO text."""

Uri = Annotated[str, AfterValidator(_check_uri)]
"""An absolute http(s) URL."""


def date_precision(value: str) -> str:
    """The XSD datatype local name for a partial date: gYear, gYearMonth or date."""
    return {4: "gYear", 7: "gYearMonth"}.get(len(value), "date")
