# mypy: disable-error-code="untyped-decorator"
"""`deployable`: how many units of the targets the recorded capacities allow, and which layer
binds (`stackgraph.graph.deployment`)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from stackgraph.api.context import Info
from stackgraph.api.errors import BadInputError
from stackgraph.api.provenance import Provenance
from stackgraph.graph.arguments import PERIODS
from stackgraph.graph.rows import Fact
from stackgraph.results import Table

__all__ = ["Deployable", "DeployableCapacity", "TargetUnits", "resolve_deployable"]

MAX_TARGETS = 20
MAX_SHORTAGES = 50


def _provenance(f: Fact) -> Provenance:
    return Provenance(
        iri=f["iri"],
        source_url=f["source"],
        tier=f["tier"],
        as_of=f["as_of"],
        confidence=f["confidence"],
        estimated=f["estimated"],
        graph=f["graph"],
        weak=f["weak"],
    )


@strawberry.type(description="Units of one target per period: a range where sources disagree.")
class TargetUnits:
    id: strawberry.ID
    low: float | None = strawberry.field(description="Null when nothing recorded bounds it.")
    high: float | None
    baseline_low: float | None = strawberry.field(description="Without the shortages.")
    baseline_high: float | None
    lost_low: float | None = strawberry.field(description="Baseline minus scenario, low answer.")
    lost_high: float | None


@strawberry.type(
    description="A capacity on the targets' path: its figure per month (a stock as it is), what "
    "the low answer uses, and its shadow price: extra target units per period for one more unit "
    "a month."
)
class DeployableCapacity:
    id: strawberry.ID
    name: str
    layer: str | None
    holder: strawberry.ID | None = strawberry.field(
        description="Null: the item's whole output; else the capacity one supplier holds."
    )
    unit: str
    per: str | None
    capacity_low: float
    capacity_high: float
    used: float
    utilisation: float
    shadow_price_low: float
    shadow_price_high: float
    binding: bool
    facts: list[Provenance]


@strawberry.type(description="Deployable units of the targets, what binds and what is missing.")
class Deployable:
    year: int
    per: str
    status: str = strawberry.field(description="optimal, or unbounded: no capacity bounds it.")
    units: list[TargetUnits]
    binding_layers: list[str | None]
    capacities: list[DeployableCapacity] = strawberry.field(
        description="Every capacity on the path, binding ones first."
    )
    unbounded: list[strawberry.ID] = strawberry.field(
        description="Inputs on the path with no capacity figure: nothing recorded bounds them."
    )
    unquantified: list[strawberry.ID] = strawberry.field(
        description="Requirements on the path without a quantity: their inputs are not counted."
    )
    summary: JSON = strawberry.field(
        description="The whole summary: units, gaps (quantities no fact converts), conversions,"
        " shortages and how each was applied, baseline, lost units, time to recover and to"
        " survive, version."
    )

    @classmethod
    def from_table(cls, table: Table) -> Deployable:
        """The GraphQL answer of a `deployable` Table."""
        s: dict[str, Any] = table.summary
        lost = s.get("lost", {})
        base = s.get("baseline", {})
        return cls(
            year=s["year"],
            per=s["per"],
            status=s["status"],
            units=[
                TargetUnits(
                    id=strawberry.ID(t),
                    low=u["low"],
                    high=u["high"],
                    baseline_low=base.get(t, {}).get("low"),
                    baseline_high=base.get(t, {}).get("high"),
                    lost_low=lost.get(t, {}).get("low"),
                    lost_high=lost.get(t, {}).get("high"),
                )
                for t, u in s["units"].items()
            ],
            binding_layers=list(s["binding_layers"]),
            capacities=[
                DeployableCapacity(
                    **{k: r[k] for k in r if k != "facts"},
                    facts=[_provenance(f) for f in r["facts"]],
                )
                for r in table.rows
            ],
            unbounded=[strawberry.ID(u["id"]) for u in s["unbounded"]],
            unquantified=[strawberry.ID(u) for u in s["unquantified"]],
            summary=s,  # type: ignore[arg-type]
        )


@strawberry.input(description="A target and how many of it one mix holds (default 1).")
class TargetInput:
    id: strawberry.ID
    units: float = 1.0


async def resolve_deployable(
    info: Info,
    targets: list[TargetInput],
    year: int | None,
    per: str,
    shortages: list[str] | None,
    substitution: bool,
    allocation: strawberry.ID | None = None,
) -> Deployable:
    """Run (or reuse) the deployable analysis."""
    ctx = info.context
    if not targets or len(targets) > MAX_TARGETS:
        raise BadInputError(f"give 1 to {MAX_TARGETS} targets", argument="targets")
    if len(shortages or []) > MAX_SHORTAGES:
        raise BadInputError(f"give at most {MAX_SHORTAGES} shortages", argument="shortages")
    if per not in PERIODS:
        raise BadInputError(
            f"unknown period {per!r}; expected one of {', '.join(PERIODS)}", argument="per"
        )
    mix: dict[str, float] = {}
    for t in targets:
        slug = ctx.resolve(str(t.id), field="targets")
        mix[slug] = mix.get(slug, 0.0) + t.units
    wanted = tuple(shortages or ())
    for s in wanted:
        ctx.resolve(s.rpartition("=")[0].strip() or s, field="shortages")
    holder = None if allocation is None else ctx.resolve(str(allocation), field="allocation")
    view = ctx.view

    def run() -> Table:
        return view.deployable(
            mix,
            year=year,
            per=per,
            shortages=list(wanted),
            substitution=substitution,
            allocation=holder,
        )

    try:
        table: Table = await ctx.cached(
            ("deployable", tuple(mix.items()), year, per, wanted, substitution, holder), run
        )
    except ValueError as exc:
        raise BadInputError(str(exc), argument="shortages") from None
    return Deployable.from_table(table)
