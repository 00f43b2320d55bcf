"""Large writes to the embedded store through a shadow copy, swapped in with one rename.

Oxigraph applies a transaction in memory: a write of millions of quads needs gigabytes. Its bulk
loader streams from disk with bounded memory, but is not atomic. A large write therefore goes to a
shadow copy of the store:

1. the store is checkpointed beside itself (``Store.backup``: hard links to its immutable files,
   cheap at any size);
2. the copy is changed there: deletions as SPARQL updates (their size is that of what goes), the
   added quads with the bulk loader from a file; then it is compacted (``Store.optimize``): the
   bulk loader's files, left as they are, make every later read of the store slower, the more so
   the larger it is (bench/README.md);
3. the copy and the store exchange their paths in one ``renameat2(RENAME_EXCHANGE)`` call, so any
   process opening the store finds either the old folder or the new one, never a mix;
4. the old folder, now at the shadow's path, is removed.

A process killed before step 3 leaves the store as it was and a shadow folder that the next large
write removes first; killed after it, the store is new and only the old folder is left over.
Readers that hold the old folder open keep reading it until they reopen (``stackgraph.graph.versions``).

Linux only (``renameat2`` of glibc 2.28+ on a filesystem that supports the exchange); elsewhere
``available`` is false and the store applies the write as one transaction.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

__all__ = ["available", "build", "exchange", "shadow_path", "swap_in"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.renameat2
    except (OSError, AttributeError):
        return None


def exchange(a: Path, b: Path) -> None:
    """Exchange two paths atomically (both must exist, on one filesystem).

    Raises:
        OSError: the system or the filesystem cannot exchange them.
    """
    call = _renameat2()
    if call is None:
        raise OSError("renameat2 is not available")
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), str(a))


_PROBED: dict[Path, bool] = {}


def available(folder: Path) -> bool:
    """Whether two folders in `folder` can be exchanged atomically (probed once per folder)."""
    folder = folder.resolve()
    if folder not in _PROBED:
        try:
            with tempfile.TemporaryDirectory(dir=folder, prefix=".exchange-probe-") as tmp:
                a, b = Path(tmp, "a"), Path(tmp, "b")
                a.mkdir()
                b.mkdir()
                (a / "x").touch()
                exchange(a, b)
                _PROBED[folder] = (b / "x").exists()
        except OSError:
            _PROBED[folder] = False
    return _PROBED[folder]


def shadow_path(path: Path) -> Path:
    """Where the shadow copy of the store at `path` is built (beside it, hidden)."""
    return path.with_name(f".{path.name}.shadow")


def build(
    live: ox.Store,
    path: Path,
    updates: Iterable[str],
    nquads: Iterable[str],
    files: Iterable[tuple[Path, str]] = (),
) -> Path:
    """Build the shadow of the store `live` open at `path`: a checkpoint of it with `updates`
    (SPARQL, in order) applied, `nquads` (chunks of N-Quads) and `files` (N-Triples files, each
    into its named graph) bulk-loaded, then compacted; returns its path.

    The store itself is not changed; a failure leaves at most the shadow folder behind.
    """
    target = shadow_path(path)
    shutil.rmtree(target, ignore_errors=True)  # left by a run killed before its swap
    live.flush()
    live.backup(str(target))
    try:
        copy = ox.Store(str(target))
        for update in updates:
            copy.update(update)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".nq", dir=path.parent) as f:
            for chunk in nquads:
                f.write(chunk)
            f.flush()
            copy.bulk_load(path=f.name, format=ox.RdfFormat.N_QUADS)
        for file, graph in files:
            copy.bulk_load(path=file, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        copy.optimize()
        copy.flush()
    except BaseException:
        del copy
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def swap_in(built: Path, path: Path) -> None:
    """Make the shadow `built` the store at `path` in one exchange, then remove the old folder.

    Close every handle on the shadow first; handles on the old store keep reading it.
    """
    exchange(built, path)
    shutil.rmtree(built, ignore_errors=True)
