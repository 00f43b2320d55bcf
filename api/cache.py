"""A bounded, thread-safe LRU cache for analysis results, keyed by graph version + arguments.

Bounded twice: by entries, and by an estimate of the bytes they hold (`size_of`), since at 1M
items one impact keeps about 125 MiB of arrays and 256 of them would not fit any machine.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sized
from typing import Any, TypeVar

import anyio

__all__ = ["AnalysisCache", "size_of"]

T = TypeVar("T")
_MISSING = object()


class AnalysisCache:
    """Least-recently-used results; keys start with the graph version, so a new version misses.

    Requests on the event loop ask through `shared`: however many miss the same key at once,
    one computes it and the others wait for its result (a heavy analysis asked by 16 clients
    at once runs once, not 16 times, and holds its memory once). Threads calling
    `get_or_compute` for the same missing key both compute it; the last one stored wins (the
    results are equal, and holding a lock while computing would serialise every analysis).
    """

    def __init__(self, maxsize: int, max_bytes: int | None = None) -> None:
        if maxsize < 0:
            raise ValueError(f"maxsize must be >= 0, got {maxsize}")
        if max_bytes is not None and max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
        self._maxsize = maxsize
        self._max_bytes = max_bytes
        self.bytes = 0
        """The estimated bytes of what is kept (`size_of` of each value)."""
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._flights: dict[Hashable, _Flight] = {}  # used from the event loop only

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable) -> Any:
        """The cached value for `key`, or the module's `_MISSING` sentinel."""
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                self.misses += 1
                return _MISSING
            self.hits += 1
            self._data.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value`, evicting the least recently used entries past `maxsize` entries or
        `max_bytes`; a value larger than `max_bytes` alone is not kept."""
        if self._maxsize == 0:
            return
        size = size_of(value)
        if self._max_bytes is not None and size > self._max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._data[key] = (value, size)
            self.bytes += size
            while len(self._data) > self._maxsize or (
                self._max_bytes is not None and self.bytes > self._max_bytes
            ):
                self.bytes -= self._data.popitem(last=False)[1][1]

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for `key`, computing and storing it when absent."""
        value = self.get(key)
        if value is _MISSING:
            value = compute()
            self.put(key, value)
        return value  # type: ignore[no-any-return]

    async def shared(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """The cached value for `key`; on a miss, `compute()` once for every request that
        misses it meanwhile (they wait for it). When it fails, the error is its caller's alone
        (its deadline, say): each waiter tries again, one of them computing."""
        while True:
            value = self.get(key)
            if value is not _MISSING:
                return value  # type: ignore[no-any-return]
            flight = self._flights.get(key)
            if flight is None:
                break
            await flight.done.wait()
            if flight.value is not _MISSING:
                return flight.value  # type: ignore[no-any-return]
        flight = self._flights[key] = _Flight()
        try:
            flight.value = await compute()
            self.put(key, flight.value)
            return flight.value  # type: ignore[no-any-return]
        finally:
            del self._flights[key]
            flight.done.set()

    def keep_only(self, version: str) -> None:
        """Drop the results of every other graph version: they are never asked again, and
        a snapshot mapped from its projection file stays mapped while a result holds it."""
        with self._lock:
            for key in [
                k for k in self._data if not (isinstance(k, tuple) and k[:1] == (version,))
            ]:
                self.bytes -= self._data.pop(key)[1]

    @staticmethod
    def missing(value: object) -> bool:
        """Whether `get` found nothing."""
        return value is _MISSING


class _Flight:
    """A computation under way: its result, once `done` is set (`_MISSING` if it failed)."""

    __slots__ = ("done", "value")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.value: Any = _MISSING


_PER_OBJECT = 512
"""What a value without `nbytes` is counted per element: an object of a few short strings."""


def size_of(value: object) -> int:
    """An estimate of the bytes `value` holds: `value.nbytes` where it has one (the array-backed
    results: an impact, its orders), the sum of the parts of a tuple or a dataclass, otherwise
    `_PER_OBJECT` per element of a sized value (or for the value itself)."""
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    if isinstance(value, tuple) and len(value) <= 8:
        return sum(size_of(part) for part in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return sys.getsizeof(value) + sum(size_of(getattr(value, f.name)) for f in fields)
    if isinstance(value, Sized):
        return sys.getsizeof(value) + _PER_OBJECT * len(value)
    return sys.getsizeof(value) + _PER_OBJECT
