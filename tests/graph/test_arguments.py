"""Arguments every surface takes alike: shortages and name lists."""

from __future__ import annotations

import pytest

from stackgraph.graph.arguments import name_list, parse_shortages


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (["cowos-l"], {"cowos-l": 0.0}),
        (["cowos-l=0.5", "hbm=1"], {"cowos-l": 0.5, "hbm": 1.0}),
        ({"cowos-l": 0}, {"cowos-l": 0.0}),
    ],
    ids=["bare", "with-values", "mapping"],
)
def test_parse_shortages(given: list[str] | dict[str, float], expected: dict[str, float]) -> None:
    assert parse_shortages(given) == expected


@pytest.mark.parametrize(
    ("given", "message"), [(["=0.5"], "expected ID"), (["hbm=half"], "must be a number")], ids=str
)
def test_bad_shortages_say_what_was_expected(given: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_shortages(given)


def test_name_list() -> None:
    assert name_list("memory") == ["memory"]
    assert name_list(("memory", "packaging")) == ["memory", "packaging"]
    assert name_list(None) is None
