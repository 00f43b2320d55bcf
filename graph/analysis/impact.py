"""Impact of shortages: which items are blocked or constrained, and why.

Availabilities are intervals ``[low, high]``. Where a requirement's sources all have known
shares, its supply is their share-weighted sum and the interval is a point. Where some shares
are not sourced, the unknown sources carry what the known shares leave in unknown proportions:
the low bound puts all of it on the worst-hit unknown source, the high bound on the best. The
bounds propagate through the same min and weighted sums (both monotone), and an item's status
follows them: BLOCKED (high at 0), CONSTRAINED (high below 1), POSSIBLY_CONSTRAINED (low below
1, high at 1), OK. Semantics: ``DESIGN.md`` §3.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from stackgraph.graph.analysis._explain import Chains, links
from stackgraph.graph.analysis._kernels import Availability, availability
from stackgraph.graph.analysis._layout import F64, I64
from stackgraph.graph.analysis.explanation import ExplanationStep, ShareUsed
from stackgraph.graph.analysis.model import DependencyGraph
from stackgraph.graph.analysis.status import (
    BY_CODE,
    BY_RANK,
    EPSILON,
    RANK_OF_CODE,
    Status,
    impact_status,
    status_codes,
    status_of,
)

__all__ = [
    "EPSILON",
    "AffectedColumns",
    "AffectedItem",
    "ExplanationStep",
    "ImpactResult",
    "ShareUsed",
    "Status",
    "impact",
    "impact_status",
]


@dataclass(frozen=True, slots=True)
class AffectedItem:
    """An item whose low availability bound is below 1, with the chain that explains it.

    ``low`` and ``high`` bound its availability (equal when every share on the way is known);
    the explanation follows the low bound.
    """

    id: str
    name: str | None
    layer: str | None
    category: str | None
    status: Status
    low: float
    high: float
    binding_requirement: str | None
    explanation: tuple[ExplanationStep, ...]

    @property
    def availability(self) -> float:
        """Deprecated: use `low` (the worst case; `high` is the best)."""
        return self.low

    @property
    def label(self) -> str | None:
        """Deprecated: use `name`."""
        return self.name

    @property
    def root_cause(self) -> str | None:
        """The shortage the explanation ends at (None when it loops in a cycle)."""
        last = self.explanation[-1]
        return last.item if last.cause is None else None


@dataclass(frozen=True)
class AffectedColumns:
    """The affected items of an :class:`ImpactResult` as arrays, most severe first (as
    :meth:`ImpactResult.ranked`): position ``k`` of each array is one item; the methods decode
    one item's strings when asked.

    Attributes:
        low: Lower availability bound per item.
        high: Upper bound per item.
        rank: Its status as :attr:`Status.rank` (0 BLOCKED ... 3 OK).
        layer_code: Its layer, as a key of ``layer_names``.
        layer_names: Each layer code's name (None: no layer).
    """

    low: F64
    high: F64
    rank: I64
    layer_code: I64
    layer_names: Mapping[int, str | None]
    _result: ImpactResult = field(repr=False)
    _index: I64 = field(repr=False)

    def __len__(self) -> int:
        return int(self._index.size)

    @property
    def nbytes(self) -> int:
        """Bytes of its own arrays (the positions are the result's)."""
        return sum(a.nbytes for a in (self.low, self.high, self.rank, self.layer_code))

    def id(self, k: int) -> str:
        """The id of the item at position ``k``."""
        return str(self._result._graph._lay.ids[int(self._index[k])])

    def ids(self) -> list[str]:
        """Every item's id, in position order."""
        ids = self._result._graph._lay.ids
        return [ids[i] for i in self._index.tolist()]

    def status(self, k: int) -> Status:
        return BY_RANK[int(self.rank[k])]

    def layer(self, k: int) -> str | None:
        return self.layer_names[int(self.layer_code[k])]

    def binding(self, k: int) -> str | None:
        """The requirement that binds the item at position ``k`` (as in :meth:`ranked`)."""
        return self._result._chains.binding(int(self._index[k]))


@dataclass(frozen=True)
class ImpactResult:
    """Result of :func:`impact`.

    Attributes:
        shortages: The scenario, item id -> availability.
        substitution: Whether full substitution between sources was assumed.
        counts: Number of items per status (all items, OK included; every status is a key).
        counts_by_layer: Per layer (None for items without one), number of items per status.
        cycles: Members of the cycles that hold at least one affected item.
        converged: Whether every cycle's fixpoint iteration met the tolerance.
    """

    shortages: Mapping[str, float]
    substitution: bool
    counts: Mapping[str, int]
    counts_by_layer: Mapping[str | None, Mapping[str, int]]
    cycles: tuple[tuple[str, ...], ...]
    converged: bool
    _graph: DependencyGraph = field(repr=False, compare=False)
    _avail: Availability = field(repr=False, compare=False)
    _affected: I64 = field(repr=False, compare=False)
    _chains: Chains = field(repr=False, compare=False)

    def __len__(self) -> int:
        return int(self._affected.size)

    @property
    def nbytes(self) -> int:
        """Bytes this result holds beside the graph: its bounds per item and per requirement,
        the affected items, their order once asked, and the explanations' links."""
        av = self._avail
        own = [av.item_low, av.item_high, av.req_low, av.supply_low, av.req_high, self._affected]
        own.append(self.__dict__.get("_order"))
        unique = {id(a): a for a in own if isinstance(a, np.ndarray)}
        return sum(a.nbytes for a in unique.values()) + self._chains.nbytes

    def bounds(self, item: str) -> tuple[float, float]:
        """``(low, high)`` availability of ``item`` (``(1.0, 1.0)`` for unaffected items).

        Raises:
            UnknownNodeError: ``item`` is not in the graph.
        """
        i = self._graph.index(item)
        return float(self._avail.item_low[i]), float(self._avail.item_high[i])

    def availability(self, item: str) -> float:
        """Deprecated: use :meth:`bounds`. The low availability bound of ``item``.

        Raises:
            UnknownNodeError: ``item`` is not in the graph.
        """
        return self.bounds(item)[0]

    def status(self, item: str) -> Status:
        """Status of ``item``, from its bounds.

        Raises:
            UnknownNodeError: ``item`` is not in the graph.
        """
        return status_of(*self.bounds(item))

    def explain(self, item: str) -> tuple[ExplanationStep, ...]:
        """The chain from ``item`` back to a shortage, following the low bound (empty when the
        low bound is 1).

        Raises:
            UnknownNodeError: ``item`` is not in the graph.
        """
        i = self._graph.index(item)
        if self._avail.item_low[i] >= 1.0 - EPSILON:
            return ()
        return self._chains.chain(i)

    @cached_property
    def _order(self) -> I64:
        """Affected items, most severe first: by low bound, then high bound, then id."""
        ids = self._graph._lay.ids
        idx = self._affected.tolist()
        lo = self._avail.item_low[self._affected].tolist()
        hi = self._avail.item_high[self._affected].tolist()
        keys = sorted(zip(lo, hi, [ids[i] for i in idx], idx, strict=True))
        return np.array([k[3] for k in keys], dtype=np.int64)

    def ranked(self) -> list[tuple[str, float, float, str | None]]:
        """``(id, low, high, binding requirement)`` of every affected item, most severe first
        (by low bound, then high bound, then id), without building the explanation chains
        (see :meth:`explain`)."""
        ids = self._graph._lay.ids
        lo, hi = self._avail.item_low, self._avail.item_high
        return [
            (ids[i], float(lo[i]), float(hi[i]), self._chains.binding(i))
            for i in self._order.tolist()
        ]

    def columns(self) -> AffectedColumns:
        """The affected items as arrays in :meth:`ranked` order, for callers that sort or page
        hundreds of thousands of them without an object per item."""
        order = self._order
        low, high = self._avail.item_low[order], self._avail.item_high[order]
        layers = self._graph._lay.item_layer[order].astype(np.int64)
        return AffectedColumns(
            low=low,
            high=high,
            rank=RANK_OF_CODE[status_codes(low, high)],
            layer_code=layers,
            layer_names={k: self._graph._str(k) for k in np.unique(layers).tolist()},
            _result=self,
            _index=order,
        )

    @cached_property
    def affected(self) -> tuple[AffectedItem, ...]:
        """Every item with its low bound below 1, most severe first (as :meth:`ranked`)."""
        g, lay = self._graph, self._graph._lay
        lo, hi = self._avail.item_low, self._avail.item_high
        out = []
        for i in self._order.tolist():
            low, high = float(lo[i]), float(hi[i])
            out.append(
                AffectedItem(
                    id=lay.ids[i],
                    name=g._str(int(lay.item_name[i])),
                    layer=g._str(int(lay.item_layer[i])),
                    category=g._str(int(lay.item_category[i])),
                    status=status_of(low, high),
                    low=low,
                    high=high,
                    binding_requirement=self._chains.binding(i),
                    explanation=self._chains.chain(i),
                )
            )
        return tuple(out)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per affected item (id, name, layer, category, status, low, high,
        availability (= low, deprecated), binding_requirement, cause, root_cause,
        chain_length), for ``pandas.DataFrame``."""
        out = []
        for a in self.affected:
            first = a.explanation[0]
            out.append(
                {
                    "id": a.id,
                    "name": a.name,
                    "layer": a.layer,
                    "category": a.category,
                    "status": str(a.status),
                    "low": a.low,
                    "high": a.high,
                    "availability": a.low,
                    "binding_requirement": a.binding_requirement,
                    "cause": first.cause,
                    "root_cause": a.root_cause,
                    "chain_length": len(a.explanation),
                }
            )
        return out


def impact(
    graph: DependencyGraph, shortages: Mapping[str, float], substitution: bool = False
) -> ImpactResult:
    """Availability bounds of every item under a scenario of shortages, with explanations.

    ``avail(item) = min(a(item), min over requirements r of avail(r))``;
    ``avail(r) = min(avail(input), S(r))`` (1 when ``r`` has no sources), for the low and the
    high bound alike. ``S(r)`` is the share-weighted sum of the sources' availabilities; with
    ``substitution=True`` it is their ``max`` and shares do not matter. Where every share of
    ``r`` is known they are scaled to sum to 1 (an equal split if all are 0) and ``S(r)`` is a
    point. Where some are unknown, let ``K`` be the sum of the known ones (scaled to 1 if it is
    above) and ``R = 1 - K``: ``low S(r) = sum k_s low(s) + R min over unknown u of low(u)`` and
    ``high S(r) = sum k_s high(s) + R max over unknown u of high(u)``.

    Args:
        graph: The dependency graph.
        shortages: Item id -> availability in [0, 1] (items not named have 1).
        substitution: Whether any one source can replace the others entirely.

    Returns:
        The affected items (low bound below ``1 - EPSILON``), each with its bounds, status
        (BLOCKED: high at most ``EPSILON``; CONSTRAINED: high below ``1 - EPSILON``;
        POSSIBLY_CONSTRAINED: only low below it), binding requirement of the low bound (None
        when the item's own shortage binds) and its explanation chain; counts per status and
        per layer.

    Raises:
        UnknownNodeError: A shortage names an unknown item (with the closest ids).
        ValueError: An availability is not a number in [0, 1].

    Examples:
        >>> from stackgraph.graph.analysis import DependencyGraphBuilder, impact
        >>> b = DependencyGraphBuilder()
        >>> r = b.add_requirement("gpu", "hbm")
        >>> _ = b.add_source(r, "sk-hynix", share=0.5)
        >>> _ = b.add_source(r, "samsung", share=0.5)
        >>> _ = b.add_requirement("server", "gpu")
        >>> res = impact(b.build(), {"sk-hynix": 0.0})
        >>> for a in res.affected:
        ...     print(a.id, a.status, a.low, a.high)
        sk-hynix BLOCKED 0.0 0.0
        gpu CONSTRAINED 0.5 0.5
        server CONSTRAINED 0.5 0.5
        >>> [s.item for s in res.explain("server")]
        ['server', 'gpu', 'sk-hynix']

        Unknown shares give a range: here micron and samsung share 0.4 in unknown proportions.

        >>> b = DependencyGraphBuilder()
        >>> r = b.add_requirement("gpu", "hbm")
        >>> _ = b.add_source(r, "sk-hynix", share=0.6)
        >>> _ = b.add_source(r, "samsung")
        >>> _ = b.add_source(r, "micron")
        >>> res = impact(b.build(), {"samsung": 0.0})
        >>> low, high = res.bounds("gpu")
        >>> round(low, 6), high, str(res.status("gpu"))
        (0.6, 1.0, 'POSSIBLY_CONSTRAINED')
        >>> res.ranked()[1][0], res.counts["POSSIBLY_CONSTRAINED"]
        ('gpu', 1)

    Notes:
        One vectorised pass over the topological levels, O(I + R + S) for I items,
        R requirements and S sources; the high bound is computed apart from the low one only
        where they can differ (at requirements with two or more unknown shares and what
        depends on them; never with substitution). Cycles are iterated from the top
        (all-ones) down to the greatest fixpoint of both bounds, sweeping a level's cyclic
        block until no value moves by more than ``1e-12`` (at most 100 000 sweeps;
        ``converged`` says whether that was enough).
    """
    lay = graph._lay
    a = np.ones(lay.n_items)
    clean: dict[str, float] = {}
    for item, value in shortages.items():
        i = graph.index(item)
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
            raise ValueError(f"availability of {item!r} must be a number in [0, 1], got {value!r}")
        v = float(value)
        if math.isnan(v) or not 0.0 <= v <= 1.0:
            raise ValueError(f"availability of {item!r} must be in [0, 1], got {value!r}")
        a[i] = v
        clean[item] = v
    av = availability(lay, a, graph._shares(), graph._req_item(), graph._src_req(), substitution)

    status = status_codes(av.item_low, av.item_high)
    affected = np.flatnonzero(status > 0)

    k = len(BY_CODE)
    counts = np.bincount(status, minlength=k)
    layer_codes = lay.item_layer.astype(np.int64) + 1
    by = np.bincount(layer_codes * k + status, minlength=(len(lay.strings) + 1) * k).reshape(-1, k)
    counts_by_layer: dict[str | None, dict[str, int]] = {}
    for code in np.flatnonzero(by.sum(axis=1)).tolist():
        name = None if code == 0 else lay.strings[code - 1]
        counts_by_layer[name] = {str(BY_CODE[j]): int(by[code, j]) for j in range(k)}
    hit = set(np.unique(lay.comp[affected[lay.cyclic[affected]]]).tolist())
    cycles = tuple(c for c in graph.cycles() if int(lay.comp[graph.index(c[0])]) in hit)
    return ImpactResult(
        shortages=clean,
        substitution=substitution,
        counts={str(BY_CODE[j]): int(counts[j]) for j in range(k)},
        counts_by_layer=counts_by_layer,
        cycles=cycles,
        converged=av.converged,
        _graph=graph,
        _avail=av,
        _affected=affected,
        _chains=Chains(graph, av, links(graph, av, a, affected, substitution)),
    )
