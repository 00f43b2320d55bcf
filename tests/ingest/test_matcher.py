"""The matcher: names, legal forms, generic words, countries and identifiers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackgraph.graph.namespace import normalise
from stackgraph.ingest.matcher import (
    ACCEPT,
    MATCH,
    NEW,
    PROPOSE,
    UNCERTAIN,
    Known,
    Scored,
    decide,
    legal_key,
    rank,
    score,
)

TSMC = Known("tsmc", ("TSMC", "Taiwan Semiconductor Manufacturing Company"), "TW")
KNOWN = [
    TSMC,
    Known("asml", ("ASML", "ASML Holding"), "NL"),
    Known("sumitomo-chemical", ("Sumitomo Chemical",), "JP"),
    Known("sumitomo-electric", ("Sumitomo Electric",), "JP"),
    Known("nvidia", ("NVIDIA",), "US", lei="549300S4KLFTLO7GSQ80", ticker="NASDAQ:NVDA"),
]


@pytest.mark.parametrize(
    ("names", "country", "expected", "verdict"),
    [
        (["TSMC"], "TW", "tsmc", MATCH),
        (["Taiwan Semiconductor Manufacturing Co., Ltd."], "TW", "tsmc", MATCH),
        (["ASML Holding N.V."], "NL", "asml", MATCH),
        (["ASML"], None, "asml", MATCH),  # no country: no penalty
        (["TSMC"], "US", "tsmc", UNCERTAIN),  # same name, another country
        (["Sumitomo"], "JP", "sumitomo-chemical", UNCERTAIN),  # two candidates, too close
        (["Sumitomo Chemical Co., Ltd."], "JP", "sumitomo-chemical", MATCH),
        (["Gudeng Precision"], "TW", None, NEW),
    ],
    ids=["same", "legal-form", "nv", "no-country", "country-differs", "group", "chemical", "new"],
)
def test_names_decide(
    names: list[str], country: str | None, expected: str | None, verdict: str
) -> None:
    ranked = rank(names, country, KNOWN)
    assert decide(ranked) == verdict
    if expected is not None:
        assert ranked[0].slug == expected


def test_identifiers_settle_it() -> None:
    nvidia = KNOWN[-1]
    assert score(["Nvidia Corp"], "US", nvidia, lei="549300S4KLFTLO7GSQ80").score == 1.0
    assert score(["NVIDIA"], "US", nvidia, lei="5493000000000000000X").score == 0.0
    assert score(["NV Holdings"], None, nvidia, ticker="nasdaq:nvda").score == 0.97


def test_legal_forms_drop_but_a_bare_form_stays() -> None:
    assert legal_key("Tokyo Ohka Kogyo Co., Ltd.") == legal_key("TOKYO OHKA KOGYO")
    assert legal_key("Siltronic AG") == "siltronic"
    assert legal_key("Merck KGaA") == "merck"
    assert legal_key("Ltd.") == "ltd"


_SUFFIXES = st.sampled_from(["", " Inc.", " Co., Ltd.", " Corporation", " GmbH", " N.V.", " plc"])
_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=20).filter(
    lambda s: bool(normalise(s)) and legal_key(s) == normalise(s)  # no legal form of its own
)


@given(name=_NAMES, suffix=_SUFFIXES)
def test_a_legal_form_never_keeps_a_name_from_its_company(name: str, suffix: str) -> None:
    known = Known("x", (name.title(),), "DE")
    found = score([name + suffix], "DE", known)
    assert found.score >= 0.92 and decide([found]) == MATCH


@given(
    scores=st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=0, max_size=5)
)
def test_decide_against_its_definition(scores: list[float]) -> None:
    ranked = [Scored(f"e{i}", s, "") for i, s in enumerate(sorted(scores, reverse=True))]
    verdict = decide(ranked)
    best = ranked[0].score if ranked else 0.0
    runner = ranked[1].score if len(ranked) > 1 else 0.0
    if best < PROPOSE:
        assert verdict == NEW
    elif best >= ACCEPT and best - runner >= 0.05:
        assert verdict == MATCH
    else:
        assert verdict == UNCERTAIN
