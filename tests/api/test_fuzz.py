"""Queries generated from the schema (valid ones, and broken ones) never get a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis_graphql import Mode, queries

from tests.api._server import Server
from tests.conftest import ROOT

SDL = (ROOT / "api" / "schema.graphql").read_text(encoding="utf-8")
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "broken"])
def test_generated_queries_never_get_a_500(server: Server, mode: Mode) -> None:
    @FUZZ
    @given(query=queries(SDL, mode=mode))
    def check(query: str) -> None:
        response = server.post({"query": query})
        assert response.status_code < 500, (query, response.text)
        body = response.json()
        for error in body.get("errors") or []:
            assert "Internal error" not in error["message"], (query, error)

    check()
