"""Array layout of a dependency graph: validation, cycle detection, topological renumbering.

The public :class:`~stackgraph.graph.analysis.model.DependencyGraph` keeps items numbered in topological
order of the condensation (dependencies before dependents), so that every topological level is a
contiguous range of items, of their requirements and of their sources. The kernels then work on
array slices, level by level, without gathering index lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
BoolA = npt.NDArray[np.bool_]

NO_LEAD = -1
NO_STRING = -1


@dataclass(frozen=True, slots=True)
class Layout:
    """The arrays of a dependency graph, items in topological order (see module docstring)."""

    ids: Sequence[str]
    strings: Sequence[str]
    item_name: I32
    item_layer: I32
    item_category: I32
    item_fact: I32
    item_lead: I32
    item_stage: I32
    item_stage_fact: I32
    item_req_ptr: I64
    req_input: I32
    req_quantity: F32
    req_lead: I32
    req_fact: I32
    req_src_ptr: I64
    req_names: Mapping[int, str]
    src_item: I32
    src_share: F32
    src_lead: I32
    src_fact: I32
    level_ptr: I64
    level_cyclic_start: I64
    comp: I32
    cyclic: BoolA

    @property
    def n_items(self) -> int:
        return len(self.ids)

    @property
    def n_requirements(self) -> int:
        return int(self.req_input.shape[0])

    @property
    def n_sources(self) -> int:
        return int(self.src_item.shape[0])


def counts_to_ptr(counts: npt.NDArray[np.integer], n: int | None = None) -> I64:
    """CSR row pointer from per-row counts."""
    ptr = np.zeros((len(counts) if n is None else n) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1 : len(counts) + 1])
    if n is not None and n > len(counts):
        ptr[len(counts) + 1 :] = ptr[len(counts)]
    return ptr


def bucket_order(keys: npt.NDArray[np.integer], n_buckets: int) -> I64:
    """Stable order of ``keys`` (integers in ``[0, n_buckets)``), by a linear bucket sort."""
    m = len(keys)
    mat = csr_matrix(
        (np.ones(m, dtype=np.int8), (keys, np.arange(m, dtype=np.int64))), shape=(n_buckets, m)
    )
    order: I64 = np.asarray(mat.indices, dtype=np.int64)
    return order


def gather_segments(ptr: I64, rows: npt.NDArray[np.integer]) -> I64:
    """Concatenate the index ranges ``ptr[r]:ptr[r + 1]`` of ``rows`` into one array."""
    starts = ptr[rows]
    lens = ptr[np.asarray(rows) + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens)
    return offsets + np.arange(total, dtype=np.int64)


def segment_owner(ptr: I64) -> I32:
    """For each entry of a CSR, the row it belongs to."""
    n = len(ptr) - 1
    return np.repeat(np.arange(n, dtype=np.int32), np.diff(ptr))


class Shares(NamedTuple):
    """How a requirement's sources weigh in its supply (the rule is in ``impact``'s docstring).

    ``known[s]`` is the weight of source edge ``s`` when its share is known (0 when it is not).
    ``unknown`` lists, in order, the source edges without a share of requirements with two or
    more such sources, and ``rest`` the part that those sources carry together, in unknown
    proportions. A lone unknown source carries all of the rest: that is a known weight. A tuple
    of arrays, so ``DependencyGraph.nbytes`` counts it.
    """

    known: F64
    unknown: I32
    rest: F64

    @property
    def any_unknown(self) -> bool:
        return bool(self.unknown.size)

    def weight(self, edges: I64) -> F64:
        """The weight of each of ``edges``: its known weight, or all of the rest if unknown."""
        w: F64 = self.known[edges]
        pos = np.searchsorted(self.unknown, edges)
        hit = pos < self.unknown.size
        hit[hit] = self.unknown[pos[hit]] == edges[hit]
        w[hit] = self.rest[pos[hit]]
        return w


def source_shares(share: F32, req_src_ptr: I64) -> Shares:
    """Known weights per source edge, and the unknown edges with the rest they carry.

    Sources of a requirement whose shares are all known are scaled to sum to 1 (an equal split
    if they are all 0). Where some are unknown, the known shares keep their value unless they
    sum above 1 (then they are scaled to 1), and the unknown sources carry ``max(0, 1 - K)``.
    """
    n_req = len(req_src_ptr) - 1
    owner = segment_owner(req_src_ptr)
    missing = np.isnan(share)
    val = np.where(missing, 0.0, share).astype(np.float64)
    k_sum = np.bincount(owner, weights=val, minlength=n_req)
    n_missing = np.bincount(owner, weights=missing, minlength=n_req)[owner]
    scale = np.where(n_missing > 0, np.maximum(k_sum[owner], 1.0), k_sum[owner])
    count = np.diff(req_src_ptr).astype(np.float64)[owner]
    known = np.where(scale > 0, val / np.where(scale > 0, scale, 1.0), 1.0 / np.maximum(count, 1.0))
    rest = np.maximum(0.0, 1.0 - k_sum[owner])
    lone = missing & (n_missing == 1)
    known[lone] = rest[lone]
    unknown = np.flatnonzero(missing & (n_missing > 1)).astype(np.int32)
    return Shares(known, unknown, rest[unknown])


def _check_index(name: str, arr: npt.NDArray[np.integer], n: int) -> None:
    if arr.size and (int(arr.min()) < 0 or int(arr.max()) >= n):
        raise ValueError(f"{name} holds an index outside [0, {n}): {int(arr.min())}..{arr.max()}")


def _check_lead(name: str, arr: I32) -> None:
    if arr.size and int(arr.min()) < NO_LEAD:
        raise ValueError(f"{name} holds a negative lead time {int(arr.min())}; use None if unknown")


def _check_quantity(arr: F32) -> None:
    known = arr[~np.isnan(arr)]
    if known.size and not (bool(np.isfinite(known).all()) and float(known.min()) >= 0.0):
        bad = known[~np.isfinite(known) | (known < 0)][0]
        raise ValueError(f"requirement quantity {float(bad)!r} is not finite and >= 0")


def _levels(n: int, parents: I64, children: I64) -> tuple[I32, BoolA, I32]:
    """Strongly connected components, their cyclicity and condensation height per item."""
    graph = csr_matrix((np.ones(len(parents), dtype=np.int8), (parents, children)), shape=(n, n))
    n_comp, comp_raw = connected_components(graph, directed=True, connection="strong")
    comp = comp_raw.astype(np.int32)
    size = np.bincount(comp, minlength=n_comp)
    cyc_comp = size > 1
    loops = parents == children
    cyc_comp[comp[parents[loops]]] = True
    cp = comp[parents]
    cc = comp[children]
    keep = cp != cc
    cp, cc = cp[keep], cc[keep]
    pending = np.bincount(cp, minlength=n_comp).astype(np.int64)
    order = bucket_order(cc, n_comp)
    rev_parent = cp[order]
    rev_ptr = counts_to_ptr(np.bincount(cc, minlength=n_comp))
    level = np.zeros(n_comp, dtype=np.int32)
    frontier = np.flatnonzero(pending == 0)
    height = 0
    while frontier.size:
        level[frontier] = height
        par = rev_parent[gather_segments(rev_ptr, frontier)]
        if par.size == 0:
            break
        pending -= np.bincount(par, minlength=n_comp)
        ready = np.sort(par[pending[par] == 0])
        frontier = ready[np.r_[True, ready[1:] != ready[:-1]]] if ready.size else ready
        height += 1
    return comp, cyc_comp[comp], level[comp]


def assemble(
    ids: list[str],
    strings: Sequence[str],
    item_name: I32,
    item_layer: I32,
    item_category: I32,
    item_fact: I32,
    item_lead: I32,
    req_item: I32,
    req_input: I32,
    req_quantity: F32,
    req_lead: I32,
    req_fact: I32,
    req_names: dict[int, str],
    src_req: I32,
    src_item: I32,
    src_share: F32,
    src_lead: I32,
    src_fact: I32,
    item_stage: I32 | None = None,
    item_stage_fact: I32 | None = None,
) -> Layout:
    """Validate builder-ordered arrays and return the topologically renumbered layout.

    ``item_lead`` is each item's quoted lead time, ``item_stage`` its stage time (both -1 when
    unknown; ``item_stage`` and ``item_stage_fact`` default to unknown).
    """
    n, n_req = len(ids), len(req_item)
    if item_stage is None:
        item_stage = np.full(n, NO_LEAD, dtype=np.int32)
    if item_stage_fact is None:
        item_stage_fact = np.full(n, NO_STRING, dtype=np.int32)
    if item_stage.shape != (n,) or item_stage_fact.shape != (n,):
        raise ValueError(f"item_stage and item_stage_fact must have length {n}")
    _check_index("requirement owners", req_item, n)
    _check_index("requirement inputs", req_input, n)
    _check_index("source requirements", src_req, n_req)
    _check_index("source items", src_item, n)
    for name, lead in (
        ("items", item_lead),
        ("item stages", item_stage),
        ("requirements", req_lead),
        ("sources", src_lead),
    ):
        _check_lead(name, lead)
    _check_quantity(req_quantity)
    known = src_share[~np.isnan(src_share)]
    if known.size and (float(known.min()) < 0.0 or float(known.max()) > 1.0):
        bad = known[(known < 0) | (known > 1)][0]
        raise ValueError(f"source share {float(bad)!r} is outside [0, 1]")

    parents = np.concatenate([req_item, req_item[src_req]]).astype(np.int64)
    children = np.concatenate([req_input, src_item]).astype(np.int64)
    comp, cyclic, level = _levels(n, parents, children)

    perm = np.lexsort((comp, cyclic, level)).astype(np.int64)  # new -> old
    inv = np.empty(n, dtype=np.int64)
    inv[perm] = np.arange(n)
    new_owner = inv[req_item]
    req_perm = bucket_order(new_owner, n)
    req_inv = np.empty(n_req, dtype=np.int64)
    req_inv[req_perm] = np.arange(n_req)
    new_src_req = req_inv[src_req]
    src_perm = bucket_order(new_src_req, n_req)

    new_level = level[perm]
    new_cyclic = cyclic[perm]
    n_levels = int(new_level.max()) + 1 if n else 0
    level_ptr = counts_to_ptr(np.bincount(new_level, minlength=n_levels))
    cyc_start = level_ptr[1:].copy()
    cyc_pos = np.flatnonzero(new_cyclic)
    if cyc_pos.size:
        lv = new_level[cyc_pos]
        first = np.unique(lv, return_index=True)
        cyc_start[first[0]] = cyc_pos[first[1]]

    return Layout(
        ids=tuple(ids[i] for i in perm.tolist()),
        strings=strings,
        item_name=item_name[perm],
        item_layer=item_layer[perm],
        item_category=item_category[perm],
        item_fact=item_fact[perm],
        item_lead=item_lead[perm],
        item_stage=item_stage[perm],
        item_stage_fact=item_stage_fact[perm],
        item_req_ptr=counts_to_ptr(np.bincount(new_owner, minlength=n), n),
        req_input=inv[req_input[req_perm]].astype(np.int32),
        req_quantity=req_quantity[req_perm],
        req_lead=req_lead[req_perm],
        req_fact=req_fact[req_perm],
        req_src_ptr=counts_to_ptr(np.bincount(new_src_req, minlength=n_req), n_req),
        req_names={int(req_inv[k]): v for k, v in req_names.items()},
        src_item=inv[src_item[src_perm]].astype(np.int32),
        src_share=src_share[src_perm],
        src_lead=src_lead[src_perm],
        src_fact=src_fact[src_perm],
        level_ptr=level_ptr,
        level_cyclic_start=cyc_start,
        comp=comp[perm],
        cyclic=new_cyclic,
    )
