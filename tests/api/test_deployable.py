from __future__ import annotations

from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.api._server import Server

QUERY = """query($t: [TargetInput!]!, $y: Int, $s: [String!], $al: ID) {
  deployable(targets: $t, year: $y, shortages: $s, allocation: $al) {
    year per status units { id low high baselineLow lostLow }
    bindingLayers unbounded unquantified
    capacities { id layer holder unit capacityLow used utilisation shadowPriceLow binding
                 facts { sourceUrl asOf confidence } }
  }
}"""


def test_deployable_answers_units_what_binds_and_what_bounds_nothing(server: Server) -> None:
    d = server.query(QUERY, t=[{"id": "Example Rack NVL72"}], y=2025, s=["ex-cowos=0.5"])[
        "deployable"
    ]
    assert d["status"] == "optimal" and d["per"] == "quarter"
    (units,) = d["units"]
    assert units["id"] == "ex-rack"
    assert units["low"] == pytest.approx(25_000) and units["lostLow"] == pytest.approx(25_000)
    (cap,) = d["capacities"]
    assert (cap["id"], cap["layer"], cap["binding"]) == ("ex-cowos", "packaging", True)
    assert cap["facts"][0]["sourceUrl"] == "https://example.org/cowos-capacity"
    assert d["bindingLayers"] == ["packaging"]
    assert "ex-hbm" in d["unbounded"]


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"t": [{"id": "ex-rack"}], "s": ["ex-cowos=lots"]}, "shortages"),
        ({"t": [{"id": "ex-rack"}], "s": ["nope=0.5"]}, "shortages"),
        ({"t": [{"id": "nope"}]}, "targets"),
        ({"t": []}, "targets"),
    ],
    ids=["bad-value", "unknown-shortage", "unknown-target", "no-target"],
)
def test_bad_arguments_are_user_errors(server: Server, variables: Any, argument: str) -> None:
    with pytest.raises(TransportQueryError) as info:
        server.query(QUERY, **variables)
    (error,) = info.value.errors or []
    assert error["extensions"]["code"] in ("BAD_USER_INPUT", "NOT_FOUND"), error
    assert error["extensions"].get("argument", error["extensions"].get("field")) == argument
