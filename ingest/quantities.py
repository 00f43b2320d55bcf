"""Units, periods and kinds of the amounts a run writes: what a capacity or a quantity may say.

The rules (data/README.md, "Units and kinds"), each refused with file, line, field and what
would be right:

- a unit is one of the project's vocabulary (`graph/units.txt`): never money, never with the
  period inside it ("wafers/month");
- a requirement's quantity has a unit, and a unit has a quantity;
- a claim of days (`lead_time_days`, `stage_time_days`, `construction_time_days`) is a number
  from 0 to a century;
- a rate (`kind` capacity, shipments, demand, allocation) has a period, except in power units,
  a power being a rate in itself; a stock (backlog, installed-base) has none;
- `kind: capacity` is a rate of what can be made or delivered. In power units with no period it
  is the power a facility or an energy supply can deliver; of anything else (a turbine, a
  transformer) such a figure is a stock, which needs a period or the kind it is (the "100 GW of
  gas turbines" that was a backlog). A capacity whose note speaks of a backlog or of demand is
  refused until its kind says which it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from rdflib import URIRef

from stackgraph.graph.namespace import ID, META_GRAPH, PREFIXES
from stackgraph.graph.store import Store
from stackgraph.graph.units import (
    COUNTS,
    RATE_KINDS,
    STOCK_KINDS,
    Unit,
    UnknownUnitError,
    parse_unit,
)
from stackgraph.ingest.entities import ENTITY_TYPES
from stackgraph.ingest.problems import Problem
from stackgraph.ingest.records import ValidRecord

__all__ = ["EntityKinds", "check_quantities", "entity_kinds"]

EntityKinds = Mapping[str, tuple[str, str | None]]
"""An entity's class and category (None for organizations), by slug."""

_VOCABULARY = (
    f"a count ({', '.join(COUNTS)}), a power (W, kW, MW, GW), an energy (Wh ... GWh) or data"
    " (GB, Gb), singular or plural; see data/README.md"
)
_NOT_CAPACITY = re.compile(r"\b(backlogs?|order book|demand)\b", re.IGNORECASE)


def entity_kinds(
    valid: Mapping[str, list[ValidRecord]], store: Store, run_graphs: set[str]
) -> dict[str, tuple[str, str | None]]:
    """The class and category of every entity of the run and of the store outside its graphs.

    Args:
        valid: the valid records of each source of the run.
        store: the store the run writes to.
        run_graphs: the named graphs the run replaces (their stored entities are not read).
    """
    found: dict[str, tuple[str, str | None]] = {}
    types = " ".join(f"<{t}>" for t in ENTITY_TYPES)
    rows = store.select(
        PREFIXES
        + "SELECT ?g ?s ?t ?c WHERE { GRAPH ?g { ?s a ?t . VALUES ?t { "
        + types
        + " } OPTIONAL { ?s sg:category ?c } } }"
    )
    for g, s, t, c in rows:
        if str(g) in run_graphs or str(g) == str(META_GRAPH) or not str(s).startswith(str(ID)):
            continue
        found[str(s)[len(str(ID)) :]] = (
            ENTITY_TYPES[URIRef(str(t))],
            None if c is None else str(c),
        )
    for records in valid.values():
        for record in records:
            if record.cls.is_entity:
                model = record.model
                found[str(getattr(model, "id"))] = (  # noqa: B009
                    record.cls.name,
                    getattr(model, "category", None),
                )
    return found


def check_quantities(
    record: ValidRecord, refs: Mapping[str, Any], kinds: EntityKinds
) -> list[Problem]:
    """The problems of the unit, period and kind of a capacity or requirement record.

    Args:
        record: a valid record of any class (only capacities and requirements have rules).
        refs: its references resolved to slugs (an unresolved one is None or absent).
        kinds: the class and category of the entities, from `entity_kinds`.
    """
    if record.cls.name == "Capacity":
        return _capacity(record, refs, kinds)
    if record.cls.name == "Requirement":
        return _requirement(record)
    if record.cls.name == "Claim" and getattr(record.model, "property", "") in DAY_CLAIMS:
        return _days(record)
    return []


DAY_CLAIMS = frozenset({"lead_time_days", "stage_time_days", "construction_time_days"})
"""Claims whose value is a number of days: the analyses read them as lead and stage times."""
MAX_DAYS = 36525
"""The longest time in days a record may give: a century."""


def _days(record: ValidRecord) -> list[Problem]:
    value = str(getattr(record.model, "value", ""))
    try:
        days = float(value)
    except ValueError:
        days = math.nan
    if math.isfinite(days) and 0 <= days <= MAX_DAYS:
        return []
    return [
        _problem(
            record,
            "value",
            value,
            f"got {value!r}; expected a number of days from 0 to {MAX_DAYS} (a century)",
        )
    ]


def _problem(record: ValidRecord, field: str, value: Any, message: str) -> Problem:
    return Problem(
        record.raw.file or record.source.display,
        record.raw.line_of(field),
        message,
        field=field,
        value=value,
        record=record.label,
    )


def _unit(record: ValidRecord, text: str, what: str) -> Unit | Problem:
    """The unit of a record, or the problem with it (unknown, with a period, or money)."""
    try:
        unit = parse_unit(text)
    except UnknownUnitError as exc:
        hint = f"closest: {', '.join(exc.suggestions)}; " if exc.suggestions else ""
        return _problem(
            record, "unit", text, f"got {text!r}, which {exc.reason}; {hint}expected {_VOCABULARY}"
        )
    if unit.measure == "money":
        return _problem(
            record,
            "unit",
            text,
            f"got {text!r}, a money amount, which is never {what}: revenue and prices go in a"
            " claim, the value of a deal in `value` and `value_unit`; expected what is made,"
            f" delivered or needed, in {_VOCABULARY}",
        )
    return unit


def _capacity(record: ValidRecord, refs: Mapping[str, Any], kinds: EntityKinds) -> list[Problem]:
    model = record.model
    # a record without a kind (written before kinds) is read as a capacity
    kind, period = getattr(model, "kind") or "capacity", getattr(model, "period")  # noqa: B009
    unit = _unit(record, str(getattr(model, "unit")), f"a {kind} figure")  # noqa: B009
    if isinstance(unit, Problem):
        return [unit]
    problems = []
    if kind in STOCK_KINDS and period is not None:
        problems.append(
            _problem(
                record,
                "period",
                period,
                f"got {period!r}, but a {kind} is a stock at a date and has no period: drop"
                f" `period`, or, if the figure is an amount per {period}, give the rate kind it"
                f" is ({', '.join(RATE_KINDS)})",
            )
        )
    if kind in RATE_KINDS and period is None and unit.measure != "power":
        problems.append(
            _problem(
                record,
                "period",
                None,
                f"is missing: a {kind} figure in {unit.text!r} is an amount per period; give"
                " period: month, quarter or year (a stock of orders not yet delivered is"
                " kind: backlog, of units in operation kind: installed-base)",
            )
        )
    if kind == "capacity" and period is None and unit.measure == "power":
        of = refs.get("of")
        cls, category = kinds.get(of, ("", None)) if isinstance(of, str) else ("", None)
        if cls and cls != "Facility" and category != "energy":
            problems.append(
                _problem(
                    record,
                    "kind",
                    kind,
                    f"got 'capacity' in {unit.text!r} with no period for {of!r}, a"
                    f" {category or cls}: only a facility or an energy supply has a power"
                    " capacity of its own (what it can deliver). For a made product give the"
                    f" period ({unit.text} made per year), or the kind the figure is: backlog"
                    " (orders not yet delivered) or installed-base (units in operation)",
                )
            )
    note = getattr(model, "note") or ""  # noqa: B009
    if kind == "capacity" and (said := _NOT_CAPACITY.search(note)):
        problems.append(
            _problem(
                record,
                "kind",
                kind,
                f"got 'capacity', but the note speaks of {said.group(0)!r}: orders not yet"
                " delivered are kind: backlog, what buyers want or order per period kind:"
                " demand, a holder's reserved part kind: allocation; give the kind the figure"
                " is (or reword the note if it is a capacity)",
            )
        )
    return problems


def _requirement(record: ValidRecord) -> list[Problem]:
    model = record.model
    quantity, text = getattr(model, "quantity"), getattr(model, "unit")  # noqa: B009
    if quantity is not None and text is None:
        return [
            _problem(
                record,
                "unit",
                None,
                f"is missing: the quantity {quantity:g} needs a unit, {_VOCABULARY}",
            )
        ]
    if text is None:
        return []
    if quantity is None:
        return [
            _problem(
                record,
                "quantity",
                None,
                f"is missing: the unit {text!r} needs a quantity (how much of the input one"
                " unit of the item needs); give it, or drop the unit",
            )
        ]
    unit = _unit(record, text, "a quantity of an input")
    return [unit] if isinstance(unit, Problem) else []
