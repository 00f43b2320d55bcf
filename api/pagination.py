"""Relay-style cursor pagination over lists that are already computed (and cached)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from api.errors import BadInputError

__all__ = ["Page", "PageInfo", "cursor_of", "offset_of", "paginate"]

T = TypeVar("T")
_PREFIX = "o:"


@strawberry.type(description="Where a page sits in the whole list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def cursor_of(offset: int) -> str:
    """The opaque cursor of the item at `offset`."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def offset_of(cursor: str | None) -> int:
    """The offset just after `cursor` (0 when None).

    Raises:
        BadInputError: the cursor was not made by `cursor_of`.
    """
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not raw.startswith(_PREFIX):
            raise ValueError(raw)
        offset = int(raw[len(_PREFIX) :])
        if offset < 0:
            raise ValueError(raw)
    except (ValueError, binascii.Error, UnicodeError):
        raise BadInputError(
            f"invalid cursor {cursor!r}; pass the `endCursor` of a previous page",
            argument="after",
        ) from None
    return offset + 1


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page: its items with their offsets, and the page info."""

    items: Sequence[tuple[int, T]]
    info: PageInfo
    total: int


def paginate(rows: Sequence[T], first: int, after: str | None, total: int | None = None) -> Page[T]:
    """The `first` rows after cursor `after`; `total` when `rows` is only a prefix."""
    start = offset_of(after)
    count = len(rows) if total is None else total
    chosen = [(start + i, row) for i, row in enumerate(rows[start : start + first])]
    info = PageInfo(
        has_next_page=start + len(chosen) < count,
        has_previous_page=start > 0,
        start_cursor=cursor_of(chosen[0][0]) if chosen else None,
        end_cursor=cursor_of(chosen[-1][0]) if chosen else None,
    )
    return Page(items=chosen, info=info, total=count)
