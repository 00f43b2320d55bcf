"""A bounded, thread-safe LRU cache for analysis results, keyed by graph version + arguments."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

import anyio

__all__ = ["AnalysisCache"]

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

    def __init__(self, maxsize: int) -> None:
        if maxsize < 0:
            raise ValueError(f"maxsize must be >= 0, got {maxsize}")
        self._maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._flights: dict[Hashable, _Flight] = {}  # used from the event loop only

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable) -> Any:
        """The cached value for `key`, or the module's `_MISSING` sentinel."""
        with self._lock:
            value = self._data.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
            else:
                self.hits += 1
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Store `value`, evicting the least recently used entries past `maxsize`."""
        if self._maxsize == 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)

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
                del self._data[key]

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
