"""Level-by-level numpy kernels for availability bounds (a fixpoint) and lead time (a longest
path).

Items are numbered so that level ``k`` is the contiguous range ``level_ptr[k]:level_ptr[k+1]``,
acyclic items first and members of cycles from ``level_cyclic_start[k]``; requirements and
sources of a range of items are contiguous too. One pass over the levels is exact for acyclic
items; the cyclic block of a level is iterated to its greatest fixpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stackgraph.graph.analysis._layout import F64, I32, I64, Layout, Shares, gather_segments

#: Convergence tolerance of the fixpoint iteration on cycles (max change per sweep).
TOLERANCE = 1e-12
#: Upper bound on sweeps over one level's cyclic block.
MAX_SWEEPS = 100_000


@dataclass(frozen=True, slots=True)
class Availability:
    """Low and high availability of items, the low bound of each requirement and of its supply
    term (what the explanations follow), and the high bound of each requirement (what breaks
    their ties). ``item_high`` is ``item_low``, and ``req_high`` ``req_low``, where the bounds
    cannot differ (no unknown shares, or substitution)."""

    item_low: F64
    item_high: F64
    req_low: F64
    supply_low: F64
    sweeps: int
    converged: bool
    req_high: F64 | None = None


def _nonempty_starts(ptr: I64, lo: int, hi: int) -> tuple[np.ndarray, I64]:
    """Rows ``lo:hi`` of a CSR with at least one entry, and their starts relative to
    ``ptr[lo]``."""
    seg = ptr[lo : hi + 1]
    has = seg[1:] > seg[:-1]
    return has, seg[:-1][has] - seg[0]


def _weighted_sum(owner: I32, vals: F64, m: int) -> F64:
    """Per row of ``m``, the sum of ``vals`` owned by it (``bincount``: several times faster
    than ``add.reduceat`` on rows of a few entries)."""
    total: F64 = np.bincount(owner, weights=vals, minlength=m).astype(np.float64)
    return total  # astype: an empty bincount is int64


def availability(
    lay: Layout, a: F64, shares: Shares, req_item: I32, src_req: I32, substitution: bool
) -> Availability:
    """Greatest fixpoint of the availability bounds for item availabilities ``a``.

    ``req_item`` and ``src_req`` give the owner of each requirement and source edge; segmented
    sums are ``bincount`` and segmented min/max ``ufunc.at`` over them. With substitution, or
    when every share is known, the two bounds obey the same equations and one array serves
    both. Otherwise the high bound is the low one corrected where they can differ: at sources
    whose bounds differ, at requirements with unknown shares, and at the items that use them
    (few, as a rule), so the second bound costs a fraction of the first.
    """
    two = not substitution and shares.any_unknown
    lo = a.copy()
    hi = a.copy() if two else lo
    differs = np.zeros(lay.n_items, dtype=bool)  # hi != lo
    req_lo = np.ones(lay.n_requirements)
    req_hi = np.ones(lay.n_requirements) if two else req_lo
    sup_lo = np.ones(lay.n_requirements)
    rp, sp = lay.item_req_ptr, lay.req_src_ptr

    def unknown_part(r0: int, r1: int, s0: int, s1: int, low: F64, high: F64) -> None:
        """Add the rest of each requirement, all on its worst (low) or best (high) unknown
        source."""
        u0, u1 = (int(x) for x in np.searchsorted(shares.unknown, (s0, s1)))
        if u1 == u0:
            return
        edges = shares.unknown[u0:u1]
        owner = src_req[edges]
        first = np.ones(len(edges), dtype=bool)
        first[1:] = owner[1:] != owner[:-1]
        seg = np.cumsum(first) - 1  # requirements with unknown sources, numbered
        items = lay.src_item[edges]
        worst = np.ones(int(seg[-1]) + 1)
        np.minimum.at(worst, seg, lo[items])
        best = np.zeros(len(worst))
        np.maximum.at(best, seg, hi[items])
        rows, rest = owner[first] - r0, shares.rest[u0:u1][first]
        low[rows] += rest * worst
        high[rows] += rest * best

    def fold(i0: int, i1: int, owner: I32, rv: F64) -> F64:
        """``min(a, min over its requirements of rv)`` of items ``i0:i1``."""
        v = a[i0:i1].copy()
        np.minimum.at(v, owner, rv)
        return v

    def refold(i0: int, r0: int, owner: I32, rv: F64, ch: I64, rv_ch: F64, out: F64) -> None:
        """Fold again, into ``out``, the items that own a requirement in ``ch`` (positions
        from ``r0``), whose values become ``rv_ch``; the others keep theirs."""
        rv = rv.copy()
        rv[ch] = rv_ch
        mark = np.zeros(len(out), dtype=bool)
        mark[owner[ch]] = True
        items = np.flatnonzero(mark)
        reqs = gather_segments(rp, items + i0)
        pos = np.repeat(np.arange(len(items)), rp[items + i0 + 1] - rp[items + i0])
        v = a[items + i0].copy()
        np.minimum.at(v, pos, rv[reqs - r0])
        out[items] = v

    def sweep(i0: int, i1: int) -> None:
        # Every read of lo, hi and differs comes before the writes, so a cyclic block is swept
        # as one.
        r0, r1 = int(rp[i0]), int(rp[i1])
        if r1 == r0:
            lo[i0:i1] = hi[i0:i1] = a[i0:i1]
            return
        s0, s1, m = int(sp[r0]), int(sp[r1]), r1 - r0
        owner = src_req[s0:s1] - r0
        src = lay.src_item[s0:s1]
        w = shares.known[s0:s1]
        vals = lo[src]
        if substitution:
            low = np.zeros(m)
            np.maximum.at(low, owner, vals)
        else:
            low = _weighted_sum(owner, vals * w, m)
        high = low.copy() if two else low
        if two:
            # The high sum differs from the low one at sources whose bounds differ.
            d = np.flatnonzero(differs[src])
            np.add.at(high, owner[d], w[d] * (hi[src[d]] - vals[d]))
            unknown_part(r0, r1, s0, s1, low, high)
        none = sp[r0 + 1 : r1 + 1] == sp[r0:r1]  # no sources: supply 1
        for v in (low, high) if two else (low,):
            v[none] = 1.0
            np.clip(v, 0.0, 1.0, out=v)
        inp = lay.req_input[r0:r1]
        rv = np.minimum(lo[inp], low)
        item_owner = req_item[r0:r1] - i0
        new_lo = fold(i0, i1, item_owner, rv)
        if two:
            new_hi = new_lo.copy()
            ch = np.flatnonzero((high != low) | differs[inp])
            req_hi[r0:r1] = rv
            if ch.size:
                rv_ch = np.minimum(hi[inp[ch]], high[ch])
                refold(i0, r0, item_owner, rv, ch, rv_ch, new_hi)
                req_hi[r0 + ch] = rv_ch
            hi[i0:i1] = new_hi
            differs[i0:i1] = new_hi != new_lo
        lo[i0:i1] = new_lo
        sup_lo[r0:r1], req_lo[r0:r1] = low, rv

    sweeps, converged = 0, True
    for lvl in range(len(lay.level_ptr) - 1):
        i0, i1 = int(lay.level_ptr[lvl]), int(lay.level_ptr[lvl + 1])
        c0 = int(lay.level_cyclic_start[lvl])
        if c0 > i0:
            sweep(i0, c0)
        if i1 > c0:
            # Greatest fixpoint: start from the top (a) and sweep down until stable.
            ok = False
            for _ in range(MAX_SWEEPS):
                before_lo, before_hi = lo[c0:i1].copy(), hi[c0:i1].copy()
                sweep(c0, i1)
                sweeps += 1
                moved = max(
                    float(np.max(np.abs(before_lo - lo[c0:i1]))),
                    float(np.max(np.abs(before_hi - hi[c0:i1]))),
                )
                if moved <= TOLERANCE:
                    ok = True
                    break
            converged = converged and ok
    return Availability(lo, hi, req_lo, sup_lo, sweeps, converged, req_hi)


def lead_times(lay: Layout) -> tuple[I64, I64]:
    """Lead time of every item and requirement (unknown lead times count as 0).

    ``lead(item) = max(quoted, stage + max over requirements of lead(r))`` and
    ``lead(r) = own + max(lead(input), min over sources of (edge + lead(source)))``.
    Items in cycles (and their dependents) get values that are meaningless; callers check that
    the closure they read is acyclic.
    """
    quoted = np.maximum(lay.item_lead, 0).astype(np.int64)
    stage = np.maximum(lay.item_stage, 0).astype(np.int64)
    req_own = np.maximum(lay.req_lead, 0).astype(np.int64)
    src_own = np.maximum(lay.src_lead, 0).astype(np.int64)
    item = np.maximum(quoted, stage)
    req = np.zeros(lay.n_requirements, dtype=np.int64)
    rp, sp = lay.item_req_ptr, lay.req_src_ptr
    for lvl in range(len(lay.level_ptr) - 1):
        i0, i1 = int(lay.level_ptr[lvl]), int(lay.level_ptr[lvl + 1])
        r0, r1 = int(rp[i0]), int(rp[i1])
        if r1 == r0:
            continue
        s0, s1 = int(sp[r0]), int(sp[r1])
        best = item[lay.req_input[r0:r1]]
        if s1 > s0:
            has, starts = _nonempty_starts(sp, r0, r1)
            cheapest = np.minimum.reduceat(src_own[s0:s1] + item[lay.src_item[s0:s1]], starts)
            best[has] = np.maximum(best[has], cheapest)
        rv = req_own[r0:r1] + best
        has_i, starts_i = _nonempty_starts(rp, i0, i1)
        inputs = np.maximum.reduceat(rv, starts_i)
        item[i0:i1][has_i] = np.maximum(quoted[i0:i1][has_i], stage[i0:i1][has_i] + inputs)
        req[r0:r1] = rv
    return item, req
