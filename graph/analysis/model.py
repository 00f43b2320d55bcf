"""The compact AND/OR dependency graph that every analysis reads.

Items are AND nodes (every requirement must be met); requirements are OR nodes over their
sources, capped by their input item. The graph is stored as integer-indexed numpy arrays (CSR
item -> requirements -> sources, a reverse index for dependents, one string table), items
numbered in topological order of the condensation so that the kernels work level by level on
contiguous slices.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from stackgraph.graph.analysis import _convert
from stackgraph.graph.analysis._layout import (
    I32,
    NO_LEAD,
    NO_STRING,
    Layout,
    Shares,
    assemble,
    bucket_order,
    counts_to_ptr,
    segment_owner,
    source_shares,
)
from stackgraph.graph.analysis._traverse import Reverse
from stackgraph.graph.analysis.errors import UnknownNodeError
from stackgraph.graph.analysis.parts import Item, Requirement, Source

__all__ = ["DependencyGraph", "Item", "Requirement", "Source"]


def _opt_int(v: int) -> int | None:
    return None if v == NO_LEAD else int(v)


def _opt_float(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


class DependencyGraph:
    """An immutable AND/OR dependency graph (build it with ``DependencyGraphBuilder``).

    Attributes are read-only; numpy arrays are shared, never copied, and must not be written.
    """

    __slots__ = ("_cache", "_index", "_lay")

    def __init__(self, layout: Layout) -> None:
        self._lay = layout
        self._index: Mapping[str, int] = {k: i for i, k in enumerate(layout.ids)}
        self._cache: dict[str, Any] = {}
        # Built eagerly: every impact needs the shares, every dependents query the reverse.
        self._shares()
        self._reverse()

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        ids: Sequence[str],
        req_item: npt.ArrayLike,
        req_input: npt.ArrayLike,
        src_req: npt.ArrayLike,
        src_item: npt.ArrayLike,
        *,
        src_share: npt.ArrayLike | None = None,
        item_lead: npt.ArrayLike | None = None,
        item_stage: npt.ArrayLike | None = None,
        req_lead: npt.ArrayLike | None = None,
        src_lead: npt.ArrayLike | None = None,
        req_quantity: npt.ArrayLike | None = None,
        strings: Sequence[str] = (),
        item_name: npt.ArrayLike | None = None,
        item_layer: npt.ArrayLike | None = None,
        item_category: npt.ArrayLike | None = None,
        item_fact: npt.ArrayLike | None = None,
        req_fact: npt.ArrayLike | None = None,
        src_fact: npt.ArrayLike | None = None,
        req_names: Mapping[int, str] | None = None,
        item_stage_fact: npt.ArrayLike | None = None,
    ) -> DependencyGraph:
        """Build a graph in bulk from integer arrays (the fast path for large graphs).

        Args:
            ids: Item ids; item ``i`` is ``ids[i]``.
            req_item: Owner item index per requirement.
            req_input: Input item index per requirement.
            src_req: Requirement index per source edge.
            src_item: Supplier item index per source edge.
            src_share: Share per source edge, NaN when unknown.
            item_lead: Quoted lead time (days) per item, -1 when unknown; likewise
                ``item_stage`` (stage time per item), ``req_lead`` and ``src_lead``.
            req_quantity: Quantity per requirement, NaN when unknown.
            strings: String table for names, layers, categories and facts.
            item_name: Index into ``strings`` per item, -1 for none; likewise ``item_layer``,
                ``item_category``, ``item_fact``, ``item_stage_fact``, ``req_fact``,
                ``src_fact``.
            req_names: Explicit requirement ids by requirement index; the others are named
                ``"<item>/<input>"`` (``"#2"``, ``"#3"``... appended to repeats).

        Returns:
            The immutable graph.

        Raises:
            ValueError: An index is out of range, a share is outside [0, 1], a lead time or a
                quantity is negative, or an id is repeated.
        """
        n = len(ids)
        if len(set(ids)) != n:
            seen: set[str] = set()
            dup = next(i for i in ids if i in seen or seen.add(i))  # type: ignore[func-returns-value]
            raise ValueError(f"item id {dup!r} is given more than once")
        r_item = np.asarray(req_item, dtype=np.int32)
        r_input = np.asarray(req_input, dtype=np.int32)
        s_req = np.asarray(src_req, dtype=np.int32)
        s_item = np.asarray(src_item, dtype=np.int32)
        n_req, n_src = len(r_item), len(s_item)
        if len(r_input) != n_req or len(s_req) != n_src:
            raise ValueError("req_item/req_input and src_req/src_item must have equal lengths")

        def col(a: npt.ArrayLike | None, size: int, dtype: type, fill: float) -> Any:
            if a is None:
                return np.full(size, fill, dtype=dtype)
            arr: Any = np.asarray(a, dtype=dtype)
            if arr.shape != (size,):
                raise ValueError(f"expected an array of length {size}, got shape {arr.shape}")
            return arr

        names = dict(req_names or {})
        if n_req:
            key = r_item.astype(np.int64) * max(n, 1) + r_input
            order = np.argsort(key, kind="stable")
            sk = key[order]
            starts = np.r_[True, sk[1:] != sk[:-1]]
            rank = np.arange(n_req) - np.maximum.accumulate(np.where(starts, np.arange(n_req), 0))
            for pos in np.flatnonzero(rank > 0).tolist():
                r = int(order[pos])
                if r not in names:
                    names[r] = f"{ids[r_item[r]]}/{ids[r_input[r]]}#{int(rank[pos]) + 1}"
        lay = assemble(
            ids=list(ids),
            strings=list(strings),
            item_name=col(item_name, n, np.int32, NO_STRING),
            item_layer=col(item_layer, n, np.int32, NO_STRING),
            item_category=col(item_category, n, np.int32, NO_STRING),
            item_fact=col(item_fact, n, np.int32, NO_STRING),
            item_lead=col(item_lead, n, np.int32, NO_LEAD),
            req_item=r_item,
            req_input=r_input,
            req_quantity=col(req_quantity, n_req, np.float32, np.nan),
            req_lead=col(req_lead, n_req, np.int32, NO_LEAD),
            req_fact=col(req_fact, n_req, np.int32, NO_STRING),
            req_names=names,
            src_req=s_req,
            src_item=s_item,
            src_share=col(src_share, n_src, np.float32, np.nan),
            src_lead=col(src_lead, n_src, np.int32, NO_LEAD),
            src_fact=col(src_fact, n_src, np.int32, NO_STRING),
            item_stage=col(item_stage, n, np.int32, NO_LEAD),
            item_stage_fact=col(item_stage_fact, n, np.int32, NO_STRING),
        )
        return cls(lay)

    def parts(self) -> tuple[Layout, dict[str, Any]]:
        """The layout and the arrays derived from it (shares, reverse index), built eagerly:
        what `from_parts` takes back, for a graph written to a file and mapped again."""
        return self._lay, dict(self._cache)

    @classmethod
    def from_parts(
        cls, layout: Layout, derived: dict[str, Any], index: Mapping[str, int]
    ) -> DependencyGraph:
        """A graph of a `layout`, its `derived` arrays (as `parts` gave them) and an `index`
        of its ids (id -> position in ``layout.ids``), none of them copied or checked again."""
        g = cls.__new__(cls)
        g._lay, g._index, g._cache = layout, index, dict(derived)
        return g

    # ------------------------------------------------------------------ sizes and lookups
    @property
    def n_items(self) -> int:
        """Number of items."""
        return self._lay.n_items

    @property
    def n_requirements(self) -> int:
        """Number of requirements."""
        return self._lay.n_requirements

    @property
    def n_sources(self) -> int:
        """Number of source edges."""
        return self._lay.n_sources

    @property
    def n_levels(self) -> int:
        """Number of topological levels of the condensation (height + 1)."""
        return len(self._lay.level_ptr) - 1

    @property
    def ids(self) -> Sequence[str]:
        """Item ids in internal (topological) order."""
        return self._lay.ids

    @property
    def nbytes(self) -> int:
        """Bytes held by the numpy arrays, including the caches built so far."""
        total = 0
        for name in Layout.__slots__:
            v = getattr(self._lay, name)
            if isinstance(v, np.ndarray):
                total += v.nbytes
        for v in self._cache.values():
            for a in v if isinstance(v, tuple) else (v,):
                total += a.nbytes if isinstance(a, np.ndarray) else 0
        return total

    def __len__(self) -> int:
        return self.n_items

    def __contains__(self, item: object) -> bool:
        return item in self._index

    def __repr__(self) -> str:
        return (
            f"DependencyGraph({self.n_items} items, {self.n_requirements} requirements, "
            f"{self.n_sources} sources, {self.n_levels} levels)"
        )

    def index(self, item: str) -> int:
        """Internal index of ``item``.

        Raises:
            UnknownNodeError: ``item`` is not in the graph (with the closest ids).
        """
        try:
            return self._index[item]
        except (KeyError, TypeError):
            raise UnknownNodeError.for_id(str(item), self._lay.ids) from None

    def _str(self, k: int) -> str | None:
        return None if k == NO_STRING else self._lay.strings[k]

    def _kind_codes(self, names: Iterable[str]) -> I32:
        """String codes of the layers or categories in `names` (built once per graph)."""
        table: dict[str, int] | None = self._cache.get("kind_codes")
        if table is None:
            lay = self._lay
            used = np.unique(np.concatenate([lay.item_layer, lay.item_category]))
            table = self._cache["kind_codes"] = {
                lay.strings[int(k)]: int(k) for k in used.tolist() if k != NO_STRING
            }
        return np.array(sorted({table[n] for n in names if n in table}), dtype=np.int32)

    def requirement_id(self, r: int) -> str:
        """Id of requirement number ``r`` (internal order)."""
        lay = self._lay
        name = lay.req_names.get(r)
        if name is not None:
            return name
        return f"{lay.ids[int(self._req_item()[r])]}/{lay.ids[int(lay.req_input[r])]}"

    def item(self, item: str) -> Item:
        """The attributes of ``item``.

        Raises:
            UnknownNodeError: ``item`` is not in the graph.
        """
        i = self.index(item)
        lay = self._lay
        return Item(
            id=item,
            name=self._str(int(lay.item_name[i])),
            layer=self._str(int(lay.item_layer[i])),
            category=self._str(int(lay.item_category[i])),
            lead_time_days=_opt_int(int(lay.item_lead[i])),
            fact=self._str(int(lay.item_fact[i])),
            stage_time_days=_opt_int(int(lay.item_stage[i])),
            stage_fact=self._str(int(lay.item_stage_fact[i])),
        )

    def _requirement(self, r: int) -> Requirement:
        lay = self._lay
        s0, s1 = int(lay.req_src_ptr[r]), int(lay.req_src_ptr[r + 1])
        return Requirement(
            id=self.requirement_id(r),
            item=lay.ids[int(self._req_item()[r])],
            input=lay.ids[int(lay.req_input[r])],
            quantity=_opt_float(float(lay.req_quantity[r])),
            lead_time_days=_opt_int(int(lay.req_lead[r])),
            fact=self._str(int(lay.req_fact[r])),
            sources=tuple(
                Source(
                    supplier=lay.ids[int(lay.src_item[s])],
                    share=_opt_float(float(lay.src_share[s])),
                    lead_time_days=_opt_int(int(lay.src_lead[s])),
                    fact=self._str(int(lay.src_fact[s])),
                )
                for s in range(s0, s1)
            ),
        )

    def requirements(self, item: str) -> list[Requirement]:
        """The requirements of ``item`` with their sources.

        Raises:
            UnknownNodeError: ``item`` is not in the graph.
        """
        i = self.index(item)
        p = self._lay.item_req_ptr
        return [self._requirement(r) for r in range(int(p[i]), int(p[i + 1]))]

    def cycles(self) -> list[tuple[str, ...]]:
        """Members of every dependency cycle (strongly connected components with more than one
        item, or an item depending on itself), each sorted, in id order."""
        lay = self._lay
        idx = np.flatnonzero(lay.cyclic)
        groups: dict[int, list[str]] = {}
        for i, c in zip(idx.tolist(), lay.comp[idx].tolist(), strict=True):
            groups.setdefault(c, []).append(lay.ids[i])
        return sorted(tuple(sorted(m)) for m in groups.values())

    def end_products(self, categories: Iterable[str] | None = None) -> list[str]:
        """Items that nothing requires (optionally only those of ``categories``), by id."""
        rev = self._reverse()
        roots = np.flatnonzero(np.diff(rev.ptr) == 0)
        if categories is not None:
            names = [categories] if isinstance(categories, str) else categories
            roots = roots[np.isin(self._lay.item_category[roots], self._kind_codes(names))]
        return sorted(self._lay.ids[i] for i in roots.tolist())

    # ------------------------------------------------------------------ cached derived arrays
    def _req_item(self) -> I32:
        v = self._cache.get("req_item")
        if v is None:
            v = self._cache["req_item"] = segment_owner(self._lay.item_req_ptr)
        return v

    def _src_req(self) -> I32:
        v = self._cache.get("src_req")
        if v is None:
            v = self._cache["src_req"] = segment_owner(self._lay.req_src_ptr)
        return v

    def _shares(self) -> Shares:
        v = self._cache.get("shares")
        if v is None:
            v = self._cache["shares"] = source_shares(self._lay.src_share, self._lay.req_src_ptr)
        return v

    def _reverse(self) -> Reverse:
        v = self._cache.get("reverse")
        if v is None:
            lay = self._lay
            child = np.concatenate([lay.req_input, lay.src_item])
            entry = bucket_order(child, lay.n_items)
            ptr = counts_to_ptr(np.bincount(child, minlength=lay.n_items), lay.n_items)
            v = self._cache["reverse"] = Reverse(ptr, entry, self._req_item(), self._src_req())
        return v

    # ------------------------------------------------------------------ networkx round trip
    def to_networkx(self) -> nx.DiGraph:
        """A labelled ``nx.DiGraph`` of items and requirements.

        Item nodes are keyed by item id, requirement nodes by requirement id; every node has
        ``kind`` (``"item"`` or ``"requirement"``), ``id``, ``name``, ``layer``, ``category``,
        ``lead_time_days`` and ``fact``; item nodes also ``stage_time_days`` and
        ``stage_fact``; requirement nodes also ``item``, ``input`` and
        ``quantity``. Edges: item -> requirement ``kind="requires"``, requirement -> input
        ``kind="input"``, requirement -> supplier ``kind="source"`` with ``share``,
        ``lead_time_days`` and ``fact``.

        Returns:
            A new graph; changing it does not change this one.

        Examples:
            >>> from stackgraph.graph.analysis import DependencyGraphBuilder
            >>> b = DependencyGraphBuilder()
            >>> r = b.add_requirement("gpu", "hbm")
            >>> b.add_source(r, "sk-hynix", share=0.6)
            0
            >>> G = b.build().to_networkx()
            >>> sorted(G.nodes)
            ['gpu', 'gpu/hbm', 'hbm', 'sk-hynix']
            >>> G.edges["gpu/hbm", "sk-hynix"]["share"]
            0.6000000238418579

        Notes:
            O(items + requirements + sources) time and networkx's memory (several hundred
            bytes per edge).
        """
        return _convert.to_networkx(self)

    @classmethod
    def from_networkx(cls, g: nx.DiGraph) -> DependencyGraph:
        """Build a graph from the format written by :meth:`to_networkx`.

        Raises:
            ValueError: A node lacks ``kind`` or a requirement lacks ``item``/``input``, or a
                value is out of range (as in :meth:`from_arrays`).
        """
        return cls(_convert.from_networkx(g))

    def subgraph(self, items: Iterable[str], depth: int | None = None) -> DependencyGraph:
        """The dependency closure of ``items``, cut ``depth`` item hops below them.

        Items at the cut keep their attributes but lose their requirements.

        Raises:
            UnknownNodeError: One of ``items`` is not in the graph.
            ValueError: ``depth`` is negative.
        """
        return DependencyGraph(_convert.subgraph(self, items, depth))
