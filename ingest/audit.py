"""Quality gates of a dataset and the measures of how far it answers the core question.

The gates are rules the bundled data keeps (``tests/test_data_gates.py`` fails on any finding):

- ``hbm-without-packaging``: a product that requires HBM also requires a packaging technology
  (an HBM stack reaches a product only on an interposer or bridge: CoWoS, EMIB, ...).
- ``same-category-alternatives``: an item that requires two or more inputs of one category among
  :data:`ALTERNATIVE_CATEGORIES`, or two or more facilities, states a quantity on each. Without
  one, the inputs are almost always alternatives in the world (fleets, rack generations, sites,
  model providers) and belong under one requirement with sourced shares: as two requirements,
  either one's outage would block the item.
- ``part-counted-twice``: an item does not state a quantity of an input both directly and
  through another of its requirements (a rack's superchips, and its compute trays that hold
  them): a bill of materials counts each part once, where it is assembled, or the deployable
  answer halves. Process nodes are exempt: two dies on one node are two parts.
- ``capacity-without-kind``: every capacity record says what it counts (a unit) and what the
  figure is (a kind).
- ``high-confidence-weak-source``: no fact of confidence ``high`` rests on a secondary or
  unclassified source.

The measures (:func:`measures`) count what the issue of quantified answers asks for: vendor
shares of HBM-using products, wafer and stack quantities of the flagships, power of campuses,
upstream inputs with suppliers, and the share of records that rest on secondary sources.

``python -m stackgraph.ingest.audit [PATH ...]`` ingests the sources (default: the bundled data) into a
store in memory and prints the findings and the measures; exit 1 when a gate fails or the input
is invalid (its problems on stderr, as ``stackgraph ingest`` names them).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from stackgraph.graph.analysis.parts import Requirement
from stackgraph.graph.namespace import META_GRAPH, PREFIXES
from stackgraph.graph.snapshot import Snapshot
from stackgraph.graph.store import Store, open_store
from stackgraph.graph.tiers import tier_of
from stackgraph.ingest.problems import InvalidInputError
from stackgraph.ingest.run import IngestOptions, ingest
from stackgraph.knowledge import KnowledgeGraph

__all__ = [
    "ALTERNATIVE_CATEGORIES",
    "FLAGSHIP_ACCELERATORS",
    "Finding",
    "Measure",
    "explicit",
    "findings",
    "hbm_items",
    "hbm_products",
    "main",
    "measures",
    "powered_campuses",
    "report",
]

DATA = Path(__file__).resolve().parent.parent / "data"

#: Categories whose members are, two at a time, alternatives unless a quantity says otherwise.
ALTERNATIVE_CATEGORIES = frozenset(
    {"accelerator", "inference-accelerator", "system", "service", "board"}
)

#: The accelerators of the flagship systems: each needs a wafer or stack quantity.
FLAGSHIP_ACCELERATORS = (
    "b200",
    "b300",
    "rubin",
    "mi355x",
    "tpu-v7-ironwood",
    "trainium2",
    "trainium3",
    "maia-200",
)

#: Categories of upstream inputs: tools, materials, substrates and design software.
UPSTREAM_CATEGORIES = frozenset({"equipment", "material", "substrate", "software"})
UPSTREAM_LAYERS = frozenset({"foundry", "memory", "packaging"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation of a gate: which gate, on what, and why."""

    gate: str
    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class Measure:
    """A coverage measure: ``part`` of ``whole`` (or a share), against the target it should meet."""

    name: str
    part: int
    whole: int
    target: str
    met: bool
    missing: tuple[str, ...] = ()

    @classmethod
    def counted(
        cls, name: str, whole: list[str], missing: list[str], target: str, share: float
    ) -> Measure:
        """The measure of ``whole`` less ``missing``, met when that is at least ``share`` of
        ``whole`` (and ``whole`` is not empty)."""
        have = len(whole) - len(missing)
        return cls(name, have, len(whole), target, have >= share * len(whole) > 0, tuple(missing))

    @property
    def percent(self) -> float:
        return 100 * self.part / self.whole if self.whole else 0.0


def explicit(snap: Snapshot, item: str) -> list[Requirement]:
    """The requirements of ``item`` stated by a record (not implied by an operator or family)."""
    return [r for r in snap.graph.requirements(item) if r.fact is not None]


def hbm_items(snap: Snapshot) -> set[str]:
    """Memory products named HBM: the family, its generations and the vendors' products."""
    return {
        e.id
        for e in snap.entities.values()
        if e.category == "memory" and any("hbm" in n.casefold() for n in (e.id, e.name, *e.aliases))
    }


def hbm_products(snap: Snapshot) -> list[str]:
    """Products (not memory themselves) with a requirement on an HBM item."""
    hbm = hbm_items(snap)
    return sorted(
        e.id
        for e in snap.entities.values()
        if "Product" in e.types
        and e.category != "memory"
        and any(r.input in hbm for r in snap.graph.requirements(e.id))
    )


def _packaged(snap: Snapshot, item: str) -> bool:
    return any(
        snap.entities[r.input].category == "packaging-technology"
        for r in snap.graph.requirements(item)
        if r.input in snap.entities
    )


def findings(kg: KnowledgeGraph) -> list[Finding]:
    """Every violation of the gates, by gate and subject."""
    snap = kg.snapshot()
    out = [
        Finding("hbm-without-packaging", p, "requires HBM but no packaging technology")
        for p in hbm_products(snap)
        if not _packaged(snap, p)
    ]
    out += _alternatives(snap)
    out += _counted_twice(snap)
    out += _capacities(kg.store)
    out += [
        Finding("high-confidence-weak-source", fact, f"confidence high from {p.tier}: {p.source}")
        for fact, p in sorted(snap.provenance.items())
        if p.confidence == "high" and p.tier in ("secondary", "unknown") and p.source
    ]
    return out


def _below(snap: Snapshot, item: str, seen: set[str] | None = None) -> set[str]:
    """What `item`'s quantified requirements reach, transitively."""
    seen = set() if seen is None else seen
    for r in snap.graph.requirements(item):
        if r.quantity is not None and r.input not in seen:
            seen.add(r.input)
            _below(snap, r.input, seen)
    return seen


def _held(snap: Snapshot, item: str, r: Requirement) -> bool:
    """Whether `r`'s input is reached through another quantified requirement of `item`."""
    return any(
        o.quantity is not None and o.id != r.id and r.input in _below(snap, o.input, {o.input})
        for o in snap.graph.requirements(item)
    )


def _counted_twice(snap: Snapshot) -> list[Finding]:
    out = []
    for item in sorted(snap.entities):
        for r in explicit(snap, item):
            e = snap.entities.get(r.input)
            if r.quantity is None or e is None or e.category == "process-node":
                continue
            if _held(snap, item, r):
                out.append(
                    Finding(
                        "part-counted-twice",
                        item,
                        f"states {r.quantity:g} of {r.input} directly and holds it through"
                        " another of its requirements: state it once, where it is assembled",
                    )
                )
    return out


def _alternatives(snap: Snapshot) -> list[Finding]:
    out = []
    for item in sorted(snap.entities):
        groups: dict[str, list[Requirement]] = defaultdict(list)
        for r in explicit(snap, item):
            e = snap.entities.get(r.input)
            # a part held by a quantified sub-assembly (a rack's superchips, in its trays) is
            # no alternative to it
            if e is None or (r.quantity is None and _held(snap, item, r)):
                continue
            if "Facility" in e.types:
                groups["facility"].append(r)
            elif e.category in ALTERNATIVE_CATEGORIES:
                groups[e.category].append(r)
        for category, reqs in sorted(groups.items()):
            bare = sorted(r.input for r in reqs if r.quantity is None)
            if len(reqs) >= 2 and bare:
                out.append(
                    Finding(
                        "same-category-alternatives",
                        item,
                        f"requires {len(reqs)} inputs of {category} without a quantity"
                        f" on {', '.join(bare)}: alternatives belong under one requirement"
                        " with sourced shares",
                    )
                )
    return out


def _capacities(store: Store) -> list[Finding]:
    rows = store.select(
        PREFIXES + "SELECT ?c ?unit ?kind WHERE { GRAPH ?g { ?c a sg:Capacity ."
        " OPTIONAL { ?c sg:unit ?unit } OPTIONAL { ?c sg:capacityKind ?kind } }"
        f" FILTER(?g != <{META_GRAPH}>) }} ORDER BY ?c"
    )
    return [
        Finding("capacity-without-kind", str(c), "no unit" if unit is None else "no kind")
        for c, unit, kind in rows
        if unit is None or kind is None
    ]


def measures(kg: KnowledgeGraph) -> list[Measure]:
    """How far the data answers "how many, and which layer binds", with the issue's targets."""
    snap = kg.snapshot()
    return [
        _hbm_shares(snap),
        _flagship_quantities(snap),
        _campus_power(kg.store, snap),
        _upstream(snap),
        _secondary(kg.store),
    ]


def _hbm_shares(snap: Snapshot) -> Measure:
    hbm = hbm_items(snap)
    products = hbm_products(snap)
    without = [
        p
        for p in products
        if not any(
            s.share is not None
            for r in snap.graph.requirements(p)
            if r.input in hbm
            for s in r.sources
        )
    ]
    return Measure.counted(
        "HBM-using products with vendor shares", products, without, "at least half", 0.5
    )


def _flagship_quantities(snap: Snapshot) -> Measure:
    hbm = hbm_items(snap)
    present = [f for f in FLAGSHIP_ACCELERATORS if f in snap.entities]
    without = [
        f
        for f in present
        if not any(
            r.quantity is not None
            and (r.input in hbm or snap.entities[r.input].category == "packaging-technology")
            for r in snap.graph.requirements(f)
            if r.input in snap.entities
        )
    ]
    return Measure(
        "flagship accelerators with packages per wafer or stacks per package",
        len(present) - len(without),
        len(present),
        "every one",
        not without,
        tuple(without),
    )


def powered_campuses(store: Store, snap: Snapshot) -> set[str]:
    """Entities with a power: a ``power_mw`` or a capacity in power units."""
    rows = store.select(
        PREFIXES + "SELECT DISTINCT ?x WHERE { GRAPH ?g { ?x sg:powerMw ?p } "
        f"FILTER(?g != <{META_GRAPH}>) }}"
    )
    powered = {str(x).rsplit("/", 1)[-1] for (x,) in rows}
    powered |= {
        c.of
        for c in snap.capacities
        if c.kind == "capacity" and c.canonical is not None and c.canonical.unit == "GW"
    }
    return powered


def _campus_power(store: Store, snap: Snapshot) -> Measure:
    campuses = sorted(
        e.id for e in snap.entities.values() if "Facility" in e.types and e.category == "datacenter"
    )
    powered = powered_campuses(store, snap)
    without = [c for c in campuses if c not in powered]
    return Measure.counted(
        "datacenter campuses with their power", campuses, without, "at least 80%", 0.8
    )


def _upstream(snap: Snapshot) -> Measure:
    inputs = sorted(
        e.id
        for e in snap.entities.values()
        if "Product" in e.types and e.category in UPSTREAM_CATEGORIES and e.layer in UPSTREAM_LAYERS
    )
    supplied = {s.input for s in snap.supplies if s.qualification == "qualified"}
    have = [i for i in inputs if i in supplied]
    return Measure(
        "upstream tool, material and design inputs with a supplier",
        len(have),
        len(inputs),
        "at least 60",
        len(have) >= 60,
        tuple(i for i in inputs if i not in supplied),
    )


def _secondary(store: Store) -> Measure:
    rows = store.select(
        PREFIXES + "SELECT DISTINCT ?x ?src WHERE { GRAPH ?g { ?x prov:wasDerivedFrom ?src } "
        f"FILTER(?g != <{META_GRAPH}>) }}"
    )
    tiers = Counter(tier_of(str(src)) for _, src in rows)
    weak = tiers["secondary"] + tiers["unknown"]
    total = sum(tiers.values())
    return Measure(
        "records resting on a secondary or unclassified source",
        weak,
        total,
        "under 10%",
        weak < 0.1 * total,
    )


def report(found: Iterable[Finding], measured: Iterable[Measure]) -> str:
    """Findings by gate, then the measures, as plain text."""
    lines: list[str] = []
    by_gate: dict[str, list[Finding]] = defaultdict(list)
    for f in found:
        by_gate[f.gate].append(f)
    for gate, items in sorted(by_gate.items()):
        lines.append(f"{gate}: {len(items)}")
        lines += [f"  {f.subject}: {f.detail}" for f in items]
    if not by_gate:
        lines.append("every gate holds")
    lines.append("")
    for m in measured:
        mark = "ok " if m.met else "gap"
        lines.append(f"{mark} {m.name}: {m.part} of {m.whole} ({m.percent:.1f}%; {m.target})")
        if m.missing and not m.met:
            lines.append("    missing: " + ", ".join(m.missing))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stackgraph.ingest.audit", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, default=[DATA])
    args = parser.parse_args(argv)
    with open_store("memory:") as store:
        try:
            ingest(IngestOptions(paths=args.paths), store=store)
        except InvalidInputError as exc:
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            print(f"error: {len(exc.problems)} problem(s); nothing audited", file=sys.stderr)
            return 1
        kg = KnowledgeGraph(store)
        found = findings(kg)
        print(report(found, measures(kg)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
