"""`Versions`: the current graph version of a store, projected once per version.

A store on disk opened read-only is reopened when a writer (an ingest) commits, and the next
snapshot is built from the new version; a reader never sees a half-written graph.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from graph.projection import Snapshot, build_snapshot, graph_version
from graph.store import OxigraphStore, Store

__all__ = ["Versions"]


class Versions:
    """The snapshots of one store: the current one, checked at most every `reload_interval` s."""

    def __init__(self, store: Store, *, reload_interval: float = 1.0) -> None:
        self.store = store
        self._reload_interval = reload_interval
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._signature: tuple[Any, ...] | None = None
        self._retired: Store | None = None
        """The store the last reopen replaced: left open for the readers still on it, closed at
        the next reopen (an old handle holds the descriptors of files an ingest deleted)."""

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
            self.store = OxigraphStore(store.path, read_only=True)
            self._signature = signature
            if self._retired is not None:
                self._retired.close()
            self._retired = store

    def close(self) -> None:
        """Release the current store and the one it replaced."""
        if self._retired is not None:
            self._retired.close()
            self._retired = None
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
                self._snapshot = build_snapshot(self.store, version)
            return self._snapshot
