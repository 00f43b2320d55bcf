"""Critical path: the chain of lead times that decides when an item can be had.

A *quoted* lead time (order to delivery of the finished item, its inputs included) bounds the
item on its own; a *stage* time (the item's own step, once its inputs are there) adds to the
slowest of its inputs. The path stops at an item whose quote decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from stackgraph.graph.analysis._kernels import lead_times
from stackgraph.graph.analysis._layout import I64, NO_LEAD, NO_STRING
from stackgraph.graph.analysis._traverse import bfs
from stackgraph.graph.analysis.errors import CycleError
from stackgraph.graph.analysis.model import DependencyGraph

__all__ = ["CriticalPath", "MissingLeadTime", "PathStep", "critical_path"]


@dataclass(frozen=True, slots=True)
class PathStep:
    """One step of a critical path, from the target item down.

    ``kind`` is ``"quoted"`` (the item's quoted lead time, its inputs included: the path ends
    here), ``"stage"`` (the item's stage time, after its inputs arrive), ``"requirement"`` (the
    wait on the requirement; ``node`` is the requirement id) or ``"source"`` (the wait on the
    source edge; ``node`` is the supplier, ``requirement`` the requirement it supplies).
    """

    node: str
    kind: str
    requirement: str | None
    days: int
    cumulative: int
    lead_time_known: bool
    fact: str | None


@dataclass(frozen=True, slots=True)
class MissingLeadTime:
    """An item, requirement or source edge without a lead time (counted as 0 days).

    ``kind`` is ``"stage"`` for an item whose stage time is unknown: on the path, one whose
    stage time counts; in the closure, one with neither a quoted nor a stage time.
    """

    kind: str
    node: str
    requirement: str | None


@dataclass(frozen=True)
class CriticalPath:
    """Result of :func:`critical_path`.

    Attributes:
        item: The target item.
        total_days: Lead time of the target, in days.
        steps: The path that attains it, target first; ``cumulative`` adds up to ``total_days``.
        decided_by: ``"quoted"`` when the total is the target's own quoted lead time,
            ``"stage"`` when it is the target's stage time plus the waits below it.
        missing_on_path: Steps of the path whose lead time is unknown.
        missing_in_closure: Unknown lead times anywhere below the target (at most ``limit``).
        missing_in_closure_count: How many there are in all.
    """

    item: str
    total_days: int
    steps: tuple[PathStep, ...]
    missing_on_path: tuple[MissingLeadTime, ...]
    missing_in_closure: tuple[MissingLeadTime, ...]
    missing_in_closure_count: int
    decided_by: str = "stage"

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per step (node, kind, requirement, days, cumulative, lead_time_known,
        fact)."""
        return [
            {
                "node": s.node,
                "kind": s.kind,
                "requirement": s.requirement,
                "days": s.days,
                "cumulative": s.cumulative,
                "lead_time_known": s.lead_time_known,
                "fact": s.fact,
            }
            for s in self.steps
        ]


def _cached_leads(graph: DependencyGraph) -> tuple[I64, I64]:
    v = graph._cache.get("lead")
    if v is None:
        v = graph._cache["lead"] = lead_times(graph._lay)
    return v


def critical_path(graph: DependencyGraph, item: str, limit: int = 10_000) -> CriticalPath:
    """Lead time of ``item`` and the chain of lead times that attains it.

    ``lead(item) = max(quoted(item), stage(item) + max over requirements r of lead(r))``;
    ``lead(r) = own + max(lead(input), min over sources s of (lead of edge s + lead(s)))``
    (just ``own + lead(input)`` when ``r`` has no sources): a quoted lead time already holds
    the item's inputs, every requirement is waited for, and each is served by its quickest
    source. Unknown times count as 0 days (an unknown quote bounds nothing); unknown stage,
    requirement and source times are reported, on the path and in the whole closure.

    Args:
        graph: The dependency graph.
        item: The target item.
        limit: Most entries listed in ``missing_in_closure`` (the count is always exact).

    Returns:
        Total days, the path step by step, and the unknown lead times.

    Raises:
        UnknownNodeError: ``item`` is not in the graph.
        CycleError: The dependency closure of ``item`` has a cycle (members reported).
        ValueError: ``limit`` is negative.

    Examples:
        >>> from stackgraph.graph.analysis import DependencyGraphBuilder, critical_path
        >>> b = DependencyGraphBuilder()
        >>> _ = b.add_item("server", stage_time_days=10)
        >>> _ = b.add_item("gpu", stage_time_days=30)
        >>> _ = b.add_requirement("server", "gpu", lead_time_days=5)
        >>> r = b.add_requirement("gpu", "hbm")
        >>> _ = b.add_source(r, "sk-hynix", lead_time_days=60)
        >>> _ = b.add_source(r, "samsung", lead_time_days=90)
        >>> cp = critical_path(b.build(), "server")
        >>> cp.total_days, cp.decided_by
        (105, 'stage')
        >>> [(s.node, s.kind, s.days, s.cumulative) for s in cp.steps]
        ... # doctest: +NORMALIZE_WHITESPACE
        [('server', 'stage', 10, 10), ('server/gpu', 'requirement', 5, 15),
         ('gpu', 'stage', 30, 45), ('gpu/hbm', 'requirement', 0, 45),
         ('sk-hynix', 'source', 60, 105), ('sk-hynix', 'stage', 0, 105)]
        >>> cp.missing_in_closure_count  # gpu/hbm, hbm, sk-hynix, samsung
        4

        A quoted lead time holds the item's inputs: a quote of 120 days for the GPU replaces
        its 90 days of inputs, and the path stops there.

        >>> _ = b.add_item("gpu", lead_time_days=120)
        >>> cp = critical_path(b.build(), "server")
        >>> cp.total_days
        135
        >>> [(s.node, s.kind, s.days) for s in cp.steps]
        [('server', 'stage', 10), ('server/gpu', 'requirement', 5), ('gpu', 'quoted', 120)]

    Notes:
        Lead times of all items come from one vectorised pass over the topological levels,
        O(I + R + S), cached on the graph; each call then searches the closure of ``item``
        (O(size of closure)) to check for cycles and count unknown lead times, and walks the
        path (O(depth)).
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    lay = graph._lay
    target = graph.index(item)
    reach = bfs(lay, np.array([target]), None).dist >= 0
    if bool(lay.cyclic[reach].any()):
        comps = set(lay.comp[reach & lay.cyclic].tolist())
        members = [c for c in graph.cycles() if int(lay.comp[graph.index(c[0])]) in comps]
        raise CycleError(f"critical path of {item!r}", members)
    lead, req_lead = _cached_leads(graph)
    steps = _walk(graph, target, lead, req_lead)
    missing_on_path = tuple(
        MissingLeadTime(s.kind, s.node, s.requirement) for s in steps if not s.lead_time_known
    )
    missing, count = _missing(graph, reach, limit)
    return CriticalPath(
        item=item,
        total_days=int(lead[target]),
        steps=tuple(steps),
        missing_on_path=missing_on_path,
        missing_in_closure=tuple(missing),
        missing_in_closure_count=count,
        decided_by=steps[0].kind,
    )


def _walk(graph: DependencyGraph, i: int, lead: I64, req_lead: I64) -> list[PathStep]:
    lay = graph._lay
    steps: list[PathStep] = []
    total = 0

    def add(node: str, kind: str, req: str | None, raw: int, fact: int) -> None:
        nonlocal total
        days = max(raw, 0)
        total += days
        steps.append(PathStep(node, kind, req, days, total, raw != NO_LEAD, graph._str(fact)))

    while True:
        r0, r1 = int(lay.item_req_ptr[i]), int(lay.item_req_ptr[i + 1])
        quoted, stage = int(lay.item_lead[i]), int(lay.item_stage[i])
        inputs = int(req_lead[r0:r1].max()) if r1 > r0 else 0
        if quoted != NO_LEAD and quoted >= max(stage, 0) + inputs:
            # The quote holds the inputs: the path ends here.
            add(lay.ids[i], "quoted", None, quoted, int(lay.item_fact[i]))
            return steps
        fact = int(lay.item_stage_fact[i])
        add(lay.ids[i], "stage", None, stage, int(lay.item_fact[i]) if fact == NO_STRING else fact)
        if r1 == r0:
            return steps
        r = r0 + int(np.argmax(req_lead[r0:r1]))
        rid = graph.requirement_id(r)
        add(rid, "requirement", rid, int(lay.req_lead[r]), int(lay.req_fact[r]))
        inp = int(lay.req_input[r])
        s0, s1 = int(lay.req_src_ptr[r]), int(lay.req_src_ptr[r + 1])
        if s1 > s0:
            cost = np.maximum(lay.src_lead[s0:s1], 0) + lead[lay.src_item[s0:s1]]
            s = s0 + int(np.argmin(cost))
            if int(cost[s - s0]) > int(lead[inp]):
                sup = int(lay.src_item[s])
                add(lay.ids[sup], "source", rid, int(lay.src_lead[s]), int(lay.src_fact[s]))
                i = sup
                continue
        i = inp


def _missing(
    graph: DependencyGraph, reach: np.ndarray, limit: int
) -> tuple[list[MissingLeadTime], int]:
    lay = graph._lay
    items = np.flatnonzero(reach & (lay.item_lead == NO_LEAD) & (lay.item_stage == NO_LEAD))
    req_mask = reach[graph._req_item()]
    reqs = np.flatnonzero(req_mask & (lay.req_lead == NO_LEAD))
    srcs = np.flatnonzero(req_mask[graph._src_req()] & (lay.src_lead == NO_LEAD))
    count = len(items) + len(reqs) + len(srcs)
    out: list[MissingLeadTime] = []
    for i in items[:limit].tolist():
        out.append(MissingLeadTime("stage", lay.ids[i], None))
    for r in reqs[: max(0, limit - len(out))].tolist():
        rid = graph.requirement_id(r)
        out.append(MissingLeadTime("requirement", rid, rid))
    src_req = graph._src_req()
    for s in srcs[: max(0, limit - len(out))].tolist():
        out.append(
            MissingLeadTime(
                "source", lay.ids[int(lay.src_item[s])], graph.requirement_id(int(src_req[s]))
            )
        )
    return out, count
