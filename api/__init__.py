"""The GraphQL API: `create_app(settings)` builds the ASGI application."""

from __future__ import annotations

from stackgraph.api.app import app_from_env, create_app
from stackgraph.api.settings import Settings

__all__ = ["Settings", "app_from_env", "create_app"]

# The folder sits at the top of the checkout but installs as stackgraph.api (see pyproject.toml):
# imported by its bare name it would be a second copy of every module, so that name is refused.
if __name__ != "stackgraph.api":
    raise ImportError(f"import stackgraph.api, not {__name__}")
