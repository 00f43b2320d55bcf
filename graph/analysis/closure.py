"""Transitive dependencies and dependents of an item, with one shortest path each."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from stackgraph.graph.analysis._traverse import Search, bfs
from stackgraph.graph.analysis.model import DependencyGraph

__all__ = ["Closure", "Hop", "Reached", "dependencies", "dependents"]


@dataclass(frozen=True, slots=True)
class Hop:
    """One item-to-item hop of a path, through a requirement of the dependent item.

    ``via`` is ``"input"`` when ``to_item`` (or ``from_item``) is the requirement's input and
    ``"source"`` when it is a supplier; the facts are the IRIs of the requirement and of the
    source edge crossed.
    """

    from_item: str
    to_item: str
    requirement: str
    via: str
    requirement_fact: str | None
    source_fact: str | None


@dataclass(frozen=True, slots=True)
class Reached:
    """An item reached by a closure, at ``depth`` item hops, with one shortest path."""

    id: str
    name: str | None
    layer: str | None
    category: str | None
    depth: int
    path: tuple[str, ...]
    hops: tuple[Hop, ...]

    @property
    def label(self) -> str | None:
        """Deprecated: use `name`."""
        return self.name

    @property
    def via_facts(self) -> tuple[str, ...]:
        """The fact IRIs along the path (requirements and source edges), in order."""
        out: list[str] = []
        for h in self.hops:
            out.extend(f for f in (h.requirement_fact, h.source_fact) if f is not None)
        return tuple(out)


@dataclass(frozen=True)
class Closure:
    """Result of :func:`dependencies` or :func:`dependents`.

    Attributes:
        item: The start item.
        direction: ``"dependencies"`` or ``"dependents"``.
        depth: The depth bound asked for (None: unbounded).
        total: Items reached, the start excluded.
        reached: The nearest ``limit`` of them, by depth then id.
        truncated: Whether ``reached`` lists fewer than ``total``.
    """

    item: str
    direction: str
    depth: int | None
    total: int
    reached: tuple[Reached, ...]
    truncated: bool

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per reached item (id, name, layer, category, depth, path, via_facts)."""
        return [
            {
                "id": r.id,
                "name": r.name,
                "layer": r.layer,
                "category": r.category,
                "depth": r.depth,
                "path": list(r.path),
                "via_facts": list(r.via_facts),
            }
            for r in self.reached
        ]


def _check(depth: int | None, limit: int) -> None:
    if depth is not None and depth < 0:
        raise ValueError(f"depth must be >= 0 or None, got {depth}")
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")


def _wanted(graph: DependencyGraph, codes: Any, names: Iterable[str] | None, order: Any) -> Any:
    """The members of `order` whose layer or category (`codes` per item) is one of `names`."""
    if names is None:
        return order
    names = [names] if isinstance(names, str) else names
    return order[np.isin(codes[order], graph._kind_codes(names))]


def _closure(
    graph: DependencyGraph,
    item: str,
    depth: int | None,
    limit: int,
    down: bool,
    layers: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
) -> Closure:
    _check(depth, limit)
    lay = graph._lay
    start = graph.index(item)
    if down:
        search = bfs(lay, np.array([start]), depth)
    else:
        search = bfs(lay, np.array([start]), depth, graph._reverse(), graph._src_req())
    dist = search.dist
    order = search.order[1:]
    # The walk passes through every item; only the listing and the count are filtered.
    order = _wanted(graph, lay.item_layer, layers, order)
    order = _wanted(graph, lay.item_category, categories, order)
    total = len(order)
    chosen: list[int] = []
    if total:
        d_order = dist[order]
        counts = np.bincount(d_order)
        cum = np.cumsum(counts)
        for d in range(1, len(counts)):
            members = order[d_order == d].tolist()
            room = limit - len(chosen)
            if room <= 0:
                break
            if len(members) <= room:
                chosen.extend(sorted(members, key=lambda i: lay.ids[i]))
            else:
                chosen.extend(heapq.nsmallest(room, members, key=lambda i: lay.ids[i]))
            if cum[d] >= limit:
                break
    reached = tuple(_reached(graph, search, i, down) for i in chosen[:limit])
    return Closure(
        item, "dependencies" if down else "dependents", depth, total, reached, len(reached) < total
    )


def _reached(graph: DependencyGraph, search: Search, i: int, down: bool) -> Reached:
    lay = graph._lay
    hops: list[Hop] = []
    path = [i]
    node = i
    while search.parent[node] >= 0:
        prev = int(search.parent[node])
        r, s = int(search.via_req[node]), int(search.via_src[node])
        hops.append(
            Hop(
                from_item=lay.ids[prev],
                to_item=lay.ids[node],
                requirement=graph.requirement_id(r),
                via="input" if s < 0 else "source",
                requirement_fact=graph._str(int(lay.req_fact[r])),
                source_fact=None if s < 0 else graph._str(int(lay.src_fact[s])),
            )
        )
        path.append(prev)
        node = prev
    hops.reverse()
    path.reverse()
    return Reached(
        id=lay.ids[i],
        name=graph._str(int(lay.item_name[i])),
        layer=graph._str(int(lay.item_layer[i])),
        category=graph._str(int(lay.item_category[i])),
        depth=int(search.dist[i]),
        path=tuple(lay.ids[k] for k in path),
        hops=tuple(hops),
    )


def dependencies(
    graph: DependencyGraph,
    item: str,
    depth: int | None = None,
    limit: int = 10_000,
    *,
    layers: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
) -> Closure:
    """Everything ``item`` depends on, through inputs and sources, to ``depth`` item hops.

    Args:
        graph: The dependency graph.
        item: The start item.
        depth: Most item hops (requirement nodes are not counted); None for no bound.
        limit: Most items listed in ``reached`` (``total`` is always exact).
        layers: List and count only items of these layers (the walk still crosses the others).
        categories: List and count only items of these categories, likewise.

    Returns:
        The reached items, nearest first, each with a shortest path and the facts along it.

    Raises:
        UnknownNodeError: ``item`` is not in the graph.
        ValueError: ``depth`` or ``limit`` is negative.

    Examples:
        >>> from stackgraph.graph.analysis import DependencyGraphBuilder, dependencies
        >>> b = DependencyGraphBuilder()
        >>> r = b.add_requirement("server", "gpu", fact="https://example.org/f1")
        >>> r = b.add_requirement("gpu", "hbm")
        >>> _ = b.add_source(r, "sk-hynix", fact="https://example.org/f2")
        >>> c = dependencies(b.build(), "server")
        >>> [(x.id, x.depth) for x in c.reached]
        [('gpu', 1), ('hbm', 2), ('sk-hynix', 2)]
        >>> c.reached[-1].path, c.reached[-1].via_facts
        (('server', 'gpu', 'sk-hynix'), ('https://example.org/f1', 'https://example.org/f2'))

    Notes:
        Vectorised breadth-first search over the CSR arrays, O(size of the closure and of its
        edges); listing costs O(limit * depth) plus sorting the last depth reached by id.
    """
    return _closure(graph, item, depth, limit, down=True, layers=layers, categories=categories)


def dependents(
    graph: DependencyGraph,
    item: str,
    depth: int | None = None,
    limit: int = 10_000,
    *,
    layers: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
) -> Closure:
    """Everything that depends on ``item`` (as an input or a source), to ``depth`` item hops.

    Args:
        graph: The dependency graph.
        item: The start item.
        depth: Most item hops; None for no bound.
        limit: Most items listed in ``reached`` (``total`` is always exact).
        layers: List and count only items of these layers (the walk still crosses the others).
        categories: List and count only items of these categories, likewise.

    Returns:
        The reached items, nearest first, each with a shortest path (from ``item`` up) and the
        facts along it.

    Raises:
        UnknownNodeError: ``item`` is not in the graph.
        ValueError: ``depth`` or ``limit`` is negative.

    Examples:
        >>> from stackgraph.graph.analysis import DependencyGraphBuilder, dependents
        >>> b = DependencyGraphBuilder()
        >>> _ = b.add_requirement("server", "gpu")
        >>> r = b.add_requirement("gpu", "hbm")
        >>> _ = b.add_source(r, "sk-hynix")
        >>> [(x.id, x.depth, x.path) for x in dependents(b.build(), "sk-hynix").reached]
        [('gpu', 1, ('sk-hynix', 'gpu')), ('server', 2, ('sk-hynix', 'gpu', 'server'))]

    Notes:
        Breadth-first search over the reverse index (built once per graph, O(R + S)), then
        O(size of the closure); listing as in :func:`dependencies`.
    """
    return _closure(graph, item, depth, limit, down=False, layers=layers, categories=categories)
