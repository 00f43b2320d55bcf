"""A snapshot written to a folder of arrays, and mapped back read-only by any process.

`write_snapshot` writes every array of the dependency graph (and those derived from it: shares,
the reverse index) as a ``.npy`` file, and every lookup table columnar (`stackgraph.graph._columns`):
strings in blobs with offsets, records as pickled tuples, a hash index per keyed table. A
`manifest.json` written last lists every file with its size and CRC-32: a folder without it, or
with a file that does not match it, is not a snapshot (`ProjectionFileError`).

`map_snapshot` maps such a folder into a `Snapshot` that answers as the projected one did;
nothing is decoded before it is read, and the pages are the operating system's, shared by every
process that maps the folder.
"""

from __future__ import annotations

import bisect
import functools
import json
import os
import sys
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from stackgraph.graph._columns import (
    Arrays,
    Field,
    HashIndex,
    MappedDict,
    Rows,
    Strings,
    as_view,
    encode_groups,
    encode_rows,
    encode_strings,
    hash_table,
)
from stackgraph.graph.analysis import DependencyGraph
from stackgraph.graph.analysis._layout import Layout
from stackgraph.graph.analysis._traverse import Reverse
from stackgraph.graph.errors import StackgraphError
from stackgraph.graph.snapshot import (
    CapacityInfo,
    EntityInfo,
    Lookups,
    PerWafer,
    Provenance,
    Snapshot,
    SupplyInfo,
)

__all__ = ["FORMAT", "MANIFEST", "ProjectionFileError", "map_snapshot", "write_snapshot"]

FORMAT = 3
"""The layout of the folder; a folder of another format is projected again."""

MANIFEST = "manifest.json"

_LAYOUT_ARRAYS = tuple(
    name for name in Layout.__slots__ if name not in ("ids", "strings", "req_names")
)


class ProjectionFileError(StackgraphError):
    """A projection folder that is incomplete, damaged or of another format."""


# ---------------------------------------------------------------------- writing


def _strings(out: Arrays, name: str, values: Sequence[str], *, index: bool = False) -> None:
    out[f"{name}.blob"], out[f"{name}.off"] = encode_strings(values)
    if index:
        out[f"{name}.hash"] = hash_table(values)


def _rows(out: Arrays, name: str, rows: Sequence[Any]) -> None:
    out[f"{name}.blob"], out[f"{name}.off"] = encode_rows(rows)


def _arrays(snap: Snapshot) -> Arrays:
    """Every array of `snap`, by file name."""
    out: Arrays = {}
    layout, derived = snap.graph.parts()
    for name in _LAYOUT_ARRAYS:
        out[f"graph.{name}.npy"] = getattr(layout, name)
    _strings(out, "graph.ids", layout.ids, index=True)
    _strings(out, "graph.strings", layout.strings)
    names = sorted(layout.req_names.items())
    out["graph.req_names.keys"] = np.array([k for k, _ in names], dtype=np.int64)
    _strings(out, "graph.req_names.values", [v for _, v in names])
    shares, reverse = derived["shares"], derived["reverse"]
    out["graph.shares.known"], out["graph.shares.unknown"] = shares.known, shares.unknown
    out["graph.shares.rest"] = shares.rest
    out["graph.reverse.ptr"], out["graph.reverse.entry"] = reverse.ptr, reverse.entry
    out["graph.req_item"], out["graph.src_req"] = reverse.req_item, reverse.src_req

    _strings(out, "entities.keys", list(snap.entities), index=True)
    _rows(out, "entities.rows", list(snap.entities.values()))
    codes: dict[Provenance, int] = {}
    _strings(out, "provenance.keys", list(snap.provenance), index=True)
    out["provenance.code"] = np.fromiter(
        (codes.setdefault(p, len(codes)) for p in snap.provenance.values()),
        dtype=np.int32,
        count=len(snap.provenance),
    )
    _rows(out, "provenance.rows", list(codes))
    for name in ("names", "requirement_units"):
        table: Mapping[str, str] = getattr(snap, name)
        _strings(out, f"{name}.keys", list(table), index=True)
        _strings(out, f"{name}.values", list(table.values()))
    for name in ("supplies", "capacities", "per_wafer"):
        _rows(out, f"{name}.rows", getattr(snap, name))
    out["supplies.iri.hash"] = hash_table([s.iri for s in snap.supplies])
    for name, keys_of in (
        ("supplies.by_input", ((s.input,) for s in snap.supplies)),
        ("capacities.by_entity", ((c.of, c.holder) for c in snap.capacities)),
    ):
        keys, out[f"{name}.ptr"], out[f"{name}.rows"] = encode_groups(keys_of)
        _strings(out, f"{name}.keys", keys, index=True)
    return {k if k.endswith(".npy") else f"{k}.npy": v for k, v in out.items()}


def _crc_of(path: Path) -> int:
    crc = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            crc = zlib.crc32(chunk, crc)
    return crc


def write_snapshot(snap: Snapshot, folder: Path) -> None:
    """Write `snap` into the new folder `folder`, its manifest last, every file synced.

    Raises:
        FileExistsError: `folder` exists.
        OSError: The folder cannot be written.
    """
    folder.mkdir(parents=False)
    files: dict[str, list[int]] = {}
    for name, array in _arrays(snap).items():
        path = folder / name
        with path.open("wb") as f:
            np.save(f, np.ascontiguousarray(array), allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        files[name] = [path.stat().st_size, _crc_of(path)]
    manifest = {
        "format": FORMAT,
        "version": snap.version,
        "python": list(sys.version_info[:2]),
        "numpy": np.__version__,
        "files": files,
    }
    with (folder / MANIFEST).open("w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())


# ---------------------------------------------------------------------- mapping


def _manifest(folder: Path, version: str | None, verify: bool) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as e:
        raise ProjectionFileError(f"{folder}: no complete {MANIFEST} ({e})") from None
    if manifest.get("format") != FORMAT or manifest.get("python") != list(sys.version_info[:2]):
        raise ProjectionFileError(
            f"{folder}: format {manifest.get('format')} for Python {manifest.get('python')};"
            f" expected format {FORMAT} for Python {list(sys.version_info[:2])}"
        )
    if version is not None and manifest.get("version") != version:
        raise ProjectionFileError(
            f"{folder}: holds version {manifest.get('version')!r}, expected {version!r}"
        )
    for name, (size, crc) in manifest["files"].items():
        path = folder / name
        try:
            actual = path.stat().st_size
        except OSError:
            actual = -1
        if actual != size or (verify and _crc_of(path) != crc):
            raise ProjectionFileError(
                f"{folder / name}: {actual} bytes"
                f"{'' if actual != size else ' with another checksum'}; the manifest expects"
                f" {size} bytes of CRC-32 {crc:08x}: the file is damaged, project it again"
            )
    return manifest


def _load(folder: Path, name: str) -> npt.NDArray[Any]:
    path = folder / f"{name}.npy"
    arr: npt.NDArray[Any] = np.load(path, mmap_mode="r", allow_pickle=False)
    return arr


def map_snapshot(folder: Path, version: str | None = None, *, verify: bool = True) -> Snapshot:
    """The snapshot written in `folder`, mapped read-only.

    Args:
        folder: A folder `write_snapshot` wrote.
        version: The graph version it must hold (None: any).
        verify: Check every file's CRC-32 against the manifest (reads every byte once),
            not only its size.

    Raises:
        ProjectionFileError: The folder is incomplete, damaged, of another format or version.
    """
    manifest = _manifest(folder, version, verify)

    def load(name: str) -> npt.NDArray[Any]:
        return _load(folder, name)

    def strings(name: str) -> Strings:
        return Strings(load(f"{name}.blob"), load(f"{name}.off"))

    def rows(name: str, make: Any) -> Rows[Any]:
        return Rows(make, load(f"{name}.rows.blob"), load(f"{name}.rows.off"))

    def keyed(name: str) -> tuple[Strings, HashIndex]:
        keys = strings(f"{name}.keys")
        return keys, HashIndex(keys, load(f"{name}.keys.hash"))

    ids = strings("graph.ids")
    index = HashIndex(ids, load("graph.ids.hash"))
    req_names = _IntNames(load("graph.req_names.keys"), strings("graph.req_names.values"))
    layout = Layout(
        ids=ids,
        strings=strings("graph.strings"),
        req_names=req_names,
        **{name: load(f"graph.{name}") for name in _LAYOUT_ARRAYS},
    )
    from stackgraph.graph.analysis._layout import Shares

    req_item, src_req = load("graph.req_item"), load("graph.src_req")
    derived = {
        "shares": Shares(
            load("graph.shares.known"), load("graph.shares.unknown"), load("graph.shares.rest")
        ),
        "reverse": Reverse(
            load("graph.reverse.ptr"), load("graph.reverse.entry"), req_item, src_req
        ),
        "req_item": req_item,
        "src_req": src_req,
    }
    graph = DependencyGraph.from_parts(layout, derived, _Index(index))

    entity_keys, entity_index = keyed("entities")
    entity_rows = rows("entities", EntityInfo)
    fact_keys, fact_index = keyed("provenance")
    fact_code = as_view(load("provenance.code"))
    fact_rows = rows("provenance", Provenance)
    provenance_of = functools.lru_cache(maxsize=65536)(fact_rows.__getitem__)

    def text_table(name: str) -> MappedDict[str]:
        keys, idx = keyed(name)
        return MappedDict(keys, idx, strings(f"{name}.values").__getitem__)

    supplies = rows("supplies", SupplyInfo)
    capacities = rows("capacities", CapacityInfo)

    def groups(name: str, of: Sequence[Any]) -> MappedDict[list[Any]]:
        keys, idx = keyed(name)
        ptr, members = as_view(load(f"{name}.ptr")), as_view(load(f"{name}.rows"))
        return MappedDict(keys, idx, lambda g: [of[r] for r in members[ptr[g] : ptr[g + 1]]])

    iris = Field(supplies, "iri")
    lookups = Lookups(
        supplies_by_input=groups("supplies.by_input", supplies),
        supply_by_iri=MappedDict(
            iris, HashIndex(iris, load("supplies.iri.hash")), supplies.__getitem__
        ),
        capacities_by_entity=groups("capacities.by_entity", capacities),
    )
    return Snapshot(
        version=str(manifest["version"]),
        graph=graph,
        entities=MappedDict(entity_keys, entity_index, entity_rows.__getitem__),
        provenance=MappedDict(fact_keys, fact_index, lambda i: provenance_of(fact_code[i])),
        supplies=supplies,
        names=text_table("names"),
        capacities=capacities,
        requirement_units=text_table("requirement_units"),
        per_wafer=rows("per_wafer", PerWafer),
        lookups=lookups,
    )


class _Index(Mapping[str, int]):
    """A graph's ids -> positions, over its `HashIndex`."""

    __slots__ = ("_index",)

    def __init__(self, index: HashIndex) -> None:
        self._index = index

    def __getitem__(self, key: str) -> int:
        return self._index[key]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Any:
        return iter(self._index._keys)

    def __len__(self) -> int:
        return len(self._index._keys)


class _IntNames(Mapping[int, str]):
    """Requirement positions -> explicit ids, over sorted positions and their strings."""

    __slots__ = ("_keys", "_values")

    def __init__(self, keys: npt.NDArray[np.int64], values: Strings) -> None:
        self._keys, self._values = as_view(keys), values

    def __getitem__(self, key: int) -> str:
        keys = self._keys
        pos = bisect.bisect_left(keys, key)
        if pos < len(keys) and keys[pos] == key:
            return self._values[pos]
        raise KeyError(key)

    def get(self, key: int, default: Any = None) -> Any:
        if not len(self._keys):
            return default
        try:
            return self[key]
        except KeyError:
            return default

    def __iter__(self) -> Any:
        return iter(self._keys.tolist())

    def __len__(self) -> int:
        return len(self._keys)
