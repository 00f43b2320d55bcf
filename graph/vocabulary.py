"""The schema's controlled vocabularies that queries filter on: layers and categories."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from stackgraph.schema._spec import load as load_schema

__all__ = ["CATEGORIES", "LAYERS", "UnknownValueError", "check"]

_SCHEMA = load_schema()

LAYERS: tuple[str, ...] = tuple(_SCHEMA.enums["Layer"].values)
"""The eight layers in stack order, from die to grid and the software above it."""

CATEGORIES: tuple[str, ...] = tuple(
    dict.fromkeys(
        [*_SCHEMA.enums["ProductCategory"].values, *_SCHEMA.enums["FacilityCategory"].values]
    )
)
"""Categories of products and facilities."""


class UnknownValueError(ValueError):
    """A filter value that is not in the schema's vocabulary; names the closest ones."""

    def __init__(self, kind: str, value: str, allowed: Iterable[str]) -> None:
        close = difflib.get_close_matches(value, list(allowed), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"unknown {kind} {value!r}{hint}")
        self.kind = kind
        self.value = value


def check(kind: str, values: Iterable[str] | None) -> list[str] | None:
    """`values` as a list when each is a known layer or category (`kind`); None passes."""
    if values is None:
        return None
    allowed = LAYERS if kind == "layer" else CATEGORIES
    out = list(values)
    for v in out:
        if v not in allowed:
            raise UnknownValueError(kind, v, allowed)
    return out
