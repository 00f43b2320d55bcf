"""The typed context of one GraphQL request: one graph snapshot, loaders, a deadline."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from stackgraph.api.allocator import trimmed_after
from stackgraph.api.cache import AnalysisCache
from stackgraph.api.errors import (
    BadInputError,
    CycleFoundError,
    DeadlineExceededError,
    NotFoundError,
)
from stackgraph.api.graph_view import GraphView
from stackgraph.api.settings import Settings
from stackgraph.graph import vocabulary
from stackgraph.graph.analysis import CycleError, UnknownNodeError
from stackgraph.graph.details import Details, read_details
from stackgraph.graph.errors import UnknownEntityError
from stackgraph.graph.snapshot import Snapshot

__all__ = ["Context", "Info", "known"]

T = TypeVar("T")


def known(kind: str, values: Sequence[str] | None, argument: str) -> tuple[str, ...] | None:
    """`values`, sorted and deduplicated, when each is a layer or category (`kind`) of the schema.

    Raises:
        BadInputError: one is not (the message names the closest ones).
    """
    try:
        checked = vocabulary.check(kind, values)
    except vocabulary.UnknownValueError as exc:
        raise BadInputError(str(exc), argument=argument) from None
    return None if checked is None else tuple(sorted(set(checked)))


@dataclass
class Context:
    """Everything a resolver needs; built once per request by the GraphQL view."""

    request: Request | None
    response: Response | None
    settings: Settings
    view: GraphView
    cache: AnalysisCache
    deadline: float
    limiter: anyio.CapacityLimiter | None = None
    """Bounds how many requests' analyses run at once (None: anyio's default pool)."""
    details: DataLoader[str, Details] = field(init=False)

    def __post_init__(self) -> None:
        self.details = DataLoader(load_fn=self._load_details)

    @property
    def snapshot(self) -> Snapshot:
        """The graph version this request reads, projected (the analyses run on its graph)."""
        return self.view.snapshot()

    @property
    def version(self) -> str:
        """The graph version this request reads."""
        return self.view.snapshot().version

    async def run(self, fn: Callable[[], T]) -> T:
        """Run blocking `fn` in a worker thread within the request's deadline.

        Library errors become coded API errors here, so resolvers never leak internals.
        """
        with self._deadline():
            return await self._threaded(fn)

    async def cached(self, key: Sequence[Hashable], fn: Callable[[], T]) -> T:
        """`fn()` from the analysis cache, computed off the event loop on a miss: once for all
        the requests that miss it meanwhile, each waiting within its own deadline."""
        with self._deadline():
            # an analysis' temporaries go back to the system once it is done
            compute = trimmed_after(fn)
            return await self.cache.shared((self.version, *key), lambda: self._threaded(compute))

    async def _threaded(self, fn: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(
            _translated(fn), abandon_on_cancel=True, limiter=self.limiter
        )

    @contextlib.contextmanager
    def _deadline(self) -> Iterator[None]:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceededError(self.settings.request_timeout_s)
        try:
            with anyio.fail_after(remaining):
                yield
        except TimeoutError:
            raise DeadlineExceededError(self.settings.request_timeout_s) from None

    def resolve(self, ref: str, field: str | None = None) -> str:
        """The slug of an entity named by slug, name, alias or IRI (NOT_FOUND otherwise)."""
        try:
            return self.view.resolve(ref)
        except UnknownEntityError as exc:
            raise NotFoundError(ref, exc.suggestions, field) from None

    def page_size(self, first: int | None, default: int = 20) -> int:
        """`first`, checked against the page size limit."""
        size = default if first is None else first
        limit = self.settings.max_page_size
        if not 0 <= size <= limit:
            raise BadInputError(
                f"`first` must be between 0 and {limit}, got {size}; page with `after`",
                argument="first",
                max=limit,
            )
        return size

    async def _load_details(self, iris: list[str]) -> list[Details]:
        version = self.version
        found: dict[str, Details] = {}
        for iri in iris:
            hit = self.cache.get((version, "details", iri))
            if not AnalysisCache.missing(hit):
                found[iri] = hit
        missing = [iri for iri in iris if iri not in found]
        if missing:
            store = self.view.store
            fresh = await self.run(lambda: read_details(store, missing))
            for iri, d in fresh.items():
                self.cache.put((version, "details", iri), d)
            found.update(fresh)
        return [found[iri] for iri in iris]


def _translated(fn: Callable[[], T]) -> Callable[[], T]:
    def call() -> T:
        try:
            return fn()
        except UnknownEntityError as exc:
            raise NotFoundError(exc.value, exc.suggestions) from None
        except UnknownNodeError as exc:
            raise NotFoundError(exc.node, list(exc.suggestions)) from None
        except CycleError as exc:
            raise CycleFoundError(
                f"{exc}; break the cycle in the data or ask about an item outside it",
                exc.cycles,
            ) from None

    return call


Info = StrawberryInfo[Context, Any]
"""The `info` argument of resolvers, typed with our context."""
