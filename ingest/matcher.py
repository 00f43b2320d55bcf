"""The entity matcher: how sure it is that a record from another dataset names a known company.

A record (its name, aliases, country and identifiers) is scored against every known entity;
the best score and how far the runner-up trails decide:

- **identifiers** settle it: the same LEI is a match (1.0) and different LEIs are never one
  (0.0); the same ticker scores 0.97;
- **names**: every name and alias of the record against every name and alias of the entity.
  Equal after `stackgraph.graph.namespace.normalise` (case, spaces, punctuation) scores 1.0; equal once
  legal suffixes are dropped too (Inc., Co., Ltd., Corporation, GmbH, N.V., K.K., ...; see
  `legal_key`) 0.96; equal once generic words are dropped as well (Holdings, Group,
  Technologies, Precision, ...) 0.92; otherwise the similarity of the two keys without generic
  words (`difflib` ratio, or 0.8 when all the words of the shorter name begin the longer:
  "Dai Nippon" and "Dai Nippon Printing"), times 0.85, so that a near miss is never a match
  on its own;
- **country**: when both give one and they differ, the score loses 0.3 (two companies of one
  name in two countries stay apart unless a person says otherwise).

`decide` turns scores into a decision: `MATCH` at `ACCEPT` (0.9) or more with the runner-up
at least `MARGIN` (0.05) behind, `UNCERTAIN` from `PROPOSE` (0.6) (proposed to a person, never
merged), `NEW` below.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from stackgraph.graph.namespace import normalise

__all__ = [
    "ACCEPT",
    "MARGIN",
    "MATCH",
    "NEW",
    "PROPOSE",
    "UNCERTAIN",
    "Known",
    "Scored",
    "decide",
    "legal_key",
    "rank",
    "score",
]

ACCEPT = 0.9
PROPOSE = 0.6
MARGIN = 0.05
MATCH, UNCERTAIN, NEW = "match", "uncertain", "new"

_LEGAL = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "cos",
        "ltd",
        "limited",
        "llc",
        "lp",
        "llp",
        "plc",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "kgaa",
        "se",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "nv",
        "bv",
        "ab",
        "asa",
        "oy",
        "oyj",
        "as",
        "aps",
        "kk",
        "pte",
        "pty",
        "bhd",
        "sdn",
        "tbk",
        "jsc",
        "pjsc",
        "ojsc",
        "oao",
        "zao",
        "ooo",
    ]
)
"""Legal-form words: dropped before names are compared."""
_GENERIC = frozenset(
    [
        "holding",
        "holdings",
        "group",
        "international",
        "technologies",
        "technology",
        "tech",
        "industries",
        "industrial",
        "electronics",
        "electronic",
        "semiconductor",
        "semiconductors",
        "systems",
        "materials",
        "solutions",
        "precision",
        "industry",
        "engineering",
        "research",
        "company",
        "manufacturing",
        "the",
        "and",
        "of",
    ]
)
"""Words many company names carry: dropped only for the weaker comparison."""


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = re.sub(r"(?<=\b\w)\.(?=\w\.)", "", text)  # N.V. -> nv, K.K. -> kk
    return [w for w in re.split(r"[^\w]+", text) if w]


def legal_key(name: str, *, generic: bool = False) -> str:
    """A name without its legal form (and, with `generic`, without generic words), normalised.

    >>> legal_key("Taiwan Semiconductor Manufacturing Co., Ltd.")
    'taiwansemiconductormanufacturing'
    >>> legal_key("ASML Holding N.V."), legal_key("ASML Holding N.V.", generic=True)
    ('asmlholding', 'asml')
    >>> legal_key("Co.")  # a name that is only a legal form stays itself
    'co'
    >>> legal_key("JSC Inc.")  # one of legal forms only keeps its first word
    'jsc'
    """
    words = _words(name)
    kept = [w for w in words if w not in _LEGAL and not (generic and w in _GENERIC)]
    if not kept:  # a name of legal forms only ("JSC Inc."): its first word is its name
        kept = words[:1] + [w for w in words[1:] if w not in _LEGAL]
    return normalise(" ".join(kept))


@dataclass(frozen=True)
class Known:
    """An entity a record may be: its slug, names, country and identifiers."""

    slug: str
    names: tuple[str, ...]
    country: str | None = None
    lei: str | None = None
    ticker: str | None = None


@dataclass(frozen=True)
class Scored:
    """How well a record fits one known entity, and why."""

    slug: str
    score: float
    method: str


@lru_cache(maxsize=2**16)
def _keys(name: str) -> tuple[str, str, str, tuple[str, ...]]:
    """A name's comparison keys, computed once: normalised, without legal forms, without
    generic words too, and its words."""
    return normalise(name), legal_key(name), legal_key(name, generic=True), tuple(_words(name))


def _name_score(mine: Sequence[str], theirs: Sequence[str]) -> tuple[float, str]:
    best, why = 0.0, "no name in common"
    for a in mine:
        na, la, ga, wa = _keys(a)
        for b in theirs:
            nb, lb, gb, wb = _keys(b)
            if na and na == nb:
                return 1.0, f"same name {a!r}"
            if best < 0.96 and la == lb:
                best, why = 0.96, f"{a!r} = {b!r} but for legal form"
            elif best < 0.92 and ga == gb:
                best, why = 0.92, f"{a!r} = {b!r} but for generic words"
            if not ga or not gb or (ga[:3] != gb[:3] and not set(wa) & set(wb) - _GENERIC):
                continue  # nothing in common: not worth a string comparison
            ratio = difflib.SequenceMatcher(None, ga, gb).ratio()
            short, long = sorted((wa, wb), key=len)
            if short and long[: len(short)] == short and len(short) < len(long):
                ratio = max(ratio, 0.8)
            if ratio * 0.85 > best:
                best, why = ratio * 0.85, f"{a!r} resembles {b!r}"
    return best, why


def score(
    names: Sequence[str],
    country: str | None,
    known: Known,
    *,
    lei: str | None = None,
    ticker: str | None = None,
) -> Scored:
    """How well a record with these names (country, identifiers) fits `known`.

    >>> tsmc = Known("tsmc", ("TSMC", "Taiwan Semiconductor Manufacturing Company"), "TW")
    >>> score(["Taiwan Semiconductor Manufacturing Co., Ltd."], "TW", tsmc).score
    0.96
    >>> score(["TSMC"], "US", tsmc).score
    0.7
    """
    if lei and known.lei:
        if lei == known.lei:
            return Scored(known.slug, 1.0, f"same LEI {lei}")
        return Scored(known.slug, 0.0, f"different LEIs {lei} and {known.lei}")
    value, why = _name_score(names, known.names)
    if ticker and known.ticker and ticker.upper() == known.ticker.upper() and value < 0.97:
        value, why = 0.97, f"same ticker {ticker}"
    if country and known.country and country != known.country:
        value, why = value - 0.3, f"{why}; countries differ ({country}, {known.country})"
    return Scored(known.slug, round(max(value, 0.0), 4), why)


def rank(
    names: Sequence[str],
    country: str | None,
    candidates: Iterable[Known],
    *,
    lei: str | None = None,
    ticker: str | None = None,
    top: int = 3,
) -> list[Scored]:
    """The `top` best-scoring candidates above zero, best first (ties by slug).

    >>> known = [Known("canon", ("Canon", "Canon Inc.")), Known("nikon", ("Nikon",))]
    >>> [(s.slug, s.score) for s in rank(["Canon"], "JP", known)]
    [('canon', 1.0)]
    """
    found = [score(names, country, k, lei=lei, ticker=ticker) for k in candidates]
    found = [s for s in found if s.score > 0.3]
    return sorted(found, key=lambda s: (-s.score, s.slug))[:top]


def decide(ranked: Sequence[Scored]) -> str:
    """`MATCH`, `UNCERTAIN` or `NEW` for a record's ranked candidates.

    >>> decide([Scored("a", 0.96, ""), Scored("b", 0.7, "")])
    'match'
    >>> decide([Scored("a", 0.96, ""), Scored("b", 0.93, "")])  # too close to call
    'uncertain'
    >>> decide([Scored("a", 0.5, "")]), decide([])
    ('new', 'new')
    """
    if not ranked or ranked[0].score < PROPOSE:
        return NEW
    best = ranked[0].score
    runner = ranked[1].score if len(ranked) > 1 else 0.0
    return MATCH if best >= ACCEPT and best - runner >= MARGIN else UNCERTAIN
