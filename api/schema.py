"""The GraphQL schema, built for a set of settings (limits, introspection)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
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
from strawberry.types import ExecutionContext

from stackgraph.api.errors import is_reported
from stackgraph.api.limits import limit_rules
from stackgraph.api.query import Query
from stackgraph.api.settings import Settings

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
    if not settings.introspection:
        extensions.append(_NoSuggestions)
    return _Schema(query=Query, extensions=extensions)


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class _NoSuggestions(SchemaExtension):
    """With introspection off, validation errors keep their message but not the "Did you mean
    'x'?" hints, which would list the schema's fields and types one guess at a time."""

    def on_validate(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or []:
            error.message = _SUGGESTION.sub("", error.message)


class _Schema(strawberry.Schema):
    """The schema, logging each error of ours (a bad argument, an unknown id: the client's to
    fix) in one line; a traceback only for a real fault."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        faults = []
        for error in errors:
            if is_reported(error) or error.original_error is None:
                code = (error.extensions or {}).get("code", "GRAPHQL")
                log.info("%s at %s: %s", code, error.path, error.message)
            else:
                faults.append(error)
        super().process_errors(faults, execution_context)
