"""`Projections`: one projection file per graph version, written once, mapped by every process.

Where: beside an on-disk store (``oxigraph:PATH`` -> ``PATH/../.NAME.projections/``), in the
user's cache for a ``sparql:`` store (``$XDG_CACHE_HOME/stackgraph/projections/<hash of the
URL>/``), or under the folder `STACKGRAPH_PROJECTIONS` names, one folder per store (``off``:
none; a ``memory:`` store has none). Each version is a folder ``v<FORMAT>-<version>/`` (`stackgraph.graph.projection_file`).

How processes share it, all by `flock`:

- the first process to need a version takes ``write.lock`` (exclusive), looks again, projects
  from the store, writes into ``.tmp-<pid>-<n>/`` and renames it into place; the others wait on
  that lock, then map what it wrote. Nothing else writes a version folder;
- a process that maps a folder holds a shared lock on its ``lock`` file for as long as its
  snapshot lives (released when the snapshot is collected);
- after mapping, a process removes every other version folder whose ``lock`` it can lock
  exclusively (no process maps it): renamed away first, so no one maps it half-removed;
- a folder without a complete manifest, or whose files do not match it, is moved aside and
  projected again, never answered from.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import logging
import os
import shutil
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from stackgraph.graph.projection_file import (
    FORMAT,
    ProjectionFileError,
    map_snapshot,
    write_snapshot,
)
from stackgraph.graph.snapshot import Snapshot
from stackgraph.graph.store import OxigraphStore, SparqlStore, Store

__all__ = ["Projections", "projections_root"]

log = logging.getLogger(__name__)
_counter = itertools.count()


def projections_root(store: Store) -> Path | None:
    """Where the projection files of `store` live, or None (`memory:`, or turned off)."""
    env = os.environ.get("STACKGRAPH_PROJECTIONS", "")
    if env.lower() == "off":
        return None
    if isinstance(store, OxigraphStore):
        if store.path is None:
            return None
        path = Path(store.path).resolve()
        if not env:
            return path.parent / f".{path.name}.projections"
        digest = hashlib.sha256(str(path).encode()).hexdigest()[:16]
        return Path(env) / f"{path.name}-{digest}"
    if isinstance(store, SparqlStore):
        digest = hashlib.sha256(store.url.encode()).hexdigest()[:16]
        if env:
            return Path(env) / digest
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        return cache / "stackgraph" / "projections" / digest
    return None


@contextmanager
def _locked(path: Path, how: int) -> Iterator[int]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, how)
        yield fd
    finally:
        os.close(fd)


class Projections:
    """The projection files of one store in the folder `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def folder(self, version: str) -> Path:
        """The folder of `version`."""
        return self.root / f"v{FORMAT}-{version}"

    def snapshot(self, version: str, project: Callable[[], Snapshot]) -> Snapshot:
        """The snapshot of `version`: mapped from its file, or projected by `project` and
        written first when no process wrote it yet (or it was damaged).

        Raises:
            OSError: The folder cannot be written (the caller projects in memory instead).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        snap = self._map(version)
        if snap is None:
            with _locked(self.root / "write.lock", fcntl.LOCK_EX):
                snap = self._map(version)  # written while this process waited
                if snap is None:
                    self._clean_temporaries()
                    built = project()
                    tmp = self.root / f".tmp-{os.getpid()}-{next(_counter)}"
                    write_snapshot(built, tmp)
                    os.rename(tmp, self.folder(version))
                    snap = self._map(version)
                    if snap is None:  # removed between the rename and the map: answer anyway
                        return built
        self.sweep(keep=version)
        return snap

    def _map(self, version: str) -> Snapshot | None:
        """The mapped snapshot of `version` with its folder's shared lock held, or None."""
        folder = self.folder(version)
        try:
            fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            # A remover renames the folder away while it holds the lock exclusively: the lock
            # file opened before that is no longer this folder's.
            if os.fstat(fd).st_ino != os.stat(folder / "lock").st_ino:
                os.close(fd)
                return None
            snap = map_snapshot(folder, version)
        except ProjectionFileError as e:
            os.close(fd)
            log.warning("projection file not used, projecting again: %s", e)
            self._discard(folder)
            return None
        except OSError:
            os.close(fd)
            return None
        weakref.finalize(snap, os.close, fd)
        return snap

    def _discard(self, folder: Path) -> None:
        """Move a damaged folder aside and remove it."""
        trash = self.root / f".trash-{os.getpid()}-{next(_counter)}"
        try:
            os.rename(folder, trash)
        except OSError:
            return
        shutil.rmtree(trash, ignore_errors=True)

    def _clean_temporaries(self) -> None:
        """Remove what writers that died left (only called with ``write.lock`` held)."""
        for p in self.root.glob(".tmp-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in self.root.glob(".trash-*"):
            shutil.rmtree(p, ignore_errors=True)

    def versions(self) -> list[str]:
        """The versions that have a folder, by name."""
        prefix = f"v{FORMAT}-"
        return sorted(p.name.removeprefix(prefix) for p in self.root.glob(f"{prefix}*"))

    def sweep(self, keep: str | None = None) -> list[str]:
        """Remove the folders of versions (other than `keep`) that no process maps; the
        versions removed."""
        removed = []
        for version in self.versions():
            if version == keep:
                continue
            folder = self.folder(version)
            try:
                fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue  # mapped by some process
            try:
                trash = self.root / f".trash-{os.getpid()}-{next(_counter)}"
                os.rename(folder, trash)
            except OSError:
                os.close(fd)
                continue
            os.close(fd)
            shutil.rmtree(trash, ignore_errors=True)
            removed.append(version)
        return removed
