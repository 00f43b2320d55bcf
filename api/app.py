"""The ASGI application: `create_app(settings)` builds it; the graph opens in the lifespan."""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL

from stackgraph.api.allocator import trim
from stackgraph.api.assets import STATIC, graphiql_page
from stackgraph.api.cache import AnalysisCache
from stackgraph.api.context import Context
from stackgraph.api.explorer import explorer
from stackgraph.api.graph_view import GraphView
from stackgraph.api.guards import BodyLimit, Deadline, JsonBody, Loaded
from stackgraph.api.response_cache import ResponseCache
from stackgraph.api.schema import build_schema
from stackgraph.api.settings import Settings
from stackgraph.graph.errors import StoreError
from stackgraph.graph.store import open_store
from stackgraph.knowledge import KnowledgeGraph

__all__ = ["GraphQLApp", "app_from_env", "create_app"]

log = logging.getLogger("stackgraph.api")


class GraphQLApp(GraphQL[Context, None]):
    """The strawberry ASGI view; every request gets a context pinned to one graph snapshot."""

    def __init__(self, settings: Settings, cache: AnalysisCache) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            multipart_uploads_enabled=False,
        )
        self.settings = settings
        self.cache = cache

    async def render_graphql_ide(self, request: Any) -> Response:
        """GraphiQL from the files this package ships (`stackgraph.api.assets`), not from a CDN."""
        return HTMLResponse(graphiql_page())

    async def get_context(self, request: Any, response: Any) -> Context:
        """One snapshot, fresh loaders and a deadline for this request."""
        deadline = time.monotonic() + self.settings.request_timeout_s
        view: GraphView = request.app.state.view
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            view=view,
            cache=self.cache,
            deadline=deadline,
            limiter=request.app.state.work,
        )

    async def get_root_value(self, request: Any) -> None:
        """No root value: the Query type resolves everything from the context."""
        return None


def _failed(app: Starlette, exc: Exception) -> None:
    """Note that a graph version could not be projected: logged once per distinct error (not
    every round), and /readyz says so until a version loads."""
    text = f"{type(exc).__name__}: {exc}"
    if app.state.reload_error is None or app.state.reload_error["error"] != text:
        log.error("could not load the current graph version (%s); serving the previous one", text)
        log.debug("the failed projection", exc_info=exc)
        app.state.reload_error = {"error": text, "since": time.time()}


async def _watch(app: Starlette, kg: KnowledgeGraph, interval: float) -> None:
    """Every `interval` seconds, pin the current graph version for the requests that follow.

    Requests never wait for a reload: they read the view pinned last, and a new version (the
    projection rebuilt in a worker thread) replaces it only once complete.
    """
    while True:
        await anyio.sleep(max(interval, 0.05))
        try:
            if await anyio.to_thread.run_sync(kg.pending):
                async with _first(app.state.work):
                    view = await anyio.to_thread.run_sync(GraphView, kg)
            else:
                view = await anyio.to_thread.run_sync(GraphView, kg)
        except Exception as exc:
            _failed(app, exc)  # keep serving the last good version; the next round retries
            continue
        app.state.reload_error = None
        app.state.loaded = True
        if view.snapshot() is not app.state.view.snapshot():
            app.state.view = view
            app.state.cache.keep_only(view.snapshot().version)
            _settle()


WORK_THREADS = 4
"""Requests' analyses that run at once (each holds the GIL; more threads only share it more
thinly). Others wait their turn within their deadline."""


@contextlib.asynccontextmanager
async def _first(work: anyio.CapacityLimiter) -> AsyncIterator[None]:
    """While a new version is projected, requests' analyses wait (within their deadline): with
    every worker thread busy, the projection would get a sliver of the GIL and the switch would
    take seconds under load. The watcher holds the only token: the analyses under way finish,
    none starts until the new version is pinned (lookups answered from the caches go on)."""
    full = work.total_tokens
    work.total_tokens = 1
    try:
        async with work:
            yield
    finally:
        work.total_tokens = full


def _settle() -> None:
    """After a swap: collect what earlier versions left, then freeze what lives on.

    Frozen objects leave the collector's view, so full collections scan only per-request garbage
    (low p99). But garbage frozen with them is never collected: requests in flight at the last
    swap leave cycles that hold their view, and so its store, open. Unfreezing first lets those
    go (each view lets go of its store when collected), once per version.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    # the store's and the projection's buffers come and go with each version: without a trim
    # the allocator keeps their pages, about half a MiB more per version
    trim()


def create_app(settings: Settings) -> Starlette:
    """Build the application for these settings."""
    cache = AnalysisCache(settings.analysis_cache_size, settings.analysis_cache_mib * 2**20)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        kg = KnowledgeGraph.open(settings.store, reload_interval=settings.reload_interval_s)
        app.state.kg = kg
        app.state.work = anyio.CapacityLimiter(WORK_THREADS)
        try:
            # Build the projection before serving; then a watcher swaps in new versions.
            try:
                app.state.view = await anyio.to_thread.run_sync(GraphView, kg)
                app.state.loaded = True
            except StoreError:
                raise  # the store itself is unreadable: nothing to serve, and retrying at once
            except Exception as exc:
                # The data cannot be projected (written past ingest's checks). Serve anyway:
                # /readyz and /graphql answer 503 saying why, and the watcher retries, so the
                # next good version is served without a restart (no crash loop).
                _failed(app, exc)
                app.state.view = GraphView(KnowledgeGraph(open_store("memory:")))
            # Long-lived objects (schema, projection) leave the collector's view: full
            # collections then scan only per-request garbage, which keeps p99 latency low.
            gc.freeze()
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_watch, app, kg, settings.reload_interval_s)
                yield
                tasks.cancel_scope.cancel()
        finally:
            kg.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        snap = request.app.state.view.snapshot()
        ready = bool(snap.entities)
        body = {
            "status": "ready" if ready else "empty",
            "version": snap.version if request.app.state.loaded else None,
            "entities": len(snap.entities),
        }
        if request.app.state.reload_error is not None:
            # still answering, from the last version that loaded: say why the newer one did not
            body["status"] = "stale" if request.app.state.loaded else "unavailable"
            body["reload_error"] = request.app.state.reload_error
        return JSONResponse(body, status_code=200 if ready else 503)

    responses = ResponseCache(
        Deadline(GraphQLApp(settings, cache), settings.request_timeout_s),
        settings.response_cache_size,
    )
    graphql = Loaded(
        BodyLimit(JsonBody(responses), settings.max_body_bytes),
        lambda: None if app.state.loaded else _error_text(app),
    )
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["content-type", "authorization"],
                max_age=600,
            )
        )
    app = Starlette(
        routes=[
            Route("/", explorer, methods=["GET", "HEAD"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.reload_error = None
    app.state.loaded = False
    app.state.cache = cache
    app.state.responses = responses
    return app


def _error_text(app: Starlette) -> str | None:
    error = app.state.reload_error
    return None if error is None else str(error["error"])


def app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` and multi-worker serving."""
    return create_app(Settings.from_env())
