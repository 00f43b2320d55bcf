"""The ingest lock: one run at a time per store, a second one is told to retry later."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from stackgraph.graph.errors import StoreBusyError
from stackgraph.graph.store import lock_path

__all__ = ["lock"]


@contextmanager
def lock(spec: str) -> Iterator[None]:
    """Hold the ingest lock of a store for the duration of the block.

    The lock is an advisory ``flock`` on a file beside an on-disk store (see
    ``stackgraph.graph.store.lock_path``), released when the block ends or the process dies; it holds the
    owner's process id for whoever looks.

    Args:
        spec: the store spec, such as ``oxigraph:var/store``.

    Raises:
        StoreBusyError: another run holds the lock (exit code 75: retry later).

    Examples:
        >>> import tempfile
        >>> spec = f"oxigraph:{tempfile.mkdtemp()}/store"
        >>> with lock(spec):
        ...     with lock(spec):
        ...         pass
        Traceback (most recent call last):
        ...
        stackgraph.graph.errors.StoreBusyError: another ingest holds the lock .store.lock on this store; retry later
    """
    path = lock_path(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusyError(
                f"another ingest holds the lock {path.name} on this store; retry later"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
