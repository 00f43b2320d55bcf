"""Vectorised breadth-first search over items (requirement nodes collapsed)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stackgraph.graph.analysis._layout import I32, I64, Layout, gather_segments


@dataclass(frozen=True, slots=True)
class Reverse:
    """Who uses each item: for item ``c``, entries ``entry[ptr[c]:ptr[c + 1]]``.

    An entry ``e < n_requirements`` is the input edge of requirement ``e``; otherwise it is the
    source edge ``e - n_requirements``.
    """

    ptr: I64
    entry: I64
    req_item: I32
    src_req: I32


@dataclass(frozen=True, slots=True)
class Search:
    """Result of a breadth-first search: hop distance and one shortest-path tree."""

    dist: I32  # -1 when unreached
    parent: I32  # previous item on the path from the start, -1 for starts
    via_req: I32  # requirement crossed to get here, -1 for starts
    via_src: I32  # source edge crossed, -1 when the input edge was crossed
    order: I64  # reached items in BFS order


def _first_new(child: I64, dist: I32) -> I64:
    fresh = np.flatnonzero(dist[child] < 0)
    if fresh.size == 0:
        return fresh
    order = np.argsort(child[fresh], kind="stable")
    keys = child[fresh][order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return fresh[order[first]]


def bfs(
    lay: Layout,
    starts: I64,
    depth: int | None,
    reverse: Reverse | None = None,
    src_req: I32 | None = None,
) -> Search:
    """Search dependencies (``reverse is None``) or dependents (``reverse`` given)."""
    n, n_req = lay.n_items, lay.n_requirements
    dist = np.full(n, -1, dtype=np.int32)
    parent = np.full(n, -1, dtype=np.int32)
    via_req = np.full(n, -1, dtype=np.int32)
    via_src = np.full(n, -1, dtype=np.int32)
    frontier = np.unique(starts.astype(np.int64))
    dist[frontier] = 0
    chunks = [frontier]
    hop = 0
    while frontier.size and (depth is None or hop < depth):
        hop += 1
        if reverse is None:
            reqs = gather_segments(lay.item_req_ptr, frontier)
            owners = np.repeat(frontier, np.diff(lay.item_req_ptr)[frontier])
            srcs = gather_segments(lay.req_src_ptr, reqs)
            child = np.concatenate([lay.req_input[reqs], lay.src_item[srcs]]).astype(np.int64)
            par = np.concatenate([owners, np.repeat(owners, np.diff(lay.req_src_ptr)[reqs])])
            vreq = np.concatenate([reqs, np.repeat(reqs, np.diff(lay.req_src_ptr)[reqs])])
            vsrc = np.concatenate([np.full(len(reqs), -1, dtype=np.int64), srcs])
        else:
            assert src_req is not None
            ent = reverse.entry[gather_segments(reverse.ptr, frontier)]
            par = np.repeat(frontier, np.diff(reverse.ptr)[frontier])
            is_src = ent >= n_req
            vsrc = np.where(is_src, ent - n_req, -1)
            vreq = ent.copy()
            vreq[is_src] = src_req[vsrc[is_src]]
            child = reverse.req_item[vreq].astype(np.int64)
        pick = _first_new(child, dist)
        new = child[pick]
        dist[new] = hop
        parent[new] = par[pick]
        via_req[new] = vreq[pick]
        via_src[new] = vsrc[pick]
        frontier = new
        chunks.append(new)
    return Search(dist, parent, via_req, via_src, np.concatenate(chunks))
