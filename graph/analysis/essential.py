"""Single points of failure and chokepoints: items whose loss alone blocks others.

The essential set of an item is ``ess(x) = {x} ∪ ⋃_r (ess(input(r)) ∪ ⋂_{s in sources(r)}
ess(s))`` (a requirement without sources contributes ``ess(input(r))``): the items whose loss,
with every other item available, blocks ``x`` when any qualified source can stand in for the
others. Source shares are ignored here: a source is an alternative whatever its share.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from stackgraph.graph.analysis import _choke
from stackgraph.graph.analysis._layout import F64, I64
from stackgraph.graph.analysis._traverse import bfs
from stackgraph.graph.analysis.closure import Hop
from stackgraph.graph.analysis.errors import CycleError
from stackgraph.graph.analysis.model import DependencyGraph

__all__ = [
    "Chokepoint",
    "SinglePointOfFailure",
    "chokepoints",
    "single_points_of_failure",
    "to_records",
]


@dataclass(frozen=True, slots=True)
class SinglePointOfFailure:
    """An item whose loss alone blocks the target; ``chain`` shows why, target first.

    Each hop crosses a requirement either through its input or through a source, in which case
    every other source of that requirement depends on this item too.
    """

    id: str
    name: str | None
    layer: str | None
    category: str | None
    chain: tuple[Hop, ...]

    @property
    def label(self) -> str | None:
        """Deprecated: use `name`."""
        return self.name

    @property
    def path(self) -> tuple[str, ...]:
        """Item ids from the target down to this item."""
        return (*(h.from_item for h in self.chain), self.id)

    @property
    def via_facts(self) -> tuple[str, ...]:
        """The fact IRIs along the chain (requirements and source edges), in order."""
        return tuple(f for h in self.chain for f in (h.requirement_fact, h.source_fact) if f)

    def to_record(self) -> dict[str, Any]:
        """A flat dict: attributes, ``path`` (item ids, target first) and ``via_facts``."""
        return {
            "id": self.id,
            "name": self.name,
            "layer": self.layer,
            "category": self.category,
            "path": list(self.path),
            "via_facts": list(self.via_facts),
        }


@dataclass(frozen=True, slots=True)
class Chokepoint:
    """An item that alone can block ``count`` end products (``score`` when weighted)."""

    id: str
    name: str | None
    layer: str | None
    category: str | None
    count: int
    score: float
    end_products: tuple[str, ...]

    @property
    def label(self) -> str | None:
        """Deprecated: use `name`."""
        return self.name

    def to_record(self) -> dict[str, Any]:
        """A flat dict of the attributes (``end_products`` as a list)."""
        return {
            "id": self.id,
            "name": self.name,
            "layer": self.layer,
            "category": self.category,
            "count": self.count,
            "score": self.score,
            "end_products": list(self.end_products),
        }


def _check_acyclic(graph: DependencyGraph, reach: np.ndarray, what: str) -> None:
    lay = graph._lay
    if bool(lay.cyclic[reach].any()):
        comps = set(lay.comp[reach & lay.cyclic].tolist())
        members = [c for c in graph.cycles() if int(lay.comp[graph.index(c[0])]) in comps]
        raise CycleError(what, members)


class _Ess:
    """Essential sets over a set of items, computed children first."""

    def __init__(self, graph: DependencyGraph) -> None:
        lay = graph._lay
        self.rp: list[int] = lay.item_req_ptr.tolist()
        self.sp: list[int] = lay.req_src_ptr.tolist()
        self.rin: list[int] = lay.req_input.tolist()
        self.si: list[int] = lay.src_item.tolist()

    def compute(self, x: int, ess: dict[int, frozenset[int]]) -> frozenset[int]:
        rp, sp, rin, si = self.rp, self.sp, self.rin, self.si
        out = {x}
        for r in range(rp[x], rp[x + 1]):
            out |= ess[rin[r]]
            a, b = sp[r], sp[r + 1]
            if b > a:
                common = ess[si[a]]
                for k in range(a + 1, b):
                    if not common:
                        break
                    common = common & ess[si[k]]
                out |= common
        return frozenset(out)


def single_points_of_failure(
    graph: DependencyGraph, item: str, include_self: bool = False
) -> list[SinglePointOfFailure]:
    """The items whose loss alone blocks ``item`` (its essential set), with the reason.

    Args:
        graph: The dependency graph.
        item: The target item.
        include_self: Whether to list ``item`` itself (always essential to itself).

    Returns:
        The essential items, nearest first (by chain length, then id).

    Raises:
        UnknownNodeError: ``item`` is not in the graph.
        CycleError: The dependency closure of ``item`` has a cycle (members reported).

    Examples:
        >>> from stackgraph.graph.analysis import DependencyGraphBuilder, single_points_of_failure
        >>> b = DependencyGraphBuilder()
        >>> r = b.add_requirement("gpu", "hbm")
        >>> _ = b.add_source(r, "sk-hynix")
        >>> _ = b.add_source(r, "samsung")
        >>> _ = b.add_requirement("gpu", "cowos")
        >>> _ = b.add_requirement("server", "gpu")
        >>> [(s.id, len(s.chain)) for s in single_points_of_failure(b.build(), "server")]
        [('gpu', 1), ('cowos', 2), ('hbm', 2)]

    Notes:
        Essential sets of the closure are computed children first with set unions and
        intersections: O(sum over the closure's edges of the essential-set sizes) time and
        O(sum of the sizes) memory; the chains cost O(depth) each.
    """
    lay = graph._lay
    target = graph.index(item)
    reach = bfs(lay, np.array([target]), None).dist >= 0
    _check_acyclic(graph, reach, f"single points of failure of {item!r}")
    calc = _Ess(graph)
    ess: dict[int, frozenset[int]] = {}
    for x in np.flatnonzero(reach).tolist():
        ess[x] = calc.compute(x, ess)
    chains = {v: _chain(graph, calc, ess, target, v) for v in ess[target]}
    out = [
        SinglePointOfFailure(
            id=lay.ids[v],
            name=graph._str(int(lay.item_name[v])),
            layer=graph._str(int(lay.item_layer[v])),
            category=graph._str(int(lay.item_category[v])),
            chain=chains[v],
        )
        for v in ess[target]
        if include_self or v != target
    ]
    out.sort(key=lambda s: (len(s.chain), s.id))
    return out


def _chain(
    graph: DependencyGraph, calc: _Ess, ess: dict[int, frozenset[int]], x: int, v: int
) -> tuple[Hop, ...]:
    lay = graph._lay
    hops: list[Hop] = []
    while x != v:
        for r in range(calc.rp[x], calc.rp[x + 1]):
            a, b = calc.sp[r], calc.sp[r + 1]
            nxt, src = -1, -1
            if v in ess[calc.rin[r]]:
                nxt = calc.rin[r]
            elif b > a and all(v in ess[calc.si[k]] for k in range(a, b)):
                nxt, src = calc.si[a], a
            if nxt >= 0:
                hops.append(
                    Hop(
                        from_item=lay.ids[x],
                        to_item=lay.ids[nxt],
                        requirement=graph.requirement_id(r),
                        via="input" if src < 0 else "source",
                        requirement_fact=graph._str(int(lay.req_fact[r])),
                        source_fact=None if src < 0 else graph._str(int(lay.src_fact[src])),
                    )
                )
                x = nxt
                break
    return tuple(hops)


def chokepoints(
    graph: DependencyGraph,
    top: int = 10,
    weights: Mapping[str, float] | None = None,
    categories: Collection[str] | None = None,
) -> list[Chokepoint]:
    """The items that alone can block the most end products.

    End products are items that nothing requires (only those of ``categories`` if given). An
    item blocks an end product when it is in the product's essential set; the product itself
    is not counted. End products whose dependencies form a cycle are left out (an essential set
    is not defined there), so that one cycle does not stop the ranking of every other product;
    `DependencyGraph.cycles` names the cycles.

    Args:
        graph: The dependency graph.
        top: How many chokepoints to return.
        weights: End product id -> weight (default 1 each) to rank by how much is blocked.
        categories: Only end products of these categories count.

    Returns:
        Up to ``top`` chokepoints, highest score first, ties by id; each lists the end
        products it blocks.

    Raises:
        UnknownNodeError: ``weights`` names an unknown item.
        ValueError: ``top`` is negative or a weight is negative or not finite.

    Examples:
        >>> from stackgraph.graph.analysis import DependencyGraphBuilder, chokepoints
        >>> b = DependencyGraphBuilder()
        >>> for product in ("server-a", "server-b"):
        ...     _ = b.add_requirement(product, "gpu")
        >>> _ = b.add_requirement("server-b", "nic")
        >>> [(c.id, c.count, c.end_products) for c in chokepoints(b.build(), top=2)]
        [('gpu', 2, ('server-a', 'server-b')), ('nic', 1, ('server-b',))]

    Notes:
        Bitset sweeps, 64 candidate blockers at a time, bottom-up over the topological levels
        of the closure (vectorised with ``reduceat``; O(edges) per batch, O(items) memory).
        An item is swept only while upper bounds on its score reach the current ``top``-th
        best score: the score of each of its inputs (whatever it blocks, its inputs block too),
        and two weights of its paths to the end products (two top-down passes; see
        ``_choke``). Then O(n log top) to rank.
    """
    lay = graph._lay
    roots, w = _ends_and_weights(graph, top, weights, categories)
    roots = _clear_of_cycles(graph, roots)
    reach = bfs(lay, roots, None).dist >= 0 if roots.size else np.zeros(lay.n_items, bool)
    if roots.size == 0 or top == 0:
        return []
    ranked, sweeper = _choke.rank(lay, roots, w, reach, top)
    out: list[Chokepoint] = []
    wl: list[float] = w.tolist()
    for a in range(0, len(ranked), _choke.BATCH):
        batch = np.array(ranked[a : a + _choke.BATCH], dtype=np.int64)
        hit = sweeper.blocked(batch)
        for j, v in enumerate(ranked[a : a + _choke.BATCH]):
            blocked = sweeper.ends[hit[:, j]].tolist()
            total = 0.0
            for x in blocked:
                total += wl[x]
            out.append(
                Chokepoint(
                    id=lay.ids[v],
                    name=graph._str(int(lay.item_name[v])),
                    layer=graph._str(int(lay.item_layer[v])),
                    category=graph._str(int(lay.item_category[v])),
                    count=len(blocked),
                    score=total,
                    end_products=tuple(sorted(lay.ids[x] for x in blocked)),
                )
            )
    return out


def _clear_of_cycles(graph: DependencyGraph, roots: I64) -> I64:
    """The end products whose closure has no cycle: what an item alone blocks is not defined
    below a cycle, and one cycle must not stop the ranking for every other product."""
    lay = graph._lay
    cyclic = np.flatnonzero(lay.cyclic).astype(np.int64)
    if cyclic.size == 0 or roots.size == 0:
        return roots
    below = bfs(lay, cyclic, None, graph._reverse(), graph._src_req()).dist >= 0
    return roots[~below[roots]]


def _ends_and_weights(
    graph: DependencyGraph,
    top: int,
    weights: Mapping[str, float] | None,
    categories: Collection[str] | None,
) -> tuple[I64, F64]:
    if top < 0:
        raise ValueError(f"top must be >= 0, got {top}")
    lay = graph._lay
    roots = np.array([graph.index(e) for e in graph.end_products(categories)], dtype=np.int64)
    w = np.ones(lay.n_items)
    for k, val in (weights or {}).items():
        i = graph.index(k)
        if not (isinstance(val, int | float) and math.isfinite(val) and val >= 0):
            raise ValueError(f"weight of {k!r} must be a finite number >= 0, got {val!r}")
        w[i] = float(val)
    return roots, w


def _chokepoints_sets(
    graph: DependencyGraph,
    top: int = 10,
    weights: Mapping[str, float] | None = None,
    categories: Collection[str] | None = None,
) -> list[Chokepoint]:
    """``chokepoints`` with essential sets as frozensets, children first (the twin in tests).

    O(sum over edges of essential-set sizes) time, O(sizes on the frontier) memory.
    """
    lay = graph._lay
    roots, w = _ends_and_weights(graph, top, weights, categories)
    roots = _clear_of_cycles(graph, roots)
    reach = bfs(lay, roots, None).dist >= 0 if roots.size else np.zeros(lay.n_items, bool)
    users = _users_within(graph, reach)
    is_root = np.zeros(lay.n_items, dtype=bool)
    is_root[roots] = True
    root_list: list[bool] = is_root.tolist()
    wl: list[float] = w.tolist()
    calc = _Ess(graph)
    ess: dict[int, frozenset[int]] = {}
    score: dict[int, float] = {}
    blocks: dict[int, list[int]] = {}
    rp, sp, rin, si = calc.rp, calc.sp, calc.rin, calc.si
    for x in np.flatnonzero(reach).tolist():
        e = ess[x] = calc.compute(x, ess)
        for r in range(rp[x], rp[x + 1]):
            for c in (rin[r], *si[sp[r] : sp[r + 1]]):
                users[c] -= 1
                if users[c] == 0:
                    del ess[c]
        if root_list[x]:
            for v in e:
                if v != x:
                    score[v] = score.get(v, 0.0) + wl[x]
                    blocks.setdefault(v, []).append(x)
            if users[x] == 0:
                del ess[x]
    best = heapq.nsmallest(top, score, key=lambda v: (-score[v], lay.ids[v]))
    return [
        Chokepoint(
            id=lay.ids[v],
            name=graph._str(int(lay.item_name[v])),
            layer=graph._str(int(lay.item_layer[v])),
            category=graph._str(int(lay.item_category[v])),
            count=len(blocks[v]),
            score=score[v],
            end_products=tuple(sorted(lay.ids[x] for x in blocks[v])),
        )
        for v in best
    ]


def _users_within(graph: DependencyGraph, reach: np.ndarray) -> list[int]:
    """Per item, how many edges from items in ``reach`` point at it."""
    lay = graph._lay
    rin_mask = reach[graph._req_item()]
    src_mask = rin_mask[graph._src_req()]
    n = lay.n_items
    counts: I64 = np.bincount(lay.req_input[rin_mask], minlength=n) + np.bincount(
        lay.src_item[src_mask], minlength=n
    )
    return counts.tolist()  # type: ignore[no-any-return]


def to_records(results: Iterable[SinglePointOfFailure | Chokepoint]) -> list[dict[str, Any]]:
    """Dicts of a list of single points of failure or chokepoints, for ``pandas.DataFrame``.

    Examples:
        >>> from stackgraph.graph.analysis import Chokepoint, to_records
        >>> to_records([Chokepoint("gpu", None, None, None, 2, 2.0, ("a", "b"))])[0]["count"]
        2
    """
    return [r.to_record() for r in results]
