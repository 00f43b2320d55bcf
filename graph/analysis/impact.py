"""Impact of shortages: which items are blocked or constrained, and why."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np

from graph.analysis._kernels import Availability, availability
from graph.analysis._layout import F64, I32, I64, gather_segments
from graph.analysis.model import DependencyGraph

__all__ = [
    "EPSILON",
    "AffectedItem",
    "ExplanationStep",
    "ImpactResult",
    "Status",
    "impact",
    "impact_status",
]

#: Availabilities within this distance of 0 are BLOCKED, of 1 are OK.
EPSILON = 1e-9


class Status(StrEnum):
    """Status of an item under a scenario."""

    OK = "OK"
    CONSTRAINED = "CONSTRAINED"
    BLOCKED = "BLOCKED"

    @property
    def rank(self) -> int:
        """The order in which tables list statuses: worst first.

        Examples:
            >>> sorted(["OK", "BLOCKED", "CONSTRAINED"], key=lambda s: Status(s).rank)
            ['BLOCKED', 'CONSTRAINED', 'OK']
        """
        return _RANK[self]


_STATUS = (Status.OK, Status.CONSTRAINED, Status.BLOCKED)
_RANK = {Status.BLOCKED: 0, Status.CONSTRAINED: 1, Status.OK: 2}


@dataclass(frozen=True, slots=True)
class ExplanationStep:
    """One link of an explanation chain.

    At ``item`` (with ``availability``), the binding ``requirement`` is limited through its
    ``via`` edge (``"input"`` or ``"source"``) by ``cause``, the next item of the chain. The last
    step is the shortage itself: ``requirement``, ``via`` and ``cause`` are None.
    """

    item: str
    availability: float
    item_fact: str | None
    requirement: str | None
    requirement_fact: str | None
    via: str | None
    source_fact: str | None
    cause: str | None


@dataclass(frozen=True, slots=True)
class AffectedItem:
    """An item whose availability is below 1, with the chain that explains it."""

    id: str
    name: str | None
    layer: str | None
    category: str | None
    status: Status
    availability: float
    binding_requirement: str | None
    explanation: tuple[ExplanationStep, ...]

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
class ImpactResult:
    """Result of :func:`impact`.

    Attributes:
        shortages: The scenario, item id -> availability.
        substitution: Whether full substitution between sources was assumed.
        counts: Number of items per status (all items, OK included).
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
    _binding: I32 = field(repr=False, compare=False)
    _cause: I32 = field(repr=False, compare=False)
    _cause_src: I32 = field(repr=False, compare=False)

    def __len__(self) -> int:
        return int(self._affected.size)

    def availability(self, item: str) -> float:
        """Availability of ``item`` (1.0 for unaffected items).

        Raises:
            UnknownNodeError: ``item`` is not in the graph.
        """
        return float(self._avail.item[self._graph.index(item)])

    def status(self, item: str) -> Status:
        """Status of ``item``.

        Raises:
            UnknownNodeError: ``item`` is not in the graph.
        """
        return _status(self.availability(item))

    def explain(self, item: str) -> tuple[ExplanationStep, ...]:
        """The chain from ``item`` back to a shortage (empty when ``item`` is OK).

        Raises:
            UnknownNodeError: ``item`` is not in the graph.
        """
        i = self._graph.index(item)
        if self._avail.item[i] >= 1.0 - EPSILON:
            return ()
        return self._chain(i)

    def _chain(self, i: int) -> tuple[ExplanationStep, ...]:
        g, lay = self._graph, self._graph._lay
        steps: list[ExplanationStep] = []
        seen: set[int] = set()
        while True:
            seen.add(i)
            r, c = int(self._binding[i]), int(self._cause[i])
            s = int(self._cause_src[i])
            steps.append(
                ExplanationStep(
                    item=lay.ids[i],
                    availability=float(self._avail.item[i]),
                    item_fact=g._str(int(lay.item_fact[i])),
                    requirement=None if r < 0 else g.requirement_id(r),
                    requirement_fact=None if r < 0 else g._str(int(lay.req_fact[r])),
                    via=None if r < 0 else ("input" if s < 0 else "source"),
                    source_fact=None if s < 0 else g._str(int(lay.src_fact[s])),
                    cause=None if c < 0 else lay.ids[c],
                )
            )
            if c < 0 or c in seen:
                return tuple(steps)
            i = c

    def ranked(self) -> list[tuple[str, float, str | None]]:
        """``(id, availability, binding requirement)`` of every affected item, most severe
        first, then by id, without building the explanation chains (see :meth:`explain`)."""
        g, lay = self._graph, self._graph._lay
        av = self._avail.item
        order = sorted(self._affected.tolist(), key=lambda i: (float(av[i]), lay.ids[i]))
        return [
            (
                lay.ids[i],
                float(av[i]),
                None if self._binding[i] < 0 else g.requirement_id(int(self._binding[i])),
            )
            for i in order
        ]

    @cached_property
    def affected(self) -> tuple[AffectedItem, ...]:
        """Every item with availability below 1, most severe first, then by id."""
        g, lay = self._graph, self._graph._lay
        idx = self._affected.tolist()
        av = self._avail.item
        order = sorted(idx, key=lambda i: (float(av[i]), lay.ids[i]))
        return tuple(
            AffectedItem(
                id=lay.ids[i],
                name=g._str(int(lay.item_name[i])),
                layer=g._str(int(lay.item_layer[i])),
                category=g._str(int(lay.item_category[i])),
                status=_status(float(av[i])),
                availability=float(av[i]),
                binding_requirement=(
                    None if self._binding[i] < 0 else g.requirement_id(int(self._binding[i]))
                ),
                explanation=self._chain(i),
            )
            for i in order
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per affected item (id, name, layer, category, status, availability,
        binding_requirement, cause, root_cause, chain_length), for ``pandas.DataFrame``."""
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
                    "availability": a.availability,
                    "binding_requirement": a.binding_requirement,
                    "cause": first.cause,
                    "root_cause": a.root_cause,
                    "chain_length": len(a.explanation),
                }
            )
        return out


def impact_status(v: float) -> Status:
    """The status an availability means: BLOCKED at 0, OK at 1, CONSTRAINED between.

    Examples:
        >>> str(impact_status(0.0)), str(impact_status(0.4)), str(impact_status(1.0))
        ('BLOCKED', 'CONSTRAINED', 'OK')

    Notes:
        O(1); availabilities within ``EPSILON`` of 0 or 1 count as 0 or 1.
    """
    return _status(v)


def _status(v: float) -> Status:
    if v <= EPSILON:
        return Status.BLOCKED
    if v < 1.0 - EPSILON:
        return Status.CONSTRAINED
    return Status.OK


def _first_where(mask: np.ndarray, starts: I64, size: int) -> I64:
    """Per segment (given by ``starts`` into a range of ``size``), first position in ``mask``."""
    pos = np.where(mask, np.arange(size), size)
    return np.minimum.reduceat(pos, starts).astype(np.int64)


def impact(
    graph: DependencyGraph, shortages: Mapping[str, float], substitution: bool = False
) -> ImpactResult:
    """Availability of every item under a scenario of shortages, with explanations.

    ``avail(item) = min(a(item), min over requirements r of avail(r))``;
    ``avail(r) = min(avail(input), S(r))`` where ``S(r)`` is the share-weighted sum of the
    sources' availabilities (``max`` with ``substitution=True``; 1 when ``r`` has no sources).
    Shares are normalised per requirement: sources without a share split what the known
    shares leave (``max(0, 1 - sum of known)``) equally, then all are scaled to sum to 1; if
    they all come out 0 every source gets an equal part.

    Args:
        graph: The dependency graph.
        shortages: Item id -> availability in [0, 1] (items not named have 1).
        substitution: Whether any one source can replace the others entirely.

    Returns:
        The affected items (availability below ``1 - EPSILON``), each with its status
        (BLOCKED at or below ``EPSILON``), binding requirement (None when the item's own
        shortage binds) and its explanation chain; counts per status and per layer.

    Raises:
        UnknownNodeError: A shortage names an unknown item (with the closest ids).
        ValueError: An availability is not a number in [0, 1].

    Examples:
        >>> from graph.analysis import DependencyGraphBuilder, impact
        >>> b = DependencyGraphBuilder()
        >>> r = b.add_requirement("gpu", "hbm")
        >>> _ = b.add_source(r, "sk-hynix", share=0.5)
        >>> _ = b.add_source(r, "samsung", share=0.5)
        >>> _ = b.add_requirement("server", "gpu")
        >>> res = impact(b.build(), {"sk-hynix": 0.0})
        >>> [(a.id, str(a.status), a.availability) for a in res.affected]
        [('sk-hynix', 'BLOCKED', 0.0), ('gpu', 'CONSTRAINED', 0.5), ('server', 'CONSTRAINED', 0.5)]
        >>> [s.item for s in res.explain("server")]
        ['server', 'gpu', 'sk-hynix']

    Notes:
        One vectorised pass over the topological levels, O(I + R + S) for I items,
        R requirements and S sources. Cycles are iterated from the top (all-ones) down to their
        greatest fixpoint, sweeping a level's cyclic block until no value moves by more than
        ``1e-12`` (at most 100 000 sweeps; ``converged`` says whether that was enough).
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
    av = availability(lay, a, graph._weights(), substitution)
    item_av = av.item

    status = np.zeros(lay.n_items, dtype=np.int64)
    status[item_av < 1.0 - EPSILON] = 1
    status[item_av <= EPSILON] = 2
    affected = np.flatnonzero(status > 0)

    binding, cause, cause_src = _explain_links(graph, av, a, affected, substitution)

    counts = np.bincount(status, minlength=3)
    layer_codes = lay.item_layer.astype(np.int64) + 1
    by = np.bincount(layer_codes * 3 + status, minlength=(len(lay.strings) + 1) * 3).reshape(-1, 3)
    counts_by_layer: dict[str | None, dict[str, int]] = {}
    for code in np.flatnonzero(by.sum(axis=1)).tolist():
        name = None if code == 0 else lay.strings[code - 1]
        counts_by_layer[name] = {str(_STATUS[k]): int(by[code, k]) for k in range(3)}
    hit = np.unique(lay.comp[affected[lay.cyclic[affected]]])
    cycles = tuple(
        c for c in graph.cycles() if int(lay.comp[graph.index(c[0])]) in set(hit.tolist())
    )
    return ImpactResult(
        shortages=clean,
        substitution=substitution,
        counts={str(_STATUS[k]): int(counts[k]) for k in range(3)},
        counts_by_layer=counts_by_layer,
        cycles=cycles,
        converged=av.converged,
        _graph=graph,
        _avail=av,
        _affected=affected,
        _binding=binding,
        _cause=cause,
        _cause_src=cause_src,
    )


def _explain_links(
    graph: DependencyGraph, av: Availability, a: F64, affected: I64, substitution: bool
) -> tuple[I32, I32, I32]:
    """Binding requirement, limiting child and crossed source edge of each affected item."""
    lay = graph._lay
    n = lay.n_items
    binding = np.full(n, -1, dtype=np.int32)
    cause = np.full(n, -1, dtype=np.int32)
    cause_src = np.full(n, -1, dtype=np.int32)
    rp = lay.item_req_ptr
    items = affected[rp[affected + 1] > rp[affected]]
    if items.size == 0:
        return binding, cause, cause_src
    reqs = gather_segments(rp, items)
    counts = (rp[items + 1] - rp[items]).astype(np.int64)
    starts = np.cumsum(counts) - counts
    rv = av.requirement[reqs]
    low = np.minimum.reduceat(rv, starts)
    binds = low < a[items]  # otherwise the item's own shortage binds
    first = _first_where(rv == np.repeat(low, counts), starts, len(reqs))
    items, r = items[binds], reqs[first[binds]]
    binding[items] = r
    by_input = av.item[lay.req_input[r]] <= av.supply[r]
    cause[items[by_input]] = lay.req_input[r[by_input]]
    items, r = items[~by_input], r[~by_input]
    if items.size == 0:
        return binding, cause, cause_src
    sp = lay.req_src_ptr
    srcs = gather_segments(sp, r)
    scount = (sp[r + 1] - sp[r]).astype(np.int64)
    sstarts = np.cumsum(scount) - scount
    savail = av.item[lay.src_item[srcs]]
    score = savail if substitution else graph._weights()[srcs] * (1.0 - savail)
    top = np.maximum.reduceat(score, sstarts)
    pick = srcs[_first_where(score == np.repeat(top, scount), sstarts, len(srcs))]
    cause[items] = lay.src_item[pick]
    cause_src[items] = pick
    return binding, cause, cause_src
