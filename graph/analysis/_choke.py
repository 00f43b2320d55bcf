"""Chokepoint scores by bitset sweeps: which end products each candidate blocks alone.

For a batch of up to 64 candidate blockers, bit ``j`` of ``bits[x]`` says that losing candidate
``j`` (every other item available) blocks ``x``. Bottom-up over the topological levels::

    bits[r] = bits[input(r)] | AND over sources s of r of bits[s]   (no sources: bits[input(r)])
    bits[x] = own bit of x | OR over requirements r of x of bits[r]

which is the recursion of essential sets read per candidate: bit ``j`` of ``bits[x]`` is set iff
candidate ``j`` is in ``ess(x)``. Each level is a few gathers and ``reduceat`` calls (the
structure of ``_kernels.availability``), so a batch costs O(edges) in numpy.

Pruning: if ``v`` is essential to ``u`` then every item ``u`` blocks, ``v`` blocks too, so
``score(u) <= score(v)``; in particular ``score(u) <= score(input(r))`` for every requirement
``r`` of ``u`` (inputs are always essential). Scores of nonnegative weights summed in the same
order are monotone under inclusion in floating point too, so the bound is safe for weighted
scores.

A second bound holds for every item, leaves included: the weight of the end products ``x``
blocks is at most the weight of its paths to them along *usable* edges, summed top-down in one
pass. Follow what ``x`` blocks from an end product down: each blocked requirement ``r`` is
blocked through its input, or through all its sources, which are then ``x`` itself or items
that depend on ``x`` and so sit above level 0. So the input edge is always usable, and a source
edge ``(s, r)`` is usable when no other source of ``r`` is on level 0 (if ``x`` is one, the
edge ``(x, r)`` is the usable one).

A third bound divides instead of filtering: along every edge, a source edge of a requirement
with ``k`` sources is worth ``1/k`` of the weight above it. Whatever ``x`` blocks has a blocking
tree whose root-to-``x`` paths are distinct graph paths; at a requirement blocked through its
sources the tree takes all ``k`` of them, so its paths' worths sum to 1 per end product and the
sum over all paths is at least the blocked weight. (This pass is not capped per level, which
would break that sum; an infinite sum is still a bound.)

Items are swept, most promising first, only while the smallest bound reaches the current
``top``-th best exact score.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stackgraph.graph.analysis._layout import F64, I32, I64, Layout, segment_owner

U64 = npt.NDArray[np.uint64]
BATCH = 64


@dataclass(frozen=True, slots=True)
class _Level:
    i0: int
    i1: int
    r0: int
    r1: int
    s0: int
    s1: int
    has_src: npt.NDArray[np.bool_]
    src_starts: I64
    has_req: npt.NDArray[np.bool_]
    req_starts: I64


def _levels(lay: Layout, top_level: int) -> list[_Level]:
    rp, sp = lay.item_req_ptr, lay.req_src_ptr
    out = []
    for lvl in range(min(top_level + 1, len(lay.level_ptr) - 1)):
        i0, i1 = int(lay.level_ptr[lvl]), int(lay.level_ptr[lvl + 1])
        r0, r1 = int(rp[i0]), int(rp[i1])
        if r1 == r0:
            continue
        s0, s1 = int(sp[r0]), int(sp[r1])
        seg = sp[r0 : r1 + 1]
        has_src = seg[1:] > seg[:-1]
        segi = rp[i0 : i1 + 1]
        has_req = segi[1:] > segi[:-1]
        out.append(
            _Level(
                i0,
                i1,
                r0,
                r1,
                s0,
                s1,
                has_src,
                seg[:-1][has_src] - seg[0],
                has_req,
                segi[:-1][has_req] - segi[0],
            )
        )
    return out


class Sweeper:
    """Exact scores of batches of candidates against a fixed set of end products."""

    def __init__(self, lay: Layout, ends: I64, weights: F64) -> None:
        self.lay = lay
        self.ends = ends  # ascending item indices
        self.w = weights[ends]
        top_level = int(np.searchsorted(lay.level_ptr, int(ends.max()), side="right")) - 1
        self.levels = _levels(lay, top_level)
        self.n_used = int(lay.level_ptr[top_level + 1])
        total = float(self.w.sum())
        # Integral weights below 2**53 sum exactly in any order; otherwise sum sequentially
        # in ascending end-product order (as one running float sum would).
        self.exact_any_order = bool(np.all(self.w == np.round(self.w))) and total < 2.0**53

    def sweep(self, cands: I64) -> U64:
        """``bits`` of every item up to the top end product for up to 64 candidates."""
        lay = self.lay
        bits = np.zeros(self.n_used, dtype=np.uint64)
        own = np.left_shift(np.uint64(1), np.arange(len(cands), dtype=np.uint64))
        np.bitwise_or.at(bits, cands, own)
        src_item, req_input = lay.src_item, lay.req_input
        for lv in self.levels:
            rb = bits[req_input[lv.r0 : lv.r1]]
            if lv.s1 > lv.s0:
                common = np.bitwise_and.reduceat(bits[src_item[lv.s0 : lv.s1]], lv.src_starts)
                rb[lv.has_src] |= common
            part = bits[lv.i0 : lv.i1]
            part[lv.has_req] |= np.bitwise_or.reduceat(rb, lv.req_starts)
        return bits

    def blocked(self, cands: I64) -> npt.NDArray[np.bool_]:
        """``(n_ends, len(cands))``: whether candidate ``j`` blocks end product ``i``."""
        b = self.sweep(cands)[self.ends].astype("<u8", copy=False)
        u = np.unpackbits(b.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
        out: npt.NDArray[np.bool_] = u[:, : len(cands)].astype(bool)
        return out

    def scores(self, cands: I64) -> tuple[I64, F64]:
        """Counts and scores of the candidates (scores summed as the set version does)."""
        hit = self.blocked(cands)
        counts: I64 = hit.sum(axis=0).astype(np.int64)
        if self.exact_any_order:
            scores: F64 = self.w @ hit
        else:
            scores = np.cumsum(np.where(hit, self.w[:, None], 0.0), axis=0)[-1]
        return counts, scores


def _usable_sources(src_req: I32, src_level: I64, n_req: int) -> npt.NDArray[np.bool_]:
    """Per source entry: whether no other source of its requirement is on level 0."""
    # Per requirement, the lowest level of its sources other than each one: a source edge is
    # usable when none of the others is on level 0 (see the module docstring).
    by_req = np.lexsort((src_level, src_req))
    first = np.flatnonzero(np.r_[True, src_req[by_req][1:] != src_req[by_req][:-1]])
    sizes = np.diff(np.r_[first, len(by_req)])
    never = np.iinfo(np.int64).max
    low1 = np.full(n_req, never)
    low2 = np.full(n_req, never)
    low1[src_req[by_req[first]]] = src_level[by_req[first]]
    two = first[sizes >= 2]
    low2[src_req[by_req[two]]] = src_level[by_req[two + 1]]
    lowest = np.full(n_req, -1)
    lowest[src_req[by_req[first]]] = by_req[first]
    others = np.where(np.arange(len(src_req)) == lowest[src_req], low2[src_req], low1[src_req])
    usable: npt.NDArray[np.bool_] = others > 0
    return usable


def path_bounds(lay: Layout, ends: I64, weights: F64, n: int) -> tuple[F64, I64]:
    """Per item below ``n``: the weight and the number of its paths along usable edges to
    ``ends`` (upper bounds on the score and the count of what it alone blocks), each capped at
    the total over all end products."""
    rp, sp = lay.item_req_ptr, lay.req_src_ptr
    level = np.repeat(np.arange(len(lay.level_ptr) - 1), np.diff(lay.level_ptr))
    req_item = segment_owner(rp)
    src_req = segment_owner(sp)
    src_level = level[lay.src_item]
    blocks = np.zeros(len(src_req), dtype=bool)
    if len(src_req):
        blocks = _usable_sources(src_req, src_level, len(lay.req_input))
    # Two passes, each an upper bound (see the module docstring): paths along usable edges, and
    # paths along every edge with each source edge of a requirement of k sources worth 1/k.
    share = 1.0 / np.diff(sp).astype(np.float64)[src_req] if len(src_req) else np.zeros(0)
    usable = np.where(blocks, 1.0, 0.0)
    cap = np.array([weights[ends].sum(), len(ends)])
    bounds = []
    for factor, capped in ((usable, True), (share, False)):
        paths = np.zeros((lay.n_items, 2))
        paths[ends, 0] = weights[ends]
        paths[ends, 1] = 1.0
        for lvl in range(len(lay.level_ptr) - 2, -1, -1):
            i0, i1 = int(lay.level_ptr[lvl]), int(lay.level_ptr[lvl + 1])
            if i0 >= n:
                continue
            r0, r1 = int(rp[i0]), int(rp[i1])
            if r1 > r0:
                np.add.at(paths, lay.req_input[r0:r1], paths[req_item[r0:r1]])
                s0, s1 = int(sp[r0]), int(sp[r1])
                up = paths[req_item[src_req[s0:s1]]] * factor[s0:s1, None]
                np.add.at(paths, lay.src_item[s0:s1], up)
                if capped:  # exact for unit factors: min(cap, paths); counts grow exponentially
                    np.minimum(paths[:i1], cap, out=paths[:i1])
        bounds.append(paths[:n])
    best = np.minimum(np.minimum(bounds[0], bounds[1]), cap)
    # A little slack: the exact score sums the same weights in another order.
    score: F64 = best[:, 0] * (1 + 1e-9)
    count: I64 = np.floor(best[:, 1] * (1 + 1e-9)).astype(np.int64)
    return score, count


def rank(
    lay: Layout, roots: I64, weights: F64, reach: npt.NDArray[np.bool_], top: int
) -> tuple[list[int], Sweeper]:
    """The ``top`` items blocking the highest score of end products (ties by id), best first.

    Only items that block at least one end product are ranked, as in the set version. Also
    returns the sweeper (to list what the winners block).
    """
    ends = np.sort(roots)
    sweeper = Sweeper(lay, ends, weights)
    n = sweeper.n_used
    cand = reach[:n].copy()
    cand[ends] = False  # nothing requires an end product: it blocks nothing but itself
    # exact score and count once swept, else upper bounds
    score, count = path_bounds(lay, ends, weights, n)
    swept = np.zeros(n, dtype=bool)
    best: list[float] = []  # min-heap of the best ``top`` exact scores (count >= 1)
    users = np.diff(np.asarray(_users_ptr(lay, n)))
    rp = lay.item_req_ptr

    def threshold() -> float:
        return best[0] if len(best) >= top else -np.inf

    for lvl in range(len(lay.level_ptr) - 1):
        i0, i1 = int(lay.level_ptr[lvl]), int(lay.level_ptr[lvl + 1])
        if i0 >= n:
            break
        r0, r1 = int(rp[i0]), int(rp[i1])
        if r1 > r0:
            seg = rp[i0 : i1 + 1]
            has = seg[1:] > seg[:-1]
            starts = seg[:-1][has] - seg[0]
            inp = lay.req_input[r0:r1]
            sl = np.arange(i0, i1)[has]
            score[sl] = np.minimum(score[sl], np.minimum.reduceat(score[inp], starts))
            count[sl] = np.minimum(count[sl], np.minimum.reduceat(count[inp], starts))
        items = np.flatnonzero(cand[i0:i1]) + i0
        items = items[(count[items] > 0) & (score[items] >= threshold())]
        # Most promising first (highest bound, then most users) so the threshold rises early.
        items = items[np.lexsort((-users[items], -score[items]))]
        pos = 0
        while pos < len(items):
            t = threshold()
            batch: list[int] = []
            while pos < len(items) and len(batch) < BATCH:
                v = int(items[pos])
                pos += 1
                if count[v] > 0 and score[v] >= t:
                    batch.append(v)
            if not batch:
                continue
            b = np.array(batch, dtype=np.int64)
            cnt, sc = sweeper.scores(b)
            count[b], score[b], swept[b] = cnt, sc, True
            for c, s in zip(cnt.tolist(), sc.tolist(), strict=True):
                if c > 0:
                    if len(best) < top:
                        heapq.heappush(best, s)
                    elif s > best[0]:
                        heapq.heapreplace(best, s)
    t = threshold()
    final = np.flatnonzero(swept & (count > 0) & (score >= t)).tolist()
    ids = lay.ids
    final.sort(key=lambda v: (-score[v], ids[v]))
    return final[:top], sweeper


def _users_ptr(lay: Layout, n: int) -> I64:
    """Per item, how many requirements use it as input or source (CSR pointer)."""
    c = np.bincount(lay.req_input, minlength=lay.n_items) + np.bincount(
        lay.src_item, minlength=lay.n_items
    )
    ptr: I64 = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(c[:n], out=ptr[1:])
    return ptr
