"""How many units of the targets the recorded capacities allow in a year, which layer binds,
and what a shortage costs: `stackgraph.graph.analysis.deployable` on the snapshot's facts.

From the snapshot, for the year asked:

- **capacities**: every Capacity record of kind ``capacity`` for that year with a canonical
  unit. Each figure for the whole market (no holder) is one estimate of the item's total, the
  holders' figures added up another; sources that disagree give a range: the low answer takes
  the lowest estimate, the high answer the highest. A figure for a year may be the year's
  output or its run rate at the year's end, as its source says (see each fact's note). A rate (per month) is scaled to the period asked; a stock
  (GW of power, with no period) bounds the units of any period as it is.
- **quantities**: a requirement's quantity in its unit, converted to the unit of its input's
  capacity: by the units' own ratio (MW to GW), or, for packages and dies of a wafer, by the
  item's sourced per-wafer claims (`packages_per_cowos_wafer`, `dies_per_wafer`; disagreeing
  claims give a range). A quantity that no fact converts is a named gap, not a guess.
- **shortages**: ``ID=FACTOR`` scales an item's capacity (``0.8`` is 80 %); ``ID=AMOUNT UNIT``
  sets it, in its canonical unit per month. A factor on an item without a capacity figure
  has nothing to scale and changes nothing (the answer says so): what it makes now is not
  recorded, and its output in the baseline is only what the other capacities let it make.

The answer is a range, low to high, with the binding capacities of the low answer (and of the
high one), the inputs that bound nothing, the gaps and the facts behind every figure. For a
disrupted item (a shortage to 0) it gives the time to recover and the time to survive as
Simchi-Levi, Schmidt and Wei define them ("From superstorms to factory fires", Harvard Business
Review, 2014; Simchi-Levi et al., "Identifying risks and mitigating disruptions in the
automotive supply chain", Interfaces 45(5), 2015): the time until the node is back at full
capacity, and the time the targets can keep shipping from inventories without it. Each is
given only where the graph records the time or the inventory, and names the missing fact where
it does not.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stackgraph.graph import analysis
from stackgraph.graph.answers import Bound, DeployAnswer
from stackgraph.graph.arguments import PERIODS, Shortage
from stackgraph.graph.snapshot import CapacityInfo, Snapshot
from stackgraph.graph.units import canonical, parse_unit

__all__ = ["answer"]


@dataclass
class _Capacity:
    unit: str
    stock: bool
    low: float
    high: float
    holders: list[str | None]
    facts: list[str]
    allocation: str | None = None


def _low(c: CapacityInfo) -> float:
    return c.canonical.amount if c.canonical else c.amount


def _high(c: CapacityInfo) -> float:
    if c.canonical is None:
        return c.amount_max or c.amount
    return c.canonical.amount_max or c.canonical.amount


def _allocate(snap: Snapshot, year: int, holder: str, out: dict[str, _Capacity]) -> None:
    """Cap each item's capacity at `holder`'s recorded allocation of it for `year`, where one
    is recorded in the same unit: the targets get that share, the other consumers the rest."""
    found: dict[str, list[CapacityInfo]] = defaultdict(list)
    for c in snap.capacities:
        if c.kind == "allocation" and c.year == year and c.holder == holder and c.canonical:
            found[c.of].append(c)
    for item, records in found.items():
        cap = out.get(item)
        unit = records[0].canonical.unit if records[0].canonical else ""
        records = [c for c in records if c.canonical and c.canonical.unit == unit]
        low, high = min(map(_low, records)), max(map(_high, records))
        stock = records[0].canonical is not None and records[0].canonical.period is None
        if cap is None:
            cap = out[item] = _Capacity(unit, stock, low, high, [holder], [], holder)
        elif cap.unit != unit:
            continue
        mine = [c.iri for c in records]
        # the allocation's records alone where it sets both ends, else beside the capacity's
        cap.facts = mine if high <= cap.low else cap.facts + mine
        cap.low, cap.high = min(cap.low, low), min(cap.high, high)
        cap.allocation = holder


def _capacities(snap: Snapshot, year: int) -> dict[str, _Capacity]:
    """Per item, its capacity for `year` in one canonical unit, as a range over the estimates
    of its total: each figure for the whole market, and the holders' figures added up (the
    lowest of each holder's for the low end, the highest for the high end)."""
    by_item: dict[str, list[CapacityInfo]] = defaultdict(list)
    for c in snap.capacities:
        if c.kind == "capacity" and c.year == year and c.canonical is not None:
            by_item[c.of].append(c)
    out: dict[str, _Capacity] = {}
    for item, found in by_item.items():
        units = [c.canonical.unit for c in found if c.canonical]
        unit = max(set(units), key=units.count)
        found = [c for c in found if c.canonical and c.canonical.unit == unit]
        market = [c for c in found if c.holder is None]
        groups: dict[str | None, list[CapacityInfo]] = defaultdict(list)
        for c in found:
            if c.holder is not None:
                groups[c.holder].append(c)
        # each market figure is one estimate of the total, the holders' figures added up another
        totals = [(_low(c), _high(c)) for c in market]
        if groups:
            totals.append(
                (
                    sum(min(map(_low, g)) for g in groups.values()),
                    sum(max(map(_high, g)) for g in groups.values()),
                )
            )
        stock = all(c.canonical is not None and c.canonical.period is None for c in found)
        out[item] = _Capacity(
            unit,
            stock,
            min(t[0] for t in totals),
            max(t[1] for t in totals),
            sorted(groups, key=str),
            [c.iri for c in found],
        )
    return out


def _coefficients(
    snap: Snapshot, caps: Mapping[str, _Capacity]
) -> tuple[dict[str, tuple[float, float]], list[dict[str, Any]], dict[str, list[str]]]:
    """Per requirement id, its quantity in its input's capacity unit (most and least per unit:
    the low answer takes the most), the gaps where no fact converts it, and the per-wafer facts
    each conversion rests on."""
    per_wafer: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for p in snap.per_wafer:
        per_wafer[(p.subject, p.count)].append((p.amount, p.iri))
    coef: dict[str, tuple[float, float]] = {}
    gaps: list[dict[str, Any]] = []
    facts: dict[str, list[str]] = {}
    g = snap.graph
    for item in g.ids:
        for r in g.requirements(item):
            if r.quantity is None:
                continue
            unit = snap.requirement_units.get(r.fact or "")
            cap = caps.get(r.input)
            if cap is None or unit is None:
                coef[r.id] = (r.quantity, r.quantity)
                continue
            c = canonical(r.quantity, None, unit, None)
            if c is not None and c.unit == cap.unit:
                coef[r.id] = (c.amount, c.amount)
                continue
            count = parse_unit(unit).name
            yields = per_wafer.get((item, count), []) if cap.unit == "wafer" else []
            if yields:
                most, least = max(a for a, _ in yields), min(a for a, _ in yields)
                coef[r.id] = (r.quantity / least, r.quantity / most)
                facts[r.id] = [iri for _, iri in yields]
                continue
            coef[r.id] = (math.nan, math.nan)
            gaps.append(
                {
                    "requirement": r.id,
                    "item": item,
                    "input": r.input,
                    "quantity": r.quantity,
                    "unit": count,
                    "capacity_unit": cap.unit,
                    "missing": f"{count}s of {item} per {cap.unit} of {r.input}",
                }
            )
    return coef, gaps, facts


def _changed(
    snap: Snapshot,
    shortages: Sequence[Shortage],
    caps: Mapping[str, _Capacity],
    months: int,
) -> tuple[list[dict[str, float]], list[dict[str, Any]]]:
    """The capacities a scenario sets, for the low and the high answer, and how each shortage
    was applied."""
    out: list[dict[str, float]] = [{}, {}]
    applied = []
    for s in shortages:
        cap = caps.get(s.item)
        how: str
        if s.amount is not None:
            c = canonical(s.amount, None, s.unit or "unit", "month")
            if cap is not None and (c is None or c.unit != cap.unit):
                raise ValueError(
                    f"shortage of {s.item!r}: {s.amount:g} {s.unit} is not in the unit of its"
                    f" capacity ({cap.unit} per month)"
                )
            value = (c.amount if c is not None else s.amount) * (
                1 if cap is not None and cap.stock else months
            )
            out[0][s.item] = out[1][s.item] = value
            how = "capacity set"
        elif cap is not None:
            scale = 1 if cap.stock else months
            out[0][s.item] = (s.factor or 0.0) * cap.low * scale
            out[1][s.item] = (s.factor or 0.0) * cap.high * scale
            how = "capacity scaled"
        else:
            how = (
                "no capacity figure for the year: a factor has nothing to scale (it bounds"
                " nothing); give an amount (ID=AMOUNT UNIT)"
            )
        applied.append(
            {"item": s.item, "factor": s.factor, "amount": s.amount, "unit": s.unit, "applied": how}
        )
    return out, applied


def _recovery(
    snap: Snapshot, shortages: Sequence[Shortage], lost: Mapping[str, Mapping[str, float]]
) -> list[dict[str, Any]]:
    """Time to recover and time to survive of each item that a shortage takes out."""
    out = []
    for s in shortages:
        if (s.factor if s.factor is not None else s.amount) != 0:
            continue
        path = analysis.critical_path(snap.graph, s.item)
        known = path.total_days > 0
        missing = [] if known else [f"the lead time or build time of {s.item}"]
        loses = any(v.get("high", 0.0) > 0 for v in lost.values())
        if loses:
            missing.append(f"inventories of {s.item} and of what it goes into (weeks of supply)")
        out.append(
            {
                "item": s.item,
                "time_to_recover_days": path.total_days if known else None,
                "recover_basis": "its critical path (order to delivery, its inputs included);"
                " a lower bound where a step has no time"
                if known
                else None,
                "time_to_survive_days": None,
                "survive_basis": None
                if loses
                else "indefinitely: the targets lose nothing without it at these capacities",
                "missing": missing,
            }
        )
    return out


def answer(
    snap: Snapshot,
    targets: Mapping[str, float],
    *,
    year: int,
    per: str = "quarter",
    shortages: Sequence[Shortage] = (),
    substitution: bool = False,
    allocation: str | None = None,
) -> DeployAnswer:
    """Deployable units of `targets` (ids -> units per mix) per `per` in `year`, under
    `shortages` (resolved ids), as a range with its binding capacities (module docstring).
    With `allocation` (an organisation's id), each capacity is capped at that organisation's
    recorded allocation of it for the year: the targets get its share, other consumers theirs.

    Raises:
        ValueError: an unknown period, or a shortage's amount not in its item's unit.
    """
    if per not in PERIODS:
        raise ValueError(f"unknown period {per!r}; expected one of {', '.join(PERIODS)}")
    months = PERIODS[per]
    caps = _capacities(snap, year)
    if allocation is not None:
        _allocate(snap, year, allocation, caps)
    coef, gaps, conversion = _coefficients(snap, caps)

    def solve(w: int, changed: Mapping[str, float] | None = None) -> analysis.Deployable:
        capacity = {
            i: (c.low if w == 0 else c.high) * (1 if c.stock else months) for i, c in caps.items()
        }
        capacity.update(changed or {})
        q = {rid: v[w] for rid, v in coef.items()}
        return analysis.deployable(
            snap.graph, targets, capacity, quantities=q, substitution=substitution
        )

    base = [solve(0), solve(1)]
    result = base
    applied: list[dict[str, Any]] = []
    if shortages:
        changed, applied = _changed(snap, shortages, caps, months)
        result = [solve(0, changed[0]), solve(1, changed[1])]
    units = {t: _span(result, t) for t in targets}
    lost = {}
    if shortages:
        lost = {
            t: {
                k: (b or 0.0) - (s or 0.0)
                for k, b, s in zip(("low", "high"), _pair(base, t), _pair(result, t), strict=True)
            }
            for t in targets
        }
    rows = _rows(snap, result, caps, months)
    binding_layers: list[str | None] = []
    for r in rows:
        if r.binding and r.layer not in binding_layers:
            binding_layers.append(r.layer)
    low = result[0]
    reached = set(low.reached)
    conversions = {
        rid: [snap.provenance[i].record(i) for i in iris if i in snap.provenance]
        for rid, iris in conversion.items()
        if rid.split("/", 1)[0] in low.output
    }
    summary: dict[str, Any] = {
        "targets": dict(targets),
        "year": year,
        "per": per,
        "substitution": substitution,
        "allocation": allocation,
        "status": low.status,
        "units": units,
        "unit": {t: f"units of {t} per {per}" for t in targets},
        "binding_layers": binding_layers,
        "unbounded": [_named(snap, i) for i in low.unbounded],
        "unquantified": list(low.unquantified),
        "gaps": [gap for gap in gaps if gap["item"] in reached],
        "conversions": conversions,
        # binding capacities and conversions on the path whose every fact is weak
        "weak": [r.id for r in rows if r.binding and r.facts and all(f["weak"] for f in r.facts)]
        + [rid for rid, facts in conversions.items() if all(f["weak"] for f in facts)],
        "shortages": applied,
        "version": snap.version,
    }
    if shortages:
        summary["baseline"] = {t: _span(base, t) for t in targets}
        summary["lost"] = lost
        summary["recovery"] = _recovery(snap, shortages, lost)
    return DeployAnswer(rows, summary)


def _pair(found: Sequence[analysis.Deployable], t: str) -> tuple[float | None, float | None]:
    return found[0].units.get(t), found[1].units.get(t)


def _span(found: Sequence[analysis.Deployable], t: str) -> dict[str, float | None]:
    low, high = _pair(found, t)
    return {"low": low, "high": high}


def _named(snap: Snapshot, item: str) -> dict[str, Any]:
    info = snap.entities.get(item)
    return {
        "id": item,
        "name": item if info is None else info.name,
        "layer": None if info is None else info.layer,
    }


def _rows(
    snap: Snapshot,
    result: Sequence[analysis.Deployable],
    caps: Mapping[str, _Capacity],
    months: int,
) -> list[Bound]:
    high = {(c.item, c.supplier): c for c in result[1].constraints}
    out = []
    for c in result[0].constraints:
        cap = caps[c.item]
        scale = 1 if cap.stock else months
        h = high.get((c.item, c.supplier), c)
        facts = [snap.provenance[i].record(i) for i in cap.facts if i in snap.provenance]
        named = _named(snap, c.item)
        out.append(
            Bound(
                id=c.item,
                name=named["name"],
                layer=named["layer"],
                holder=c.supplier or cap.allocation,
                unit=cap.unit,
                per=None if cap.stock else "month",
                capacity_low=c.capacity / scale,
                capacity_high=h.capacity / scale,
                used=c.used / scale,
                utilisation=round(c.utilisation, 6),
                shadow_price_low=c.shadow_price * scale,
                shadow_price_high=h.shadow_price * scale,
                binding=c.binding or h.binding,
                facts=facts,
            )
        )
    return out
