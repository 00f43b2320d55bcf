"""The snapshot: one version of the graph, projected, and the records it keeps.

A `Snapshot` holds the AND/OR dependency graph the analyses read and the lookup tables beside
it: entities, supplies, capacities, the names index and the provenance of every fact. It is
built by `stackgraph.graph.projection.build_snapshot` and never changes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stackgraph.graph.analysis import DependencyGraph
from stackgraph.graph.namespace import normalise
from stackgraph.graph.tiers import TIERS, is_weak, tier_of
from stackgraph.graph.units import Canonical

__all__ = [
    "CapacityInfo",
    "EntityInfo",
    "Lookups",
    "PerWafer",
    "Provenance",
    "Snapshot",
    "SupplyInfo",
]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact comes from.

    `tier` is the tier of the source (`stackgraph.graph.tiers.tier_of`): ``primary``, ``press``,
    ``secondary`` or ``unknown``. Left out, it is looked up from `source`; the projection passes
    it, and the remote client passes the server's.

    Raises:
        ValueError: `tier` is not one of `stackgraph.graph.tiers.TIERS`.
    """

    source: str | None
    as_of: str | None
    confidence: str | None
    estimated: bool
    graph: str
    tier: str = ""

    def __post_init__(self) -> None:
        if not self.tier:
            object.__setattr__(self, "tier", tier_of(self.source))
        elif self.tier not in TIERS:
            raise ValueError(f"unknown source tier {self.tier!r}; expected one of {TIERS}")

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict: source, tier, as_of, confidence, estimated, graph, and
        whether the fact is weak (`stackgraph.graph.tiers.is_weak`)."""
        return {
            "source": self.source,
            "tier": self.tier,
            "as_of": self.as_of,
            "confidence": self.confidence,
            "estimated": self.estimated,
            "graph": self.graph,
            "weak": self.weak,
        }

    @property
    def weak(self) -> bool:
        """Whether the fact is too weak to rest a conclusion on alone (`stackgraph.graph.tiers.is_weak`)."""
        return is_weak(self.confidence, self.tier)

    def record(self, iri: str) -> dict[str, Any]:
        """The provenance of the fact `iri` as the Python API and the tables show it.

        Args:
            iri: The IRI of the fact (a record) this provenance belongs to.

        Returns:
            ``{"iri", "source", "tier", "as_of", "confidence", "estimated", "graph"}``, in that
            order.

        Examples:
            >>> p = Provenance("https://www.tsmc.com/x1", "2025-03", "high", False, "urn:g")
            >>> list(p.record("urn:fact"))
            ['iri', 'source', 'tier', 'as_of', 'confidence', 'estimated', 'graph', 'weak']
            >>> p.record("urn:fact")["iri"], p.record("urn:fact")["tier"]
            ('urn:fact', 'primary')
        """
        return {"iri": iri, **self.to_dict()}


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """What the projection keeps of an entity for lookups and display."""

    id: str
    iri: str
    name: str
    types: tuple[str, ...]
    layer: str | None
    category: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SupplyInfo:
    """A Supply record, qualified or not."""

    iri: str
    input: str
    supplier: str
    consumer: str | None
    share: float | None
    qualification: str
    lead_time_days: int | None


@dataclass(frozen=True, slots=True)
class CapacityInfo:
    """A Capacity record: `amount` (to `amount_max` for a range) `unit` per `period` of `of`,
    held by `holder` (None: the whole market), for `year`, as written; `kind` says what it
    measures (`stackgraph.graph.units.KINDS`) and `canonical` is the amount in the canonical unit and period
    (None when the unit is not in the vocabulary)."""

    iri: str
    of: str
    holder: str | None
    amount: float
    amount_max: float | None
    unit: str
    period: str | None
    year: int | None
    note: str | None
    kind: str = "capacity"
    canonical: Canonical | None = None


@dataclass(frozen=True, slots=True)
class PerWafer:
    """A claim that one wafer gives `amount` of `count` (packages, dies) of `subject`: what
    turns a requirement of packages or dies into wafers."""

    iri: str
    subject: str
    count: str
    amount: float


@dataclass(frozen=True)
class Lookups:
    """Indexes of a snapshot's records: the supplies of each input (in record order), each
    supply by IRI, and the capacity records of each entity (as what they are of or as holder)."""

    supplies_by_input: Mapping[str, Sequence[SupplyInfo]]
    supply_by_iri: Mapping[str, SupplyInfo]
    capacities_by_entity: Mapping[str, Sequence[CapacityInfo]]

    @classmethod
    def of(cls, supplies: Sequence[SupplyInfo], capacities: Sequence[CapacityInfo]) -> Lookups:
        """Index `supplies` and `capacities`."""
        by_input: dict[str, list[SupplyInfo]] = {}
        for s in supplies:
            by_input.setdefault(s.input, []).append(s)
        by_entity: dict[str, list[CapacityInfo]] = {}
        for c in capacities:
            for slug in dict.fromkeys((c.of, c.holder)):
                if slug is not None:
                    by_entity.setdefault(slug, []).append(c)
        return cls(
            {k: tuple(v) for k, v in by_input.items()},
            {s.iri: s for s in supplies},
            {k: tuple(v) for k, v in by_entity.items()},
        )


@dataclass(frozen=True)
class Snapshot:
    """One version of the graph, projected: the dependency graph plus lookup tables.

    The tables are Python dicts and tuples when projected from the store, and read-only
    mappings and sequences decoded on access when mapped from a projection file
    (`stackgraph.graph.projection_file`); both answer alike."""

    version: str
    graph: DependencyGraph
    entities: Mapping[str, EntityInfo]
    provenance: Mapping[str, Provenance]
    supplies: Sequence[SupplyInfo]
    names: Mapping[str, str] = field(repr=False)
    """Normalised name or alias -> slug."""
    capacities: Sequence[CapacityInfo] = ()
    requirement_units: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Requirement record IRI -> the unit of its quantity."""
    per_wafer: Sequence[PerWafer] = ()
    lookups: Lookups | None = field(default=None, repr=False, compare=False)
    """Prebuilt `Lookups` (a mapped snapshot's); None: built from the tables when first used."""

    @functools.cached_property
    def index(self) -> Lookups:
        """The `Lookups` of this snapshot."""
        return self.lookups or Lookups.of(self.supplies, self.capacities)

    @functools.cached_property
    def words(self) -> dict[str, tuple[str, ...]]:
        """Each normalised word of a name or alias -> the slugs whose names hold it, sorted."""
        found: dict[str, set[str]] = {}
        for slug, e in self.entities.items():
            for name in (e.name, *e.aliases):
                for word in re.split(r"[\s/,;:()]+", name):
                    if key := normalise(word):
                        found.setdefault(key, set()).add(slug)
        return {k: tuple(sorted(v)) for k, v in found.items()}

    def capacities_of(self, slug: str, year: int | None = None) -> list[CapacityInfo]:
        """The capacity records of `slug`, as what they are of or as holder (of `year` only,
        when given), by year, then item, holder and record."""
        found = [
            c
            for c in self.index.capacities_by_entity.get(slug, ())
            if year is None or c.year == year
        ]
        found.sort(key=lambda c: (c.year or 0, c.of, c.holder or "", c.iri))
        return found
