"""Every limit rejects what it should, with a message that says what to do instead."""

from __future__ import annotations

from typing import Any

import pytest
from gql import Client
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

from tests.api._server import Server

DEEP = '{ entity(id: "X1") { requirements { input { requirements { input { id } } } } } }'
ALIASED = '{ a: entity(id: "X1") { id } b: entity(id: "X1") { id } c: entity(id: "X1") { id } }'
COSTLY = """{
  chokepoints(first: 5) { endProducts { id name } }
  impact(shortages: [{id: "ex-cowos", availability: 0}], first: 5) { totalCount }
  singlePointsOfFailure(id: "ex-rack") { path }
  criticalPath(id: "ex-rack") { totalDays }
}"""


def rejection(server: Server, document: str) -> dict[str, Any]:
    with pytest.raises(TransportQueryError) as info:
        server.query(document)
    assert info.value.data is None, "a rejected query must not run"
    errors = info.value.errors or []
    assert len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    return error


@pytest.mark.parametrize(
    ("document", "code", "words"),
    [
        (DEEP, "DEPTH_LIMIT", "is 6 levels deep, more than the limit of 4"),
        (ALIASED, "ALIAS_LIMIT", "uses 3 aliases, more than the limit of 2"),
        (COSTLY, "COST_LIMIT", "more than the limit of 400; ask for smaller pages"),
    ],
    ids=["depth", "aliases", "cost"],
)
def test_limit_rejects_with_code_and_hint(
    server: Server, strict_server: Server, document: str, code: str, words: str
) -> None:
    server.query(document)  # within the default limits
    error = rejection(strict_server, document)
    assert error["extensions"]["code"] == code
    assert words in error["message"]


def test_cost_counts_pages_of_nested_lists(server: Server) -> None:
    nested = """{ search(first: 100) { edges { node {
        dependencies(first: 100) { edges { node { dependents(first: 100) { totalCount } } } }
    } } } }"""
    error = rejection(server, nested)
    assert error["extensions"]["code"] == "COST_LIMIT"
    assert error["extensions"]["cost"] > error["extensions"]["limit"] == 50_000


def test_cost_of_fragment_bombs_is_measured_quickly(server: Server) -> None:
    fragments = "".join(
        f"fragment F{i} on Entity {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(40)
    )
    document = '{ entity(id: "X1") { ...F0 } }\n' + fragments + "fragment F40 on Entity { id }"
    error = rejection(server, document)
    assert error["extensions"]["code"] == "COST_LIMIT"


def test_token_limit(server: Server, strict_server: Server) -> None:
    document = "{ " + " ".join("graphInfo { version }" for _ in range(30)) + " }"
    server.query(document)
    error = rejection(strict_server, document)
    assert "Document contains more than 120 tokens. Parsing aborted." in error["message"]


def test_page_size_limit(strict_server: Server) -> None:
    error = rejection(strict_server, '{ search(text: "ex", first: 6) { totalCount } }')
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first", "max": 5}
    assert "page with `after`" in error["message"]


def test_request_timeout(slow_server: Server) -> None:
    with pytest.raises(TransportQueryError) as info:
        slow_server.query(
            '{ impact(shortages: [{id: "ex-cowos", availability: 0}]) { totalCount } }'
        )
    error = (info.value.errors or [])[0]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert "longer than its 1e-06 s limit" in error["message"]


def test_introspection_switch(server: Server, strict_server: Server) -> None:
    transport = HTTPXTransport(url=server.graphql, timeout=30)
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        assert session.client.schema is not None
        assert session.client.schema.get_type("Entity") is not None
    with pytest.raises(TransportQueryError) as info:
        strict_server.query("{ __schema { types { name } } }")
    assert info.value.data is None
    assert "introspection has been disabled" in (info.value.errors or [])[0]["message"]


def test_nested_analyses_are_priced_by_their_work(server: Server) -> None:
    """Two walks of the graph per end product of 100 chokepoints: refused before it runs."""
    query = (
        "{ chokepoints(first: 100) { endProducts { dependencies(first: 100) { totalCount }"
        " dependents(first: 100) { totalCount } } } }"
    )
    response = server.post({"query": query})
    assert response.json()["errors"][0]["extensions"]["code"] == "COST_LIMIT"
    # one walk on its own is still cheap
    one = server.post(
        {"query": '{ entity(id: "ex-rack") { dependencies(first: 100) { totalCount } } }'}
    )
    assert "errors" not in one.json(), one.json()
