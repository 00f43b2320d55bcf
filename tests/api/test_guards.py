"""The body size guard: a request larger than the limit is refused with 413, however sent."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

from tests.api._server import Server


def test_body_size_limit_by_content_length(strict_server: Server) -> None:
    padding = " " * 3000
    response = strict_server.post({"query": "{ graphInfo { version } }" + padding})
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "limit": 2048}
    assert "larger than 2048 bytes" in error["message"]


def test_body_size_limit_when_streamed(strict_server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ graphInfo { version } }'
        for _ in range(10):
            yield b" " * 500
        yield b'"}'

    with httpx.Client(timeout=30) as client:
        response = client.post(
            strict_server.graphql, content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413


def test_body_size_limit_through_gql(strict_server: Server) -> None:
    transport = HTTPXTransport(url=strict_server.graphql, timeout=30)
    with Client(transport=transport) as session, pytest.raises(TransportQueryError) as info:
        session.execute(
            GraphQLRequest(
                "query ($pad: String) { graphInfo { version } }",
                variable_values={"pad": "x" * 4000},
            )
        )
    assert (info.value.errors or [{}])[0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
