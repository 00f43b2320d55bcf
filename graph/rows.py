"""The rows of the Python API's tables: one typed record per kind of row, for every client.

A row is a frozen dataclass that reads like a mapping (``row["name"]`` and ``row.name``) and
equals a dict of the same items, so code written for dict rows keeps working; `Table.to_dicts()`
gives plain dicts for JSON. An item the graph names but no record describes is named by its id. The local client
builds rows from the analyses, the remote client from the server's answers; both build the same
records, so a table from either compares equal.

    >>> row = Chokepoint("cowos", "CoWoS", "packaging", "packaging", 3, ["b200", "mi355x", "tpu"])
    >>> row["name"], row.end_products_blocked, list(row)[:3]
    ('CoWoS', 3, ['id', 'name', 'layer'])
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from stackgraph.graph.units import Canonical

if TYPE_CHECKING:
    from stackgraph.graph import analysis
    from stackgraph.graph.snapshot import CapacityInfo

    Facts = Callable[..., list["Fact"]]
    """Provenance of fact IRIs (None and unknown IRIs skipped)."""

__all__ = [
    "Affected",
    "Capacity",
    "Chokepoint",
    "Entity",
    "Fact",
    "PathStep",
    "Reached",
    "Requirement",
    "Row",
    "SinglePoint",
    "Source",
    "Supply",
]

Fact = dict[str, Any]
"""The provenance of one fact: iri, source (URL), tier, as_of, confidence, estimated, graph and
weak (too weak to rest a conclusion on alone: low confidence, or a secondary or unknown source)."""


class Row(Mapping[str, Any]):
    """A typed row that also reads as a mapping of its fields, in the table's column order."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        if key not in self.fields():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields())

    def __len__(self) -> int:
        return len(self.fields())

    def __eq__(self, other: object) -> bool:
        # Equal to a row of the same kind, and to a plain mapping with the same items (as the
        # dicts these rows replaced were); rows are mutable-valued, so they are not hashable.
        if isinstance(other, Row) and type(other) is not type(self):
            return False
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """The field names, which are the table's columns."""
        found: tuple[str, ...] | None = cls.__dict__.get("_fields")
        if found is None:
            found = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
            cls._fields = found  # type: ignore[attr-defined]
        return found


@dataclass(frozen=True, eq=False)
class Entity(Row):
    """An entity as a search lists it."""

    id: str
    name: str
    types: list[str]
    layer: str | None
    category: str | None
    aliases: list[str]


class Affected(Row):
    """An item that a scenario blocks or constrains, with the chain of facts that explains it.

    Its availability is a range, `low` to `high`: a point where every share on the way is
    sourced, wider where some are not (DESIGN §3). Each step of `explanation` lists the shares
    of its requirement's sources (`shares`: supplier, share or None, low, high, provenance).

    The chain (`root_cause`, `chain`, `explanation`) may be given, or computed by `explain` when
    first read: ranking and paging a scenario that reaches half a large graph then costs the
    chains of the rows someone reads, not of all of them. (Two threads reading a fresh row at
    once may both compute it; they get the same answer.)
    """

    __slots__ = ("_explain", "_values")

    _cheap = (
        "id",
        "name",
        "layer",
        "status",
        "low",
        "high",
        "binding_requirement",
    )
    _chain = ("root_cause", "chain", "explanation")
    _all = (*_cheap, *_chain, "category")

    def __init__(
        self,
        *,
        id: str,
        name: str,
        layer: str | None,
        category: str | None,
        status: str,
        low: float,
        high: float,
        binding_requirement: str | None,
        root_cause: str | None = None,
        chain: list[str] | None = None,
        explanation: list[dict[str, Any]] | None = None,
        explain: Callable[[], tuple[str | None, list[str], list[dict[str, Any]]]] | None = None,
    ) -> None:
        if explain is None and (chain is None or explanation is None):
            raise ValueError("give the chain and its explanation, or a way to explain them")
        self._values: dict[str, Any] = {
            "id": id,
            "name": name,
            "layer": layer,
            "status": status,
            "low": low,
            "high": high,
            "binding_requirement": binding_requirement,
            "category": category,
        }
        if explain is None:
            self._values.update(root_cause=root_cause, chain=chain, explanation=explanation)
        self._explain = explain

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return cls._all

    def __getitem__(self, key: str) -> Any:
        if key in self._chain and key not in self._values:
            assert self._explain is not None
            root, chain, explanation = self._explain()
            self._values.update(root_cause=root, chain=chain, explanation=explanation)
        if key == "availability":
            warnings.warn(
                "the availability of an affected item is a range now: read low and high",
                DeprecationWarning,
                stacklevel=2,
            )
            return self._values["low"]
        if key not in self._all:
            raise KeyError(key)
        return self._values[key]

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __repr__(self) -> str:
        cheap = ", ".join(f"{k}={self._values[k]!r}" for k in ("id", "status", "low", "high"))
        return f"Affected({cheap})"


@dataclass(frozen=True, eq=False)
class PathStep(Row):
    """One step of a critical path, target first, in days; `weak` when its figure rests on a
    low-confidence fact or a secondary or unknown source."""

    node: str
    name: str
    kind: str
    requirement: str | None
    days: int
    cumulative: int
    lead_time_known: bool
    provenance: Fact | None
    weak: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weak", bool(self.provenance and self.provenance.get("weak")))


@dataclass(frozen=True, eq=False)
class SinglePoint(Row):
    """An item whose loss alone blocks the target; `path` from the target down to it; `weak`
    when a fact of that chain is low-confidence or from a secondary or unknown source."""

    id: str
    name: str | None
    layer: str | None
    category: str | None
    path: list[str]
    facts: list[Fact]
    weak: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "weak", any(f.get("weak") for f in self.facts))

    @classmethod
    def of(cls, s: analysis.SinglePointOfFailure, facts: Facts) -> SinglePoint:
        """The row of an analysis result; `facts` gives the provenance of fact IRIs."""
        return cls(
            id=s.id,
            name=s.id if s.name is None else s.name,
            layer=s.layer,
            category=s.category,
            path=list(s.path),
            facts=facts(*s.via_facts),
        )


@dataclass(frozen=True, eq=False)
class Chokepoint(Row):
    """An item that alone can block `end_products_blocked` end products."""

    id: str
    name: str | None
    layer: str | None
    category: str | None
    end_products_blocked: int
    end_products: list[str]

    @classmethod
    def of(cls, c: analysis.Chokepoint) -> Chokepoint:
        """The row of an analysis result."""
        name = c.id if c.name is None else c.name
        return cls(c.id, name, c.layer, c.category, c.count, list(c.end_products))


@dataclass(frozen=True, eq=False)
class Reached(Row):
    """An item reached by a dependency or dependent walk, with one shortest path to it."""

    id: str
    name: str | None
    layer: str | None
    category: str | None
    depth: int
    path: list[str]
    via_facts: list[str]

    @classmethod
    def of(cls, r: analysis.Reached) -> Reached:
        """The row of an analysis result."""
        name = r.id if r.name is None else r.name
        return cls(r.id, name, r.layer, r.category, r.depth, list(r.path), list(r.via_facts))


@dataclass(frozen=True, eq=False)
class Capacity(Row):
    """A sourced figure of a capacity record: `amount` (to `amount_max`) `unit` per `period` as
    the source gives it; `kind` says what it measures (capacity, shipments, demand, allocation,
    backlog, installed-base); `canonical_*` is the same figure in the canonical unit and period
    (per month for rates, GW for power; None when the unit is not in the vocabulary), and
    `converted` says whether getting there changed the number."""

    of: str
    of_name: str
    holder: str | None
    holder_name: str | None
    year: int | None
    kind: str
    amount: float
    amount_max: float | None
    unit: str
    period: str | None
    canonical_amount: float | None
    canonical_amount_max: float | None
    canonical_unit: str | None
    canonical_period: str | None
    converted: bool
    estimated: bool
    confidence: str | None
    as_of: str | None
    source: str | None
    tier: str | None
    note: str | None

    @classmethod
    def from_record(
        cls, c: CapacityInfo, name: Callable[[str], str], provenance: Fact | None
    ) -> Capacity:
        """The row of a capacity record; `name` names an entity, `provenance` is the record's."""
        p = provenance or {}
        return cls(
            of=c.of,
            of_name=name(c.of),
            holder=c.holder,
            holder_name=None if c.holder is None else name(c.holder),
            year=c.year,
            kind=c.kind,
            amount=c.amount,
            amount_max=c.amount_max,
            unit=c.unit,
            period=c.period,
            **Canonical.columns(c.canonical),
            estimated=bool(p.get("estimated")),
            confidence=p.get("confidence"),
            as_of=p.get("as_of"),
            source=p.get("source"),
            tier=p.get("tier"),
            note=c.note,
        )

    @staticmethod
    def spread(found: Iterable[Capacity]) -> list[dict[str, Any]]:
        """How far the sources' figures disagree: per item, kind, year and canonical unit and
        period (and holder, for allocations: each is one holder's), the lowest and highest
        figure (ranges count by their ends), how many records and distinct sources give one,
        and how many of those sources are of each tier.

        >>> a = dict.fromkeys(Capacity.fields())
        >>> a |= dict(of="x", kind="capacity", year=2026, canonical_unit="wafer",
        ...           canonical_period="month", source="https://a.example/", tier="press")
        >>> rows = [Capacity(**a | {"canonical_amount": 88000.0}),
        ...         Capacity(**a | {"canonical_amount": 120000.0, "canonical_amount_max": 130000.0,
        ...                         "source": "https://b.example/", "tier": "secondary"})]
        >>> Capacity.spread(rows)  # doctest: +NORMALIZE_WHITESPACE
        [{'of': 'x', 'holder': None, 'kind': 'capacity', 'year': 2026, 'unit': 'wafer',
          'period': 'month', 'low': 88000.0, 'high': 130000.0, 'records': 2, 'sources': 2,
          'tiers': {'press': 1, 'secondary': 1}}]
        """
        groups: dict[tuple[Any, ...], list[Capacity]] = {}
        for r in found:
            if r.canonical_amount is not None:
                holder = r.holder if r.kind == "allocation" else None
                key = (r.of, holder, r.kind, r.year, r.canonical_unit, r.canonical_period)
                groups.setdefault(key, []).append(r)
        out = []
        for (of, holder, kind, year, unit, period), members in groups.items():
            sources = {r.source: r.tier or "unknown" for r in members}
            tiers: dict[str, int] = {}
            for tier in sources.values():
                tiers[tier] = tiers.get(tier, 0) + 1
            out.append(
                {
                    "of": of,
                    "holder": holder,
                    "kind": kind,
                    "year": year,
                    "unit": unit,
                    "period": period,
                    "low": min(
                        r.canonical_amount for r in members if r.canonical_amount is not None
                    ),
                    "high": max(
                        r.canonical_amount_max or r.canonical_amount or 0.0 for r in members
                    ),
                    "records": len(members),
                    "sources": len(sources),
                    "tiers": dict(sorted(tiers.items())),
                }
            )
        return out


@dataclass(frozen=True, eq=False)
class Supply(Row):
    """A source of an input: who supplies it, to whom (None: everyone), at which share."""

    supplier: str
    consumer: str | None
    share: float | None
    qualification: str
    lead_time_days: int | None
    provenance: Fact | None


@dataclass(frozen=True, eq=False)
class Source(Row):
    """A qualified source of a requirement: who supplies the input, at which share."""

    supplier: str
    share: float | None
    qualification: str
    lead_time_days: int | None
    provenance: Fact | None


@dataclass(frozen=True, eq=False)
class Requirement(Row):
    """What an item needs (AND), with the qualified sources that can meet it (OR)."""

    id: str
    input: str
    quantity: float | None
    lead_time_days: int | None
    sources: list[Source]
    provenance: Fact | None
