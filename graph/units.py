"""Units of the graph's amounts: the project's pint registry, its vocabulary, canonical forms.

Every amount of a capacity record and every quantity of a requirement is written in a unit of
`units.txt` beside this module: a **count** (wafer, die, package, stack, substrate, chip,
accelerator or GPU, board, tray, server, rack, system, unit), a **power** (W, kW, MW, GW), an
**energy** (Wh ... GWh) or an amount of **data** (GB, Gb). Names may be written singular or
plural. Each count is a dimension of its own: wafers never convert into packages (only a sourced
requirement, "a package needs 1/N wafer", relates them). Money units are known so that ingest can
say why it refuses one: a money amount is never a capacity or a quantity.

Periods convert (per quarter = 3 x per month, per year = 12 x per month). The **canonical** form
of an amount, which the capacity tables show beside the figure as written:

- a rate of a count, energy or data: per month, in the count's own name (`wafer`), GWh or GB;
- a power: GW, with no period (a power is a rate already); per month when the figure is power
  made or ordered per period (GW of turbines a year);
- a stock (backlog, installed base): the same units, with no period.

Examples:
    >>> parse_unit("wafers").name, parse_unit("GPUs").name, parse_unit("MW").measure
    ('wafer', 'accelerator', 'power')
    >>> canonical(450000, None, "GPUs", "quarter")
    Canonical(amount=150000.0, amount_max=None, unit='accelerator', period='month', converted=True)
    >>> canonical(1200, None, "MW", None)
    Canonical(amount=1.2, amount_max=None, unit='GW', period=None, converted=True)
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pint

from stackgraph.graph.errors import StackgraphError
from stackgraph.schema._spec import load as load_schema

__all__ = [
    "CANONICAL_PERIOD",
    "CANONICAL_UNITS",
    "COUNTS",
    "KINDS",
    "PERIODS",
    "RATE_KINDS",
    "REGISTRY_FILE",
    "STOCK_KINDS",
    "Canonical",
    "Measure",
    "Unit",
    "UnknownUnitError",
    "canonical",
    "parse_unit",
    "registry",
    "vocabulary",
]

REGISTRY_FILE = Path(__file__).with_name("units.txt")
"""The pint definitions of the project's units."""

Measure = Literal["count", "power", "energy", "information", "money"]

COUNTS: dict[str, str] = {
    "wafer": "a 300 mm (12-inch) wafer or its equivalent; wafer starts count as wafers",
    "die": "a die, chiplet or tile (also: tile, chiplet)",
    "package": "a packaged assembly, such as one CoWoS package (dies and HBM on an interposer)",
    "stack": "a stack of HBM",
    "substrate": "an IC substrate",
    "chip": "a packaged chip as its maker counts it (a CPU, a TPU or Trainium chip, an LPU)",
    "accelerator": "an accelerator as its vendor counts it (also: GPU)",
    "board": "a module, card or superchip (also: card, superchip)",
    "tray": "a compute or switch tray of a rack",
    "server": "a server or node (also: node)",
    "rack": "a rack (one NVL72 is one rack)",
    "system": "a complete machine: a lithography scanner, a bonder, a CS-3",
    "unit": "one of the item itself, where no count above fits (a turbine, a transceiver)",
}
"""The countable units, by canonical name; each is its own dimension."""

CANONICAL_PERIOD = "month"
"""Rates are shown per month."""

CANONICAL_UNITS: dict[str, str] = {"power": "GW", "energy": "GWh", "information": "GB"}
"""The canonical unit of each measure but counts (a count keeps its own name) and money."""

_schema = load_schema()
PERIODS: tuple[str, ...] = tuple(_schema.enums["Period"].values)
"""The periods a rate may be per (schema enum `Period`)."""
KINDS: tuple[str, ...] = tuple(_schema.enums["CapacityKind"].values)
"""What a capacity record measures (schema enum `CapacityKind`)."""
STOCK_KINDS: frozenset[str] = frozenset({"backlog", "installed-base"})
"""Kinds that are stocks at a date: they have no period."""
RATE_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k not in STOCK_KINDS)
"""Kinds that are amounts per period: capacity, shipments, demand, allocation."""

_MEASURES: dict[frozenset[tuple[str, int]], Measure] = {
    frozenset({("[power]", 1)}): "power",
    frozenset({("[power]", 1), ("[time]", 1)}): "energy",
    frozenset({("[information]", 1)}): "information",
}
_MONEY = frozenset({"[usd]", "[eur]", "[cny]", "[jpy]", "[krw]", "[twd]"})
_EXAMPLES = ("W", "kW", "MW", "GW", "Wh", "kWh", "MWh", "GWh", "TWh", "GB", "Gb", "TB", "GiB")


class UnknownUnitError(StackgraphError, ValueError):
    """A unit that the vocabulary does not hold, or that no amount may be written in."""

    def __init__(self, text: str, reason: str, suggestions: list[str]) -> None:
        self.text = text
        self.reason = reason
        self.suggestions = suggestions
        hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"{text!r} {reason}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Unit:
    """A unit of the vocabulary, as parsed.

    Attributes:
        text: as written ("GPUs", "MW").
        name: the canonical spelling of a count ("accelerator"), else the unit as pint names
            it ("megawatt").
        measure: count, power, energy, information or money.
        canonical: the unit amounts of this measure are shown in ("accelerator", "GW").
    """

    text: str
    name: str
    measure: Measure
    canonical: str


@dataclass(frozen=True)
class Canonical:
    """An amount in its canonical unit and period; `converted` when the number changed."""

    amount: float
    amount_max: float | None
    unit: str
    period: str | None
    converted: bool

    @staticmethod
    def columns(canon: Canonical | None) -> dict[str, Any]:
        """The `canonical_*` and `converted` columns of a capacity row (None: not convertible)."""
        return {
            "canonical_amount": None if canon is None else canon.amount,
            "canonical_amount_max": None if canon is None else canon.amount_max,
            "canonical_unit": None if canon is None else canon.unit,
            "canonical_period": None if canon is None else canon.period,
            "converted": canon is not None and canon.converted,
        }


@cache
def registry() -> pint.UnitRegistry[float]:
    """The project's registry: only the units of `units.txt` (built once per process)."""
    reg: pint.UnitRegistry[float] = pint.UnitRegistry(None)
    reg.load_definitions(str(REGISTRY_FILE))
    return reg


@cache
def vocabulary() -> tuple[str, ...]:
    """Every name a count may be written as (canonical names and other names), and examples of
    power, energy and data units, sorted."""
    reg = registry()
    names = {n for n in dir(reg) if not n.startswith("_") and _count_of(reg, n) is not None}
    return tuple(sorted(names | set(_EXAMPLES), key=lambda n: (n.lower(), n)))


def _count_of(reg: pint.UnitRegistry[float], name: str) -> str | None:
    try:
        dims = dict(reg.get_dimensionality(name))
    except pint.UndefinedUnitError:  # dir() lists the registry's methods too
        return None
    if len(dims) != 1:
        return None
    (dim, power), *_ = dims.items()
    count = dim.strip("[]")
    return count if power == 1 and count in COUNTS else None


def _suggest(text: str) -> list[str]:
    found: list[str] = []
    for word in (w for w in re.split(r"[^A-Za-z]+", text) if w):
        unit = _parse(word)
        if isinstance(unit, Unit) and unit.measure != "money":
            found.append(unit.canonical if unit.measure == "count" else word)
    names = list(vocabulary()) + [n + "s" for n in COUNTS]
    for hit in difflib.get_close_matches(text.strip(), names, n=3, cutoff=0.75):
        found.append(hit.removesuffix("s") if hit.removesuffix("s") in COUNTS else hit)
    return list(dict.fromkeys(found))[:3]


def _parse(text: str) -> Unit | str:
    """The unit `text` names, or why it names none."""
    reg = registry()
    spelled = text.strip()
    if not spelled:
        return "is empty; write a unit of the vocabulary"
    try:
        parsed = reg.parse_units(spelled)
    except Exception:  # pint raises several types (undefined name, syntax); all mean this
        return "is not a unit of the vocabulary"
    dims: dict[str, Any] = {str(d): power for d, power in parsed.dimensionality.items()}
    if dims.get("[time]", 0) < 0:
        return "carries a period; write the unit alone and the period in `period`"
    key = frozenset(dims.items())
    if key in _MEASURES:
        measure = _MEASURES[key]
        return Unit(text, str(parsed), measure, CANONICAL_UNITS[measure])
    if len(dims) == 1:
        (dim, power), *_ = dims.items()
        if power == 1 and dim in _MONEY:
            return Unit(text, str(parsed), "money", str(parsed))
        count = dim.strip("[]")
        if power == 1 and count in COUNTS:
            return Unit(text, count, "count", count)
    return "is not a count, power, energy or data unit of the vocabulary"


@cache
def parse_unit(text: str) -> Unit:
    """The unit `text` names, if the vocabulary holds it.

    Raises:
        UnknownUnitError: not a unit of the vocabulary, a unit with a period in it
            ("wafers/month": the period goes in `period`), or a product of units; the error
            carries the closest units of the vocabulary.

    Examples:
        >>> parse_unit("stacks")
        Unit(text='stacks', name='stack', measure='count', canonical='stack')
        >>> parse_unit("12-inch wafers")
        Traceback (most recent call last):
        ...
        stackgraph.graph.units.UnknownUnitError: '12-inch wafers' is not a unit of the vocabulary; closest: wafer
    """
    found = _parse(text)
    if isinstance(found, Unit):
        return found
    suggestions = [] if "period" in found else _suggest(text)
    raise UnknownUnitError(text, found, suggestions)


def _number(value: float) -> float:
    # twelve significant digits: 1350 MW is 1.35 GW, not 1.3500000000000001
    return float(f"{value:.12g}")


def canonical(
    amount: float, amount_max: float | None, unit: str, period: str | None
) -> Canonical | None:
    """`amount` (to `amount_max`) `unit` per `period` in the canonical unit and period.

    Returns:
        The canonical amount, or None when the unit is not in the vocabulary (a record from
        before it), is money, or the period is not one of `PERIODS`.

    Examples:
        >>> canonical(6000000, None, "GPUs", "year").amount
        500000.0
        >>> canonical(75000, 80000, "wafers", "month")
        Canonical(amount=75000.0, amount_max=80000.0, unit='wafer', period='month', converted=False)
        >>> canonical(40, None, "GW", "year").amount, canonical(100, None, "USD", "year")
        (3.33333333333, None)
    """
    try:
        parsed = parse_unit(unit)
    except UnknownUnitError:
        return None
    if parsed.measure == "money" or (period is not None and period not in PERIODS):
        return None
    reg = registry()
    here = reg.Quantity(1.0, unit.strip())
    target = reg.Quantity(1.0, parsed.canonical)
    target_period = None if period is None else CANONICAL_PERIOD
    if period is not None:
        here = here / reg.Quantity(1.0, period)
        target = target / reg.Quantity(1.0, CANONICAL_PERIOD)
    factor = float(here.to(target.units).magnitude)
    return Canonical(
        amount=_number(amount * factor),
        amount_max=None if amount_max is None else _number(amount_max * factor),
        unit=parsed.canonical,
        period=target_period,
        converted=factor != 1.0,
    )
