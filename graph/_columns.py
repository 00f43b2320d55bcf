"""Read-only columns over memory-mapped arrays: strings, pickled rows and a hash index.

What a projection file (`stackgraph.graph.projection_file`) holds besides the dependency graph's arrays:
every string once in a byte blob with offsets, every record as one pickled tuple of its fields,
and an open-addressing hash table (CRC-32 of the key, linear probing) from a key to its row.
Nothing is decoded until it is read, so processes that map one file share its pages instead of
each holding its own Python objects.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    ValuesView,
)
from dataclasses import fields
from typing import Any, Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt

__all__ = [
    "Field",
    "HashIndex",
    "MappedDict",
    "Rows",
    "Strings",
    "as_view",
    "encode_groups",
    "encode_rows",
    "encode_strings",
    "hash_table",
]

T = TypeVar("T")
V = TypeVar("V")

Arrays = dict[str, npt.NDArray[Any]]
"""Arrays by file name, as written and as mapped."""


def encode_strings(values: Iterable[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Every string of `values` in one UTF-8 blob, and the offsets of each (one more than
    there are strings)."""
    encoded = [v.encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def encode_rows(rows: Iterable[Any]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Each dataclass of `rows` as one pickled tuple of its fields, in one blob with offsets."""
    blobs: list[bytes] = []
    names: tuple[str, ...] | None = None
    for row in rows:
        if names is None:
            names = tuple(f.name for f in fields(row))
        blobs.append(pickle.dumps(tuple(getattr(row, n) for n in names), protocol=5))
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in blobs], out=offsets[1:])
    return np.frombuffer(b"".join(blobs), dtype=np.uint8), offsets


def as_view(array: npt.NDArray[Any]) -> memoryview:
    """A memoryview of `array` (Python ints on indexing, no numpy scalars)."""
    return memoryview(array) if array.size else memoryview(b"")  # type: ignore[arg-type]


def encode_groups(
    keys_of: Iterable[Iterable[str | None]],
) -> tuple[list[str], npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Rows grouped by key: the keys in order of first appearance, and for key ``k`` the rows
    ``rows[ptr[k]:ptr[k + 1]]`` (in row order) whose `keys_of` entry names it."""
    groups: dict[str, list[int]] = {}
    for row, keys in enumerate(keys_of):
        for k in dict.fromkeys(keys):
            if k is not None:
                groups.setdefault(k, []).append(row)
    ptr = np.zeros(len(groups) + 1, dtype=np.int64)
    np.cumsum([len(v) for v in groups.values()], out=ptr[1:])
    rows = np.fromiter((r for v in groups.values() for r in v), dtype=np.int32, count=int(ptr[-1]))
    return list(groups), ptr, rows


class Field(Sequence[str]):
    """One string field of each of `rows` (decoding the row to read it)."""

    __slots__ = ("_name", "_rows")

    def __init__(self, rows: Sequence[Any], name: str) -> None:
        self._rows, self._name = rows, name

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [getattr(r, self._name) for r in self._rows[i]]
        value: str = getattr(self._rows[i], self._name)
        return value


_M1, _M2 = 0x85EBCA6B, 0xC2B2AE35


def _crc(key: str) -> int:
    """CRC-32 of `key`, mixed (MurmurHash3's finaliser): CRC is linear, and keys that differ in
    a few characters ("item-1", "item-2") would otherwise fill neighbouring slots."""
    h = zlib.crc32(key.encode())
    h ^= h >> 16
    h = (h * _M1) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * _M2) & 0xFFFFFFFF
    return h ^ (h >> 16)


def hash_table(keys: Sequence[str]) -> npt.NDArray[np.int32]:
    """An open-addressing table of the rows of `keys` (-1 where empty), at most half full;
    a key's row sits at the first slot from ``crc32(key) & (size - 1)`` on that holds it."""
    n = len(keys)
    size = 1 << max(3, (2 * n).bit_length())
    table = np.full(size, -1, dtype=np.int32)
    slot = np.fromiter((_crc(k) for k in keys), dtype=np.int64, count=n) & (size - 1)
    waiting = np.arange(n, dtype=np.int64)
    while waiting.size:
        # Each round, the first waiting row per free slot takes it; the others move one on.
        free = table[slot] < 0
        cand, cand_slot = waiting[free], slot[free]
        first = np.unique(cand_slot, return_index=True)[1]
        table[cand_slot[first]] = cand[first]
        placed = np.zeros(waiting.size, dtype=bool)
        placed[np.flatnonzero(free)[first]] = True
        waiting, slot = waiting[~placed], (slot[~placed] + 1) & (size - 1)
    return table


class _Blob(Sequence[T]):
    """A read-only sequence over a byte blob and the offsets of its items, each decoded from its
    bytes (`_decode`) when read."""

    __slots__ = ("_blob", "_offsets")

    def __init__(self, blob: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> None:
        self._blob = as_view(blob)
        self._offsets = as_view(offsets)

    def _decode(self, raw: memoryview) -> T:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        off = self._offsets
        if i < 0:
            i += len(off) - 1
        return self._decode(self._blob[off[i] : off[i + 1]])

    def __iter__(self) -> Iterator[T]:
        blob, off, decode = self._blob, self._offsets, self._decode
        for i in range(len(off) - 1):
            yield decode(blob[off[i] : off[i + 1]])


class Strings(_Blob[str]):
    """A read-only sequence of strings over a UTF-8 blob and its offsets."""

    __slots__ = ()

    def _decode(self, raw: memoryview) -> str:
        return str(raw, "utf-8")


class Rows(_Blob[T]):
    """A read-only sequence of dataclass rows, each decoded from its pickled tuple on access."""

    __slots__ = ("_make",)

    def __init__(
        self, make: Callable[..., T], blob: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]
    ) -> None:
        super().__init__(blob, offsets)
        self._make = make

    def _decode(self, raw: memoryview) -> T:
        return self._make(*pickle.loads(raw))


class HashIndex:
    """The row of a key among `keys`, by the table `hash_table` built of them."""

    __slots__ = ("_keys", "_mask", "_table")

    def __init__(self, keys: Sequence[str], table: npt.NDArray[np.int32]) -> None:
        self._keys = keys
        self._table = as_view(table)
        self._mask = len(table) - 1

    def find(self, key: object) -> int:
        """The row of `key`, or -1."""
        if not isinstance(key, str):
            return -1
        table, keys, mask = self._table, self._keys, self._mask
        slot = _crc(key) & mask
        while True:
            row: int = table[slot]
            if row < 0 or keys[row] == key:
                return row
            slot = (slot + 1) & mask

    def __getitem__(self, key: str) -> int:
        row = self.find(key)
        if row < 0:
            raise KeyError(key)
        return row

    def __contains__(self, key: object) -> bool:
        return self.find(key) >= 0


class MappedDict(Mapping[str, V], Generic[V]):
    """A read-only mapping of string keys (in their written order) to values decoded on access.

    Args:
        keys: The keys, in the order the mapping iterates them.
        index: Their `HashIndex`.
        value: The value of the key at a row.
    """

    __slots__ = ("_index", "_keys", "_value")

    def __init__(self, keys: Sequence[str], index: HashIndex, value: Callable[[int], V]) -> None:
        self._keys, self._index, self._value = keys, index, value

    def __getitem__(self, key: str) -> V:
        return self._value(self._index[key])

    def get(self, key: str, default: Any = None) -> Any:
        row = self._index.find(key)
        return default if row < 0 else self._value(row)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def items(self) -> ItemsView[str, V]:
        return _Items(self)

    def values(self) -> ValuesView[V]:
        return _Values(self)


class _Items(ItemsView[str, V]):
    """Items in order, each value decoded once (not looked up again by its key)."""

    _mapping: MappedDict[V]

    def __iter__(self) -> Iterator[tuple[str, V]]:
        m = self._mapping
        value = m._value
        return ((k, value(i)) for i, k in enumerate(m._keys))


class _Values(ValuesView[V]):
    _mapping: MappedDict[V]

    def __iter__(self) -> Iterator[V]:
        m = self._mapping
        return (m._value(i) for i in range(len(m)))
