"""The ASGI application: `create_app(settings)` builds it; the graph opens in the lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.settings import Settings
from graph.store import open_store

__all__ = ["app_from_env", "create_app"]


def create_app(settings: Settings) -> Starlette:
    """Build the application for these settings."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = open_store(settings.store, read_only=True)
        app.state.store = store
        try:
            yield
        finally:
            store.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        store = request.app.state.store
        graphs = [g for g in store.named_graphs() if not g.endswith("/meta")]
        ready = bool(graphs)
        return JSONResponse(
            {"status": "ready" if ready else "empty", "graphs": len(graphs)},
            status_code=200 if ready else 503,
        )

    return Starlette(
        routes=[Route("/healthz", healthz), Route("/readyz", readyz)],
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` and multi-worker serving."""
    return create_app(Settings.from_env())
