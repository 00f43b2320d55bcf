"""The GraphQL API: `create_app(settings)` builds the ASGI application."""

from __future__ import annotations

from api.app import app_from_env, create_app
from api.settings import Settings

__all__ = ["Settings", "app_from_env", "create_app"]
