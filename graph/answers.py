"""What a call answers, as either client reads it: the typed answers a `Client` subclass
returns (from the store and the analyses, or from a server), and the question of `deployable`.
`stackgraph.client` builds the tables from them."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stackgraph.graph import analysis, rows
from stackgraph.graph.arguments import PERIODS, Shortage, shortage_text, shortages_of, targets_of
from stackgraph.graph.rows import Fact, Row
from stackgraph.graph.snapshot import EntityInfo, Snapshot

__all__ = [
    "Bound",
    "ClosureAnswer",
    "DeployAnswer",
    "DeployPlan",
    "EntityAnswer",
    "ImpactAnswer",
    "PathAnswer",
    "Walk",
    "entity_row",
    "explainer",
    "impact_on",
]


@dataclass(frozen=True)
class ImpactAnswer:
    """A scenario's affected items with its counts, as either client reads them."""

    shortages: dict[str, float]
    rows: list[rows.Affected]
    counts: dict[str, int]
    counts_by_layer: dict[str | None, dict[str, int]]
    cycles: list[list[str]]
    version: str


@dataclass(frozen=True)
class PathAnswer:
    """A critical path: its steps and what is missing on and under it."""

    item: str
    total_days: int
    steps: list[rows.PathStep]
    missing_on_path: list[str]
    missing_in_closure_count: int


@dataclass(frozen=True)
class Walk:
    """A dependency or dependent walk: from `ref`, `direction`, how deep, what to list."""

    ref: str
    direction: str
    depth: int | None
    limit: int
    layers: list[str] | None
    categories: list[str] | None


@dataclass(frozen=True)
class ClosureAnswer:
    """The items a walk reached (at most the limit asked for) and how many there are."""

    item: str
    reached: list[rows.Reached]
    total: int


@dataclass(frozen=True)
class DeployPlan:
    """A deployable question: targets (reference -> units per mix), year, period, shortages
    (reference and what changes), whether sources substitute, whose allocations cap it."""

    targets: dict[str, float]
    year: int
    per: str
    shortages: list[tuple[str, Shortage]]
    substitution: bool
    allocation: str | None = None

    @classmethod
    def of(
        cls,
        targets: str | Sequence[str] | Mapping[str, float],
        year: int | None,
        per: str,
        shortages: Mapping[str, float | str] | Iterable[str] | None,
        substitution: bool,
        allocation: str | None,
    ) -> DeployPlan:
        """The question from a call's arguments (`Client.deployable`), checked.

        Raises:
            ValueError: no target, a weight that is not positive, an unknown period or a bad
                shortage.
        """
        wanted = targets_of(targets)
        if not wanted:
            raise ValueError("give at least one target")
        if any(not w > 0 for w in wanted.values()):
            raise ValueError("every target's units per mix must be positive")
        if per not in PERIODS:
            raise ValueError(f"unknown period {per!r}; expected one of {', '.join(PERIODS)}")
        when = datetime.date.today().year if year is None else int(year)
        return cls(wanted, when, per, shortages_of(shortages), substitution, allocation)

    def title(self, summary: Mapping[str, Any]) -> str:
        """The title of the answer's table."""
        title = f"deployable {', '.join(summary['targets'])} per {self.per} in {self.year}"
        if self.shortages:
            title += " with " + ", ".join(shortage_text(s) for _, s in self.shortages)
        if summary.get("allocation"):
            title += f" (the allocations of {summary['allocation']})"
        return title


@dataclass(frozen=True)
class EntityAnswer:
    """What an entity page shows beside its requirements and sources."""

    info: EntityInfo
    attributes: dict[str, Any]
    provenance: rows.Fact | None
    claims: list[dict[str, Any]]


@dataclass(frozen=True, slots=True, eq=False)
class Bound(Row):
    """A capacity of the program: of `id`, held by `holder` (None: the item's whole output),
    or whose allocation caps it, in `unit` per `per` (None for a stock), low and high figure;
    what the low answer uses, and
    the shadow price of each answer: extra target units per period for one more `unit` a month
    (a stock: one more `unit`). `binding` in either answer."""

    id: str
    name: str
    layer: str | None
    holder: str | None
    unit: str
    per: str | None
    capacity_low: float
    capacity_high: float
    used: float
    utilisation: float
    shadow_price_low: float
    shadow_price_high: float
    binding: bool
    facts: list[Fact] = field(default_factory=list)


@dataclass(frozen=True)
class DeployAnswer:
    """The rows (capacities) and the summary of a deployable answer, as either client reads it."""

    rows: list[Bound]
    summary: dict[str, Any]


def explainer(
    snap: Snapshot, result: analysis.ImpactResult, item: str
) -> Callable[[], tuple[str | None, list[str], list[dict[str, Any]]]]:
    """The chain of `item` explained, when first read, with the facts of the version `snap`."""

    def fact(iri: str | None) -> rows.Fact | None:
        p = None if iri is None else snap.provenance.get(iri)
        return None if p is None or iri is None else p.record(iri)

    def explain() -> tuple[str | None, list[str], list[dict[str, Any]]]:
        steps = result.explain(item)
        last = steps[-1] if steps else None
        root = last.item if last is not None and last.cause is None else None
        return (
            root,
            [step.item for step in steps],
            [
                {
                    "item": step.item,
                    "low": round(step.low, 6),
                    "high": round(step.high, 6),
                    "requirement": step.requirement,
                    "via": step.via,
                    "cause": step.cause,
                    "facts": [
                        f
                        for f in map(fact, (step.requirement_fact, step.source_fact))
                        if f is not None
                    ],
                    "shares": [
                        {
                            "supplier": s.supplier,
                            "share": s.share,
                            "low": round(s.low, 6),
                            "high": round(s.high, 6),
                            "provenance": fact(s.fact),
                        }
                        for s in step.shares
                    ],
                }
                for step in steps
            ],
        )

    return explain


def entity_row(e: EntityInfo) -> rows.Entity:
    """The search row of an entity."""
    return rows.Entity(
        id=e.id,
        name=e.name,
        types=list(e.types),
        layer=e.layer,
        category=e.category,
        aliases=list(e.aliases),
    )


def impact_on(target: EntityInfo, found: Sequence[rows.Affected]) -> rows.Affected:
    """The row of `target` among a scenario's affected items; `OK` at 1, with an empty chain,
    when the scenario does not reach it."""
    hit = next((r for r in found if r.id == target.id), None)
    if hit is not None:
        return hit
    return rows.Affected(
        id=target.id,
        name=target.name,
        layer=target.layer,
        category=target.category,
        status="OK",
        low=1.0,
        high=1.0,
        binding_requirement=None,
        root_cause=None,
        chain=[],
        explanation=[],
    )
