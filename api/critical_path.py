# mypy: disable-error-code="untyped-decorator"
"""`criticalPath`: the lead-time path that decides how long an item takes (DESIGN.md §3)."""

from __future__ import annotations

import strawberry

from stackgraph.api.context import Context, Info
from stackgraph.api.entity import Entity, entity_of
from stackgraph.api.provenance import Provenance, provenance_of
from stackgraph.graph import analysis

__all__ = ["CriticalPath", "MissingLeadTime", "PathStep", "resolve_critical_path"]


@strawberry.type(description="One step of the critical path, with its days and the running total.")
class PathStep:
    kind: str = strawberry.field(
        description="quoted (an item's quoted lead time, its inputs included: the path ends"
        " there), stage (an item's own step once its inputs are there), requirement or source"
        " (a wait on that link)."
    )
    node: strawberry.ID = strawberry.field(description="The item id, or `item/input`.")
    entity: Entity | None = strawberry.field(description="The item or source; null otherwise.")
    requirement: strawberry.ID | None
    days: int
    cumulative: int
    lead_time_known: bool
    provenance: Provenance | None

    @strawberry.field(
        description="Whether the step's figure rests on a weak fact (low confidence, or a"
        " secondary or unknown source)."
    )
    def weak(self) -> bool:
        return self.provenance is not None and self.provenance.weak

    @classmethod
    def from_step(cls, step: analysis.PathStep, context: Context) -> PathStep:
        """One step of an analysis path."""
        return cls(
            kind=step.kind,
            node=strawberry.ID(step.node),
            entity=None if step.kind == "requirement" else entity_of(context, step.node),
            requirement=None if step.requirement is None else strawberry.ID(step.requirement),
            days=step.days,
            cumulative=step.cumulative,
            lead_time_known=step.lead_time_known,
            provenance=provenance_of(context.snapshot, step.fact),
        )


@strawberry.type(description="A step on the path without a known lead time (counted as 0 days).")
class MissingLeadTime:
    kind: str
    node: strawberry.ID
    requirement: strawberry.ID | None

    @classmethod
    def from_result(cls, missing: analysis.MissingLeadTime) -> MissingLeadTime:
        """A missing lead time of an analysis path."""
        return cls(
            kind=missing.kind,
            node=strawberry.ID(missing.node),
            requirement=None if missing.requirement is None else strawberry.ID(missing.requirement),
        )


@strawberry.type
class CriticalPath:
    entity: Entity
    total_days: int
    steps: list[PathStep]
    missing_lead_times: list[MissingLeadTime] = strawberry.field(
        description="Steps on the path whose lead time is unknown: the total is a lower bound."
    )
    missing_in_closure_count: int = strawberry.field(
        description="Items (with neither a quoted nor a stage time), requirements and sources"
        " below the item with no lead time."
    )

    @classmethod
    def from_result(cls, result: analysis.CriticalPath, context: Context) -> CriticalPath:
        """The critical path of an analysis result."""
        return cls(
            entity=entity_of(context, result.item),
            total_days=result.total_days,
            steps=[PathStep.from_step(s, context) for s in result.steps],
            missing_lead_times=[MissingLeadTime.from_result(m) for m in result.missing_on_path],
            missing_in_closure_count=result.missing_in_closure_count,
        )


async def resolve_critical_path(info: Info, ref: str) -> CriticalPath:
    """Run (or reuse) the critical-path analysis of `ref`."""
    ctx = info.context
    slug = ctx.resolve(ref, field="id")
    graph = ctx.snapshot.graph
    result: analysis.CriticalPath = await ctx.cached(
        ("critical-path", slug), lambda: analysis.critical_path(graph, slug)
    )
    return CriticalPath.from_result(result, ctx)
