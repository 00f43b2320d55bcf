"""Errors a client sees: coded, with a message that says what would be right."""

from __future__ import annotations

from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError
from graphql import GraphQLError

from stackgraph.api.errors import ApiError, is_reported
from tests.api._server import Server


def query_error(server: Server, document: str, **variables: Any) -> TransportQueryError:
    with pytest.raises(TransportQueryError) as info:
        server.query(document, **variables)
    return info.value


def the_error(exc: TransportQueryError) -> dict[str, Any]:
    assert exc.errors is not None and len(exc.errors) == 1, exc.errors
    error: dict[str, Any] = exc.errors[0]
    return error


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ('{ entity(id: "ex-acelerator") { id } }', "entity"),
        ('{ criticalPath(id: "ex-acelerator") { totalDays } }', "criticalPath"),
        ('{ singlePointsOfFailure(id: "ex-acelerator") { path } }', "singlePointsOfFailure"),
        (
            '{ impact(shortages: [{id: "ex-acelerator", availability: 0}]) { totalCount } }',
            "impact",
        ),
    ],
    ids=["entity", "critical-path", "spof", "impact"],
)
def test_unknown_id_is_null_with_not_found_and_suggestions(
    server: Server, document: str, field: str
) -> None:
    exc = query_error(server, document)
    error = the_error(exc)
    assert exc.data == {field: None}
    assert error["path"] == [field]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["suggestions"][0] == "ex-accelerator"
    assert "did you mean 'ex-accelerator'" in error["message"]


def test_unknown_id_does_not_hide_other_fields(server: Server) -> None:
    exc = query_error(
        server, '{ a: entity(id: "nothing-like-it") { id } b: entity(id: "X1") { id } }'
    )
    assert exc.data == {"a": None, "b": {"id": "ex-accelerator"}}
    assert the_error(exc)["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("document", "argument", "words"),
    [
        (
            '{ impact(shortages: [{id: "ex-cowos", availability: 1.5}]) { totalCount } }',
            "shortages[0].availability",
            "must be in [0, 1]",
        ),
        ("{ impact(shortages: []) { totalCount } }", "shortages", "between 1 and"),
        ('{ search(text: "ex", first: 101) { totalCount } }', "first", "between 0 and 100"),
        ('{ search(text: "ex", first: -1) { totalCount } }', "first", "between 0 and 100"),
        ('{ search(text: "ex", after: "bogus!") { totalCount } }', "after", "invalid cursor"),
        (
            '{ entity(id: "ex-rack") { dependencies(depth: 0) { totalCount } } }',
            "depth",
            "between 1 and 50",
        ),
        (
            '{ entity(id: "ex-hbm") { dependents(categories: ["accelerators"]) { totalCount } } }',
            "categories",
            "did you mean accelerator",
        ),
        (
            '{ entity(id: "ex-hbm") { dependents(layers: ["grid"]) { totalCount } } }',
            "layers",
            "unknown layer 'grid'",
        ),
        ('{ search(layer: "memroy") { totalCount } }', "layer", "did you mean memory"),
        (
            '{ chokepoints(categories: ["acelerator"]) { endProductsBlocked } }',
            "categories",
            "did you mean accelerator",
        ),
    ],
    ids=[
        "availability",
        "no-shortages",
        "first-too-big",
        "first-negative",
        "cursor",
        "depth",
        "category",
        "layer",
        "search-layer",
        "chokepoint-category",
    ],
)
def test_bad_arguments_are_bad_user_input(
    server: Server, document: str, argument: str, words: str
) -> None:
    error = the_error(query_error(server, document))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == argument
    assert words in error["message"]


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ("{ entity(id: 1.5) { id } }", "ID cannot represent"),
        ('{ entity(id: "x") { colour } }', "Cannot query field 'colour' on type 'Entity'"),
        ("{ entity { id } }", "of type 'ID!' is required"),
        ('{ impact(shortages: [{id: "x"}]) { totalCount } }', "availability"),
    ],
    ids=["wrong-type", "unknown-field", "missing-argument", "incomplete-input"],
)
def test_invalid_documents_are_rejected_before_running(
    server: Server, document: str, words: str
) -> None:
    exc = query_error(server, document)
    assert exc.data is None
    assert any(words in e["message"] for e in exc.errors or []), exc.errors


def test_variables_of_the_wrong_type_are_rejected(server: Server) -> None:
    exc = query_error(server, "query ($n: Int) { search(first: $n) { totalCount } }", n="many")
    assert "Int cannot represent" in the_error(exc)["message"]


def test_syntax_error_is_reported_with_its_location(server: Server) -> None:
    response = server.post({"query": '{ entity(id: "x" { id }'})
    body = response.json()
    assert response.status_code == 400 or body["data"] is None
    assert "Syntax Error" in body["errors"][0]["message"]
    assert body["errors"][0]["locations"]


def test_malformed_json_is_a_400(server: Server) -> None:
    response = server.post(b"{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "not valid JSON" in response.text


def test_unexpected_errors_are_masked_and_coded_errors_are_not() -> None:
    ours = GraphQLError("no entity", original_error=ApiError("no entity"))
    theirs = GraphQLError("secret path /x", original_error=RuntimeError("secret path /x"))
    validation = GraphQLError("Cannot query field 'x'")
    assert is_reported(ours) and is_reported(validation)
    assert not is_reported(theirs)


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b"42",
        b'"query"',
        b"true",
        b"[]",
        b"[1]",
        b"\xff\xfe{}",
        b"[" * 30_000 + b"]" * 30_000,
        b'{"query": "{ graphInfo { version } }", "variables": {"a": '
        + b"[" * 30_000
        + b"]" * 30_000
        + b"}}",
        b'{"query": "{ graphInfo { version } }", "variables": {"a": '
        + b"[" * 100
        + b"]" * 100
        + b"}}",
    ],
    ids=[
        "null",
        "number",
        "string",
        "true",
        "empty-batch",
        "batch-of-number",
        "not-utf8",
        "deep",
        "deep-variables",
        "deepish-variables",
    ],
)
def test_a_malformed_body_is_a_400_with_a_code(server: Server, body: bytes) -> None:
    response = server.post(body)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_errors_of_ours_are_logged_in_one_line_without_a_traceback(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    with pytest.raises(TransportQueryError):
        server.query('{ entity(id: "ex-nothing-at-all") { id } }')
    mine = [r for r in caplog.records if "ex-nothing-at-all" in r.getMessage()]
    assert mine and all(r.exc_info is None for r in mine)
    assert "NOT_FOUND" in mine[0].getMessage()
    assert not [r for r in caplog.records if r.name.startswith("strawberry") and r.exc_info]


def test_no_field_suggestions_when_introspection_is_off(
    server: Server, strict_server: Server
) -> None:
    query = "{ graphInf { version } }"
    assert "Did you mean" in server.post({"query": query}).text
    refused = strict_server.post({"query": query}).json()["errors"][0]["message"]
    assert "graphInf" in refused and "Did you mean" not in refused and "graphInfo" not in refused


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-Infinity"])
def test_a_non_finite_number_in_variables_is_bad_input(server: Server, value: bytes) -> None:
    body = (
        b'{"query": "query($s: [ShortageInput!]!) { impact(shortages: $s) { totalCount } }",'
        b' "variables": {"s": [{"id": "ex-cowos", "availability": ' + value + b"}]}}"
    )
    response = server.post(body)
    assert response.status_code in (200, 400), response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] in ("BAD_USER_INPUT", "BAD_REQUEST"), error
