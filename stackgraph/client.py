"""`Client`: the calls of the Python API, written once for the embedded store and for a server.

Each public call checks its arguments and builds its `Table` here; a client answers a small set
of typed questions (`_impact`, `_critical_path`, ...), from the store and the analyses
(`KnowledgeGraph`) or from a running server's GraphQL API (`RemoteKnowledgeGraph`). So the
two return the same tables, row for row, and the plots take either.
"""

from __future__ import annotations

import abc
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

from stackgraph.graph import rows, vocabulary
from stackgraph.graph.analysis import Status
from stackgraph.graph.answers import (
    Bound,
    ClosureAnswer,
    DeployAnswer,
    DeployPlan,
    EntityAnswer,
    ImpactAnswer,
    PathAnswer,
    Walk,
    entity_row,
    impact_on,
)
from stackgraph.graph.arguments import (
    name_list,
    parse_shortages,
)
from stackgraph.graph.snapshot import EntityInfo
from stackgraph.graph.units import KINDS
from stackgraph.results import Table

__all__ = [
    "Client",
    "ClosureAnswer",
    "DeployPlan",
    "EntityAnswer",
    "ImpactAnswer",
    "PathAnswer",
    "Walk",
    "entity_row",
]


class Client(abc.ABC):
    """The knowledge graph's calls; subclasses say where the answers come from."""

    # ------------------------------------------------------------------ what a client answers

    @abc.abstractmethod
    def resolve(self, ref: str) -> str:
        """The id of an entity named by id, IRI, name, alias or maker-prefixed name.

        Raises:
            UnknownEntityError: nothing matches; the message lists the closest matches.
        """

    @abc.abstractmethod
    def info(self, ref: str) -> EntityInfo:
        """Name, types, layer, category and aliases of an entity."""

    @abc.abstractmethod
    def subgraph(self, refs: str | Sequence[str], depth: int | None = None) -> nx.DiGraph:
        """The labelled networkx graph of the dependencies of `refs` (every item when empty).

        Items and requirements are nodes (`kind` item or requirement); edges are `requires`
        (item to requirement), `input` and `source` (requirement to item).
        """

    @abc.abstractmethod
    def graph_info(self) -> dict[str, Any]:
        """Version, counts and sources with their last ingest run."""

    @abc.abstractmethod
    def _search(
        self, text: str, types: Sequence[str], layer: str | None, category: str | None, limit: int
    ) -> tuple[list[rows.Entity], int]: ...

    @abc.abstractmethod
    def _details(self, ref: str) -> EntityAnswer: ...

    @abc.abstractmethod
    def _requirements(self, ref: str) -> tuple[str, list[rows.Requirement]]: ...

    @abc.abstractmethod
    def _sources(self, ref: str) -> tuple[str, list[rows.Supply]]: ...

    @abc.abstractmethod
    def _capacities(self, ref: str, year: int | None) -> tuple[str, list[rows.Capacity]]: ...

    @abc.abstractmethod
    def _impact(self, shortages: dict[str, float], substitution: bool) -> ImpactAnswer: ...

    @abc.abstractmethod
    def _critical_path(self, ref: str) -> PathAnswer: ...

    @abc.abstractmethod
    def _single_points_of_failure(self, ref: str) -> tuple[str, list[rows.SinglePoint]]: ...

    @abc.abstractmethod
    def _chokepoints(self, top: int, categories: list[str] | None) -> list[rows.Chokepoint]: ...

    @abc.abstractmethod
    def _closure(self, walk: Walk) -> ClosureAnswer: ...

    @abc.abstractmethod
    def _deployable(self, plan: DeployPlan) -> DeployAnswer: ...

    # ------------------------------------------------------------------ lookup

    def search(
        self,
        text: str = "",
        *,
        types: Sequence[str] = (),
        layer: str | None = None,
        category: str | None = None,
        limit: int | None = 50,
    ) -> Table:
        """Entities whose id, name or alias matches `text` (all when empty), best first.

        >>> kg.search("hbm", layer="memory").to_frame()["id"].tolist()
        ['ex-hbm', 'ex-hbm-a', 'ex-hbm-b']
        """
        vocabulary.check("layer", name_list(layer))
        vocabulary.check("category", name_list(category))
        found, total = self._search(text, tuple(types), layer, category, limit or 0)
        return Table(
            f"search {text!r}",
            found,
            columns=rows.Entity.fields(),
            summary={"total": total},
            kind="search",
        )

    def entity(self, ref: str) -> dict[str, Any]:
        """Everything known about one entity: attributes, claims, relations, provenance.

        >>> e = kg.entity("Example X-1")
        >>> values = sorted({c["value"] for c in e["claims"] if c["property"] == "hbm_capacity_gb"})
        >>> e["name"], values, e["provenance"]["confidence"]
        ('Example Accelerator X1', ['180', '192'], 'high')
        """
        d = self._details(ref)
        return {
            **dict(entity_row(d.info)),
            "iri": d.info.iri,
            "attributes": d.attributes,
            "provenance": d.provenance,
            "claims": d.claims,
            "requirements": self.requirements(d.info.id).to_dicts(),
            "sources": self.sources(d.info.id).to_dicts(),
        }

    def requirements(self, ref: str) -> Table:
        """What an item needs (AND), each with its qualified sources (OR) and provenance.

        >>> [(r.input, r.quantity, len(r.sources)) for r in kg.requirements("ex-rack")]
        [('ex-accelerator', 72.0, 0)]
        """
        slug, found = self._requirements(ref)
        return Table(
            f"requirements of {slug}", found, columns=rows.Requirement.fields(), kind="requirements"
        )

    def sources(self, ref: str) -> Table:
        """Every Supply record of an input (qualified or not), with provenance.

        >>> [(s.supplier, s.consumer, s.share) for s in kg.sources("Example HBM3E")]
        [('ex-hbm-a', 'ex-accelerator', 0.7), ('ex-hbm-b', 'ex-accelerator', 0.3)]
        """
        slug, found = self._sources(ref)
        return Table(f"sources of {slug}", found, columns=rows.Supply.fields(), kind="sources")

    def capacities(
        self, ref: str, *, year: int | None = None, kind: str | Sequence[str] | None = None
    ) -> Table:
        """Sourced figures of an item, or held by an organisation or facility, with their kind.

        One row per Capacity record, by year then holder: `amount` (to `amount_max` for a
        range) `unit` per `period` as the source gives it, the same figure in the canonical unit
        and period (`canonical_amount` ... per month for rates, GW for power; `converted` when
        the number changed), its `kind` and its source. Only `kind == "capacity"` is what can be
        made or delivered; shipments, demand, allocations, backlogs and installed bases are
        other facts, kept apart by `kind=`. Sources that disagree stay separate rows, and
        `summary["spread"]` gives, per item, kind, year and canonical unit, the lowest and
        highest figure and how many sources give one (`Capacity.spread`).

        Args:
            ref: id, name or alias of the item or holder.
            year: only figures for this year.
            kind: only figures of this kind or these kinds (`stackgraph.graph.units.KINDS`).

        Raises:
            ValueError: an unknown kind.

        >>> c = kg.capacities("ex-cowos", kind="capacity")[0]
        >>> c.holder, c.amount, c.amount_max, c.unit, c.period, c.estimated
        ('ex-foundry', 75000.0, 80000.0, 'wafers', 'month', True)
        >>> c.kind, c.canonical_amount, c.canonical_unit, c.canonical_period, c.converted
        ('capacity', 75000.0, 'wafer', 'month', False)
        """
        kinds = name_list(kind)
        unknown = sorted(set(kinds or ()) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown kind {unknown[0]!r}; expected one of {', '.join(KINDS)}")
        slug, found = self._capacities(ref, year)
        if kinds is not None:
            found = [r for r in found if r.kind in kinds]
        summary = {
            "item": slug,
            "records": len(found),
            "years": sorted({r.year for r in found if r.year}),
            "kinds": {k: n for k in KINDS if (n := sum(r.kind == k for r in found))},
            "spread": rows.Capacity.spread(found),
        }
        title = f"capacities of {slug}" + ("" if year is None else f" in {year}")
        if kinds is not None:
            title += f" ({', '.join(kinds)})"
        return Table(
            title, found, columns=rows.Capacity.fields(), summary=summary, kind="capacities"
        )

    # ------------------------------------------------------------------ analyses

    def impact(
        self,
        shortages: Mapping[str, float] | Iterable[str],
        *,
        substitution: bool = False,
        target: str | None = None,
    ) -> Table:
        """Items blocked or constrained by shortages, each with the chain of facts that explains it.

        Args:
            shortages: id or name -> availability in [0, 1], or `ID[=AVAILABILITY]` strings.
            substitution: whether any one qualified source can replace the others.
            target: one item to look at (id or name): its row only, `OK` at 1 with an empty
                chain when the shortages do not reach it.

        >>> t = kg.impact({"Vendor A HBM3E": 0})
        >>> [(r.id, r.status, r.low, r.high) for r in t][:3]
        [('ex-hbm-a', 'BLOCKED', 0.0, 0.0), ('ex-accelerator', 'CONSTRAINED', 0.3, 0.3), ('ex-datacenter', 'CONSTRAINED', 0.3, 0.3)]
        >>> t[1].chain
        ['ex-accelerator', 'ex-hbm-a']
        >>> [(r.id, r.status, r.chain) for r in kg.impact({"ex-hbm-a": 0}, target="ex-rack")]
        [('ex-rack', 'CONSTRAINED', ['ex-rack', 'ex-accelerator', 'ex-hbm-a'])]
        """
        wanted = parse_shortages(shortages)
        if not wanted:
            raise ValueError("give at least one shortage: ID or ID=AVAILABILITY")
        for ref, value in wanted.items():
            if not 0.0 <= value <= 1.0:  # NaN fails too
                raise ValueError(
                    f"availability of {ref!r} must be in [0, 1] (0 = out, 1 = normal), got {value}"
                )
        only = None if target is None else self.info(target)
        a = self._impact(wanted, substitution)
        found = sorted(a.rows, key=lambda r: (_rank(r.status), r.low, r.high, r.id))
        if only is not None:
            found = [impact_on(only, found)]
        summary = {
            "shortages": a.shortages,
            "substitution": substitution,
            "counts": a.counts,
            "counts_by_layer": {str(k): v for k, v in a.counts_by_layer.items()},
            "cycles": a.cycles,
            "version": a.version,
        } | ({} if only is None else {"target": only.id})
        title = "impact of " + ", ".join(f"{k}={v:g}" for k, v in a.shortages.items())
        title += "" if only is None else f" on {only.id}"
        return Table(title, found, columns=rows.Affected.fields(), summary=summary, kind="impact")

    def critical_path(self, ref: str) -> Table:
        """The lead-time path that decides how long an item takes, step by step in days.

        Each step's `kind` is `quoted` (an item's quoted lead time, its inputs included: the
        path ends there), `stage` (an item's own step once its inputs are there), or
        `requirement` or `source` (a wait on that link).

        >>> t = kg.critical_path("ex-datacenter")
        >>> t.summary["total_days"], [(s.node, s.kind) for s in t if s.days]
        (210, [('ex-accelerator/ex-node', 'requirement'), ('ex-fab', 'source')])
        """
        a = self._critical_path(ref)
        summary = {
            "item": a.item,
            "total_days": a.total_days,
            "missing_on_path": a.missing_on_path,
            "missing_in_closure_count": a.missing_in_closure_count,
        }
        title = f"critical path of {a.item}: lead time {a.total_days} days"
        return Table(
            title, a.steps, columns=rows.PathStep.fields(), summary=summary, kind="critical_path"
        )

    def single_points_of_failure(self, ref: str) -> Table:
        """Items whose loss alone blocks `ref`, each with the chain that shows why.

        >>> [(s.id, s.path) for s in kg.single_points_of_failure("ex-rack")][:2]
        [('ex-accelerator', ['ex-rack', 'ex-accelerator']), ('ex-abf-substrate', ['ex-rack', 'ex-accelerator', 'ex-abf-substrate'])]
        """
        slug, found = self._single_points_of_failure(ref)
        return Table(
            f"single points of failure of {slug}",
            found,
            columns=rows.SinglePoint.fields(),
            summary={"item": slug},
            kind="single_points_of_failure",
        )

    def spof(self, ref: str) -> Table:
        """Deprecated: use `single_points_of_failure`."""
        warnings.warn(
            "spof() is deprecated; use single_points_of_failure()", DeprecationWarning, stacklevel=2
        )
        return self.single_points_of_failure(ref)

    def chokepoints(self, top: int = 10, *, categories: str | Sequence[str] | None = None) -> Table:
        """Items ranked by how many end products (of `categories`, if given) they alone can block.

        >>> [(c.id, c.end_products_blocked) for c in kg.chokepoints(2)]
        [('ex-abf-substrate', 2), ('ex-accelerator', 2)]
        """
        wanted = vocabulary.check("category", name_list(categories))
        found = self._chokepoints(top, wanted)
        return Table(
            f"top {top} chokepoints", found, columns=rows.Chokepoint.fields(), kind="chokepoints"
        )

    def dependencies(
        self,
        ref: str,
        depth: int | None = None,
        limit: int = 10_000,
        *,
        layers: str | Sequence[str] | None = None,
        categories: str | Sequence[str] | None = None,
    ) -> Table:
        """Everything an item needs, transitively (depth in item hops), with a path to each.

        `layers` and `categories` list only items of those layers or categories (for example
        ``categories=["accelerator", "inference-accelerator"]``); the walk still crosses the rest.

        >>> [(r.id, r.depth) for r in kg.dependencies("ex-rack", depth=2, layers="memory")]
        [('ex-hbm', 2), ('ex-hbm-a', 2), ('ex-hbm-b', 2)]
        """
        return self._closure_table("dependencies", ref, depth, limit, layers, categories)

    def dependents(
        self,
        ref: str,
        depth: int | None = None,
        limit: int = 10_000,
        *,
        layers: str | Sequence[str] | None = None,
        categories: str | Sequence[str] | None = None,
    ) -> Table:
        """Everything that needs an item, transitively, with a path to each.

        "Which accelerators depend on CoWoS-L?" is
        ``kg.dependents("TSMC CoWoS-L", categories=["accelerator", "inference-accelerator"])``.

        >>> [(r.id, r.path) for r in kg.dependents("Example CoWoS-L", categories="accelerator")]
        [('ex-accelerator', ['ex-cowos', 'ex-accelerator'])]
        """
        return self._closure_table("dependents", ref, depth, limit, layers, categories)

    def deployable(
        self,
        targets: str | Sequence[str] | Mapping[str, float],
        *,
        year: int | None = None,
        per: str = "quarter",
        shortages: Mapping[str, float | str] | Iterable[str] | None = None,
        substitution: bool = False,
        allocation: str | None = None,
    ) -> Table:
        """How many units of `targets` per `per` the capacities recorded for `year` allow, and
        which capacity binds (`stackgraph.graph.deployment`).

        One row per capacity on the targets' path: its figure (low and high where sources
        disagree), what the low answer uses, its shadow price (extra target units per period
        for one more unit a month). The summary: the units as a range, the binding layers, the
        inputs nothing bounds, the gaps, and with `shortages` the baseline, the units lost and
        the times to recover and survive. One target takes all of every capacity on its path.

        Args:
            targets: id or name, several, or id -> units per mix.
            year: the year of the capacities (default: this year).
            per: month, quarter or year.
            shortages: ``ID=FACTOR`` or ``ID=AMOUNT UNIT`` strings, or id -> factor or amount.
            substitution: whether any qualified source can carry any part of a requirement.
            allocation: an organisation (id or name) whose recorded allocations of the year cap
                the capacities (NVIDIA's share of CoWoS): the targets get its share only.

        Raises:
            ValueError: no target, a weight that is not positive, an unknown period or a bad
                shortage.

        >>> t = kg.deployable("Example Rack NVL72", year=2025)
        >>> t.summary["units"], [(r.id, r.binding, r.shadow_price_low) for r in t]
        ({'ex-rack': {'low': 50000.0, 'high': 53333.333333333336}}, [('ex-cowos', True, 0.6666666666666666)])
        """
        plan = DeployPlan.of(targets, year, per, shortages, substitution, allocation)
        a = self._deployable(plan)
        title = plan.title(a.summary)
        return Table(title, a.rows, columns=Bound.fields(), summary=a.summary, kind="deployable")

    def _closure_table(
        self,
        direction: str,
        ref: str,
        depth: int | None,
        limit: int,
        layers: str | Sequence[str] | None,
        categories: str | Sequence[str] | None,
    ) -> Table:
        if depth is not None and depth < 1:
            raise ValueError(f"depth must be at least 1 (or None for all), got {depth}")
        wanted = {
            "layers": vocabulary.check("layer", name_list(layers)),
            "categories": vocabulary.check("category", name_list(categories)),
        }
        a = self._closure(
            Walk(ref, direction, depth, limit, wanted["layers"], wanted["categories"])
        )
        only = [", ".join(v) or "none" for v in wanted.values() if v is not None]
        return Table(
            f"{direction} of {a.item}" + (f" ({'; '.join(only)})" if only else ""),
            a.reached,
            columns=rows.Reached.fields(),
            summary={"item": a.item, "total": a.total, "depth": depth}
            | {k: v for k, v in wanted.items() if v is not None},
            kind=direction,
        )


def _rank(status: str) -> int:
    return Status(status).rank
