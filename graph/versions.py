"""`Versions`: the current graph version of a store, projected once per version.

A store on disk opened read-only is reopened when a writer (an ingest) commits, and the next
snapshot is built from the new version; a reader never sees a half-written graph.

Each version is projected once into a file that every process maps (`stackgraph.graph.projections`):
the first process to need it projects and writes it, the others (server workers, later runs)
map it. A store with no place for such files (`memory:`, or `STACKGRAPH_PROJECTIONS=off`) is
projected in memory by each process.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from stackgraph.graph.errors import StoreDamagedError
from stackgraph.graph.projection import Snapshot, build_snapshot, graph_version
from stackgraph.graph.projections import Projections, projections_root
from stackgraph.graph.store import OxigraphStore, Store

__all__ = ["Versions"]

log = logging.getLogger(__name__)


class Versions:
    """The snapshots of one store: the current one, checked at most every `reload_interval` s."""

    def __init__(
        self, store: Store, *, reload_interval: float = 1.0, projections: Path | None = None
    ) -> None:
        """`projections` is the folder of the projection files; default
        `stackgraph.graph.projections.projections_root(store)`."""
        self.store = store
        root = projections if projections is not None else projections_root(store)
        self.projections = None if root is None else Projections(root)
        self._reload_interval = reload_interval
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._signature: tuple[Any, ...] | None = None
        self._retired: list[Store] = []
        """Stores a reopen replaced, left open while a reader holds them (see `pin`): an old
        handle holds the descriptors of files an ingest deleted, so each is closed as soon as
        its last reader lets go."""
        self._pins: dict[int, int] = {}

    def pin(self) -> tuple[Snapshot, Store]:
        """The current snapshot and the store it was read from, that store kept open until
        `release(store)` is called once for this pin."""
        with self._lock:
            # Looked at now, not at most every `reload_interval`: the server's watcher pins a
            # view each round on its own clock, and a throttled look would miss rounds.
            snap = self.snapshot(refresh=True)
            store = self.store
            self._pins[id(store)] = self._pins.get(id(store), 0) + 1
            return snap, store

    def release(self, store: Store) -> None:
        """Let go of one pin of `store`; a replaced store nobody holds any more is closed."""
        with self._lock:
            left = self._pins.get(id(store), 0) - 1
            if left > 0:
                self._pins[id(store)] = left
            else:
                self._pins.pop(id(store), None)
            self._sweep()

    def _sweep(self) -> None:
        held = [s for s in self._retired if id(s) in self._pins]
        for s in self._retired:
            if id(s) not in self._pins:
                s.close()
        self._retired = held

    def _disk_signature(self) -> tuple[Any, ...] | None:
        store = self.store
        if not isinstance(store, OxigraphStore) or store.path is None or not store.read_only:
            return None
        # Every file, not only the logs and manifests: a writer's last step (a flush into a new
        # table file) may change nothing else, and a read-only handle opened before it never
        # sees it. A file gone between the listing and its stat means a writer is at work:
        # look again next round.
        try:
            return tuple(
                sorted(
                    (p.name, st.st_size, st.st_mtime_ns)
                    for p in Path(store.path).iterdir()
                    for st in (p.stat(),)
                )
            )
        except FileNotFoundError:
            return None

    def _maybe_reopen(self) -> None:
        """Reopen a read-only on-disk store when its files changed (a writer committed)."""
        signature = self._disk_signature()
        if signature is None:
            return
        if self._signature is None:
            self._signature = signature
        elif signature != self._signature:
            store = self.store
            assert isinstance(store, OxigraphStore) and store.path is not None
            try:
                self.store = OxigraphStore(store.path, read_only=True)
            except StoreDamagedError:
                # A read-only open lists the files, then opens them: a writer compacting in
                # between removes one. When the files changed meanwhile, that is the writer at
                # work, not damage: keep the current handle and look again next round.
                if self._disk_signature() != signature:
                    return
                raise
            self._signature = signature
            self._retired.append(store)
            self._sweep()

    def pending(self) -> bool:
        """Whether the store may hold a version other than the current snapshot's (cheap: a
        directory listing of a read-only store on disk, else a query of the content hashes)."""
        with self._lock:
            if self._snapshot is None:
                return True
            signature = self._disk_signature()
            if signature is not None:
                return signature != self._signature
            return graph_version(self.store) != self._snapshot.version

    def close(self) -> None:
        """Release the current store and those it replaced."""
        with self._lock:
            for s in self._retired:
                s.close()
            self._retired = []
            self.store.close()

    def snapshot(self, *, refresh: bool = False) -> Snapshot:
        """The projection of the current graph version (rebuilt only when the version changed)."""
        with self._lock:
            now = time.monotonic()
            if (
                self._snapshot is not None
                and not refresh
                and now - self._checked < self._reload_interval
            ):
                return self._snapshot
            self._checked = now
            self._maybe_reopen()
            version = graph_version(self.store)
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = self._project(version)
            return self._snapshot

    def _project(self, version: str) -> Snapshot:
        store = self.store
        if self.projections is None:
            return build_snapshot(store, version)
        try:
            return self.projections.snapshot(version, lambda: build_snapshot(store, version))
        except OSError as e:
            # A folder this process cannot write (a read-only mount): each process projects.
            log.warning(
                "no projection file in %s (%s): projecting in memory", self.projections.root, e
            )
            self.projections = None
            return build_snapshot(store, version)
