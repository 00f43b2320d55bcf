"""One current value per fact: how claims of one property of one entity are ranked.

Sources disagree, and they age. Claims of the same property of the same entity are ranked by

1. **valid time**: the later `as_of` first (compared as ISO text, so "2025-03" is later than
   "2025" and "2025-03-18" later than "2025-03"; a claim without a date ranks last);
2. **source tier**: primary before press before secondary and unknown sources;
3. **confidence**: high before medium before low.

The first is the *current* value. Every other claim stays, never dropped, with its status:
`agrees` (the current value again, from another source), `disputed` (another value as of the
same date as the current one: the sources disagree now) or `superseded` (another value as of an
earlier date). The critical path picks an item's lead time by the same rank.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from stackgraph.graph.snapshot import Provenance

__all__ = ["AGREES", "CURRENT", "DISPUTED", "STATUSES", "SUPERSEDED", "precedence", "resolve"]

CURRENT = "current"
AGREES = "agrees"
DISPUTED = "disputed"
SUPERSEDED = "superseded"
STATUSES = (CURRENT, AGREES, DISPUTED, SUPERSEDED)
"""Every status a claim can have, in the order an entity page lists them."""

_TIER = {"primary": 3, "press": 2, "secondary": 1}
_CONFIDENCE = {"high": 3, "medium": 2, "low": 1}

T = TypeVar("T")


def precedence(p: Provenance | None) -> tuple[str, int, int]:
    """The rank of a fact's provenance: larger is more current, then more authoritative.

    >>> from stackgraph.graph.snapshot import Provenance
    >>> old = Provenance("https://www.nvidia.com/x", "2024", "high", False, "g", "primary")
    >>> new = Provenance("https://example.org/y", "2025-06", "low", False, "g", "secondary")
    >>> precedence(new) > precedence(old)
    True
    """
    if p is None:
        return ("", 0, 0)
    return (
        str(p.as_of or ""),
        _TIER.get(getattr(p, "tier", "") or "", 0),
        _CONFIDENCE.get(p.confidence or "", 0),
    )


def resolve(claims: Sequence[tuple[T, Hashable, Provenance | None]]) -> list[tuple[T, str]]:
    """The claims of one property, current first, each with its status.

    Args:
        claims: `(claim, value, provenance)` triples of one property of one entity.

    Returns:
        `(claim, status)` pairs: the current claim, then the others by rank.

    >>> from stackgraph.graph.snapshot import Provenance
    >>> def p(as_of, confidence):
    ...     return Provenance("https://www.amd.com/x", as_of, confidence, False, "g", "primary")
    >>> resolve([("a", "8", p("2024", "high")), ("b", "10", p("2025", "medium")),
    ...          ("c", "12", p("2025", "low")), ("d", "10", p("2025-01", "low"))])
    [('d', 'current'), ('b', 'agrees'), ('c', 'superseded'), ('a', 'superseded')]
    """
    ranked = sorted(claims, key=lambda c: precedence(c[2]), reverse=True)
    if not ranked:
        return []
    _, value, prov = ranked[0]
    when = None if prov is None else prov.as_of
    out = [(ranked[0][0], CURRENT)]
    for claim, other, p in ranked[1:]:
        if other == value:
            status = AGREES
        elif (None if p is None else p.as_of) == when:
            status = DISPUTED
        else:
            status = SUPERSEDED
        out.append((claim, status))
    return out
