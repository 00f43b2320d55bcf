"""The GraphQL schema, built for a set of settings (limits, introspection)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

from api.errors import is_reported
from api.limits import limit_rules
from api.query import Query
from api.settings import Settings

__all__ = ["build_schema"]

log = logging.getLogger("stackgraph.api")

MASKED_MESSAGE = "Internal error; it has been logged. Retry, or report the query if it persists."


def _should_mask(error: GraphQLError) -> bool:
    if is_reported(error):
        return False
    # Masked for the client, never swallowed: the full error goes to the server log.
    log.error("unexpected error in %s", error.path, exc_info=error.original_error)
    return True


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The schema with the extensions that enforce `settings` (defaults when None)."""
    settings = settings or Settings()
    rules: list[Any] = limit_rules(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_cost=settings.max_cost,
        max_page=settings.max_page_size,
    )
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    size = settings.parser_cache_size
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=size),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=size),
        lambda: MaskErrors(should_mask_error=_should_mask, error_message=MASKED_MESSAGE),
    ]
    return strawberry.Schema(query=Query, extensions=extensions)
