"""Level-by-level numpy kernels for availability (a fixpoint) and lead time (a longest path).

Items are numbered so that level ``k`` is the contiguous range ``level_ptr[k]:level_ptr[k+1]``,
acyclic items first and members of cycles from ``level_cyclic_start[k]``; requirements and
sources of a range of items are contiguous too. One pass over the levels is exact for acyclic
items; the cyclic block of a level is iterated to its greatest fixpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graph.analysis._layout import F64, I64, Layout

#: Convergence tolerance of the fixpoint iteration on cycles (max change per sweep).
TOLERANCE = 1e-12
#: Upper bound on sweeps over one level's cyclic block.
MAX_SWEEPS = 100_000


@dataclass(frozen=True, slots=True)
class Availability:
    """Availability of items and requirements, and the supply term of each requirement."""

    item: F64
    requirement: F64
    supply: F64
    sweeps: int
    converged: bool


def _nonempty_starts(ptr: I64, lo: int, hi: int) -> tuple[np.ndarray, I64]:
    """Rows ``lo:hi`` of a CSR with at least one entry, and their starts relative to
    ``ptr[lo]``."""
    seg = ptr[lo : hi + 1]
    has = seg[1:] > seg[:-1]
    return has, seg[:-1][has] - seg[0]


def availability(lay: Layout, a: F64, weights: F64, substitution: bool) -> Availability:
    """Greatest fixpoint of the availability equations for item availabilities ``a``."""
    item = a.copy()
    req = np.ones(lay.n_requirements)
    supply = np.ones(lay.n_requirements)
    rp, sp = lay.item_req_ptr, lay.req_src_ptr

    def sweep(i0: int, i1: int) -> None:
        r0, r1 = int(rp[i0]), int(rp[i1])
        if r1 == r0:
            item[i0:i1] = a[i0:i1]
            return
        s0, s1 = int(sp[r0]), int(sp[r1])
        sup = np.ones(r1 - r0)
        if s1 > s0:
            has, starts = _nonempty_starts(sp, r0, r1)
            vals = item[lay.src_item[s0:s1]]
            if substitution:
                sup[has] = np.maximum.reduceat(vals, starts)
            else:
                sup[has] = np.add.reduceat(vals * weights[s0:s1], starts)
            np.clip(sup, 0.0, 1.0, out=sup)
        rv = np.minimum(item[lay.req_input[r0:r1]], sup)
        has_i, starts_i = _nonempty_starts(rp, i0, i1)
        out = a[i0:i1].copy()
        out[has_i] = np.minimum(out[has_i], np.minimum.reduceat(rv, starts_i))
        item[i0:i1] = out
        req[r0:r1] = rv
        supply[r0:r1] = sup

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
                before = item[c0:i1].copy()
                sweep(c0, i1)
                sweeps += 1
                if float(np.max(np.abs(before - item[c0:i1]))) <= TOLERANCE:
                    ok = True
                    break
            converged = converged and ok
    return Availability(item, req, supply, sweeps, converged)


def lead_times(lay: Layout) -> tuple[I64, I64]:
    """Lead time of every item and requirement (unknown lead times count as 0).

    Items in cycles (and their dependents) get values that are meaningless; callers check that
    the closure they read is acyclic.
    """
    item_own = np.maximum(lay.item_lead, 0).astype(np.int64)
    req_own = np.maximum(lay.req_lead, 0).astype(np.int64)
    src_own = np.maximum(lay.src_lead, 0).astype(np.int64)
    item = item_own.copy()
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
        item[i0:i1][has_i] = item_own[i0:i1][has_i] + np.maximum.reduceat(rv, starts_i)
        req[r0:r1] = rv
    return item, req
