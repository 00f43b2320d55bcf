"""Explanation links of an impact, vectorised, and the chains built from them on demand.

The links follow the low bound (the worst case): an affected item's binding requirement is the
one with the lowest low bound, of those the one with the lowest high bound (a requirement that
binds in the best case too explains more than one that binds only in the worst; none when the
item's own shortage binds); that requirement is
limited by its input when the input's low bound is at most its supply's, else by the source
that takes most away from it (with substitution: the best source, since even it falls short).
An unknown source weighs what the known shares leave: the worst unknown source carries it in
the low bound. Segmented minima and maxima are ``ufunc.at`` over owner indices, as in
``_kernels``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from stackgraph.graph.analysis._kernels import Availability
from stackgraph.graph.analysis._layout import F64, I32, I64, gather_segments
from stackgraph.graph.analysis.explanation import ExplanationStep, ShareUsed
from stackgraph.graph.analysis.model import DependencyGraph


class Links(NamedTuple):
    """Per item (-1 where none): binding requirement, limiting child, crossed source edge."""

    binding: I32
    cause: I32
    cause_src: I32


def links(
    graph: DependencyGraph, av: Availability, a: F64, affected: I64, substitution: bool
) -> Links:
    """The explanation links of the ``affected`` items (see the module docstring).

    Ties go to the first requirement, and to the source lowest in the graph (items are
    numbered dependencies first) so that a chain leaves a cycle where it can.
    """
    lay = graph._lay
    n = lay.n_items
    binding = np.full(n, -1, dtype=np.int32)
    cause = np.full(n, -1, dtype=np.int32)
    cause_src = np.full(n, -1, dtype=np.int32)
    out = Links(binding, cause, cause_src)
    req_item = graph._req_item()
    low = np.ones(n)
    np.minimum.at(low, req_item, av.req_low)
    binds = np.zeros(n, dtype=bool)
    binds[affected] = low[affected] < a[affected]  # otherwise the item's own shortage binds
    cand = np.flatnonzero(binds[req_item] & (av.req_low == low[req_item])).astype(np.int32)
    if cand.size == 0:
        return out
    if av.req_high is not None and av.req_high is not av.req_low:
        high = np.full(n, np.inf)
        np.minimum.at(high, req_item[cand], av.req_high[cand])
        cand = cand[av.req_high[cand] == high[req_item[cand]]]
    first = np.full(n, lay.n_requirements, dtype=np.int32)
    np.minimum.at(first, req_item[cand], cand)
    items = np.flatnonzero(binds)
    r = first[items].astype(np.int64)
    binding[items] = r
    by_input = av.item_low[lay.req_input[r]] <= av.supply_low[r]
    cause[items[by_input]] = lay.req_input[r[by_input]]
    items, r = items[~by_input], r[~by_input]
    if items.size == 0:
        return out
    sp = lay.req_src_ptr
    srcs = gather_segments(sp, r)
    owner = np.repeat(np.arange(len(r)), sp[r + 1] - sp[r])
    sitem = lay.src_item[srcs].astype(np.int64)
    savail = av.item_low[sitem]
    # With shares, an unknown source weighs all of the rest: the worst one carries it (low).
    score = savail if substitution else graph._shares().weight(srcs) * (1.0 - savail)
    top = np.full(len(r), -np.inf)
    np.maximum.at(top, owner, score)
    tied = score == top[owner]
    lowest = np.full(len(r), n, dtype=np.int64)
    np.minimum.at(lowest, owner, np.where(tied, sitem, n))
    pick = np.full(len(r), lay.n_sources, dtype=np.int64)
    np.minimum.at(pick, owner, np.where(tied & (sitem == lowest[owner]), srcs, lay.n_sources))
    cause[items] = lay.src_item[pick]
    cause_src[items] = pick
    return out


def _shares_used(graph: DependencyGraph, av: Availability, r: int) -> tuple[ShareUsed, ...]:
    lay = graph._lay
    s0, s1 = int(lay.req_src_ptr[r]), int(lay.req_src_ptr[r + 1])
    items = lay.src_item[s0:s1]
    return tuple(
        ShareUsed(
            supplier=lay.ids[j],
            share=None if math.isnan(share) else share,
            low=low,
            high=high,
            fact=graph._str(fact),
        )
        for j, share, low, high, fact in zip(
            items.tolist(),
            lay.src_share[s0:s1].tolist(),
            av.item_low[items].tolist(),
            av.item_high[items].tolist(),
            lay.src_fact[s0:s1].tolist(),
            strict=True,
        )
    )


class Chains:
    """The explanation chains of one impact, built on demand; each item's step once."""

    def __init__(self, graph: DependencyGraph, av: Availability, ln: Links) -> None:
        self._graph, self._av, self._ln = graph, av, ln
        self._steps: dict[int, ExplanationStep] = {}

    @property
    def nbytes(self) -> int:
        """Bytes of its links and of the steps built so far (an estimate: 512 per step); the
        availability's arrays are counted by the impact."""
        return sum(a.nbytes for a in self._ln) + 512 * len(self._steps)

    def binding(self, i: int) -> str | None:
        """The id of item ``i``'s binding requirement (None when its own shortage binds)."""
        r = int(self._ln.binding[i])
        return None if r < 0 else self._graph.requirement_id(r)

    def step(self, i: int) -> ExplanationStep:
        """The step at item ``i``."""
        done = self._steps.get(i)
        if done is not None:
            return done
        g, av, lay = self._graph, self._av, self._graph._lay
        r, c, s = int(self._ln.binding[i]), int(self._ln.cause[i]), int(self._ln.cause_src[i])
        out = self._steps[i] = ExplanationStep(
            item=lay.ids[i],
            low=float(av.item_low[i]),
            high=float(av.item_high[i]),
            item_fact=g._str(int(lay.item_fact[i])),
            requirement=None if r < 0 else g.requirement_id(r),
            requirement_fact=None if r < 0 else g._str(int(lay.req_fact[r])),
            via=None if r < 0 else ("input" if s < 0 else "source"),
            source_fact=None if s < 0 else g._str(int(lay.src_fact[s])),
            cause=None if c < 0 else lay.ids[c],
            shares=() if r < 0 else _shares_used(g, av, r),
        )
        return out

    def chain(self, i: int) -> tuple[ExplanationStep, ...]:
        """The steps from item ``i`` along the links until a shortage or a repeated item."""
        steps: list[ExplanationStep] = []
        seen: set[int] = set()
        while True:
            seen.add(i)
            steps.append(self.step(i))
            c = int(self._ln.cause[i])
            if c < 0 or c in seen:
                return tuple(steps)
            i = c
