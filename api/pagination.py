"""Relay-style cursor pagination over lists that are already computed (and cached)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from stackgraph.api.errors import BadInputError, StaleCursorError

__all__ = ["Page", "PageInfo", "cursor_of", "offset_of", "paginate"]

T = TypeVar("T")
_PREFIX = "v1:"
_UNVERSIONED = "o:"


@strawberry.type(description="Where a page sits in the whole list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def cursor_of(offset: int, version: str) -> str:
    """The opaque cursor of the item at `offset` of a list computed on graph `version`."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{version}:{offset}".encode()).decode()


def offset_of(cursor: str | None, version: str) -> int:
    """The offset just after `cursor` (0 when None), which must come from graph `version`.

    A cursor names a position in one version's list; after an ingest the same offset may name
    another item, so a cursor of an older version is refused rather than silently shifted.

    Raises:
        BadInputError: the cursor was not made by `cursor_of`.
        StaleCursorError: the cursor was made on another graph version.
    """
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        if raw.startswith(_UNVERSIONED):  # from a server before cursors carried versions
            made_on, number = "unknown", raw[len(_UNVERSIONED) :]
        elif raw.startswith(_PREFIX):
            made_on, _, number = raw[len(_PREFIX) :].rpartition(":")
        else:
            raise ValueError(raw)
        offset = int(number)
        if offset < 0 or not made_on:
            raise ValueError(raw)
    except (ValueError, binascii.Error, UnicodeError):
        raise BadInputError(
            f"invalid cursor {cursor!r}; pass the `endCursor` of a previous page",
            argument="after",
        ) from None
    if made_on != version:
        raise StaleCursorError(made_on, version)
    return offset + 1


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its items with their offsets, and the page info."""

    items: Sequence[tuple[int, T]]
    info: PageInfo
    total: int


def paginate(
    rows: Sequence[T], first: int, after: str | None, version: str, total: int | None = None
) -> Page[T]:
    """The `first` rows after cursor `after` of a list computed on graph `version`; `total`
    when `rows` is only a prefix."""
    start = offset_of(after, version)
    count = len(rows) if total is None else total
    chosen = [(start + i, row) for i, row in enumerate(rows[start : start + first])]
    info = PageInfo(
        has_next_page=start + len(chosen) < count,
        has_previous_page=start > 0,
        start_cursor=cursor_of(chosen[0][0], version) if chosen else None,
        end_cursor=cursor_of(chosen[-1][0], version) if chosen else None,
    )
    return Page(items=chosen, info=info, total=count)
