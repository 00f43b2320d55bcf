"""The arguments every surface takes in the same form: shortages (of availability for `impact`,
of capacity for `deployable`), targets, lists of names, renames."""

from __future__ import annotations

import functools
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from stackgraph.graph.units import parse_unit

__all__ = [
    "PERIODS",
    "Shortage",
    "name_list",
    "parse_shortage",
    "parse_shortages",
    "renamed",
    "shortage_text",
    "shortages_of",
    "targets_of",
]


def parse_shortages(items: Iterable[str] | Mapping[str, float]) -> dict[str, float]:
    """Shortages from a mapping or from `ID[=AVAILABILITY]` strings (a bare ID means 0).

    >>> parse_shortages(["cowos-l=0.5", "sk-hynix-hbm3e"])
    {'cowos-l': 0.5, 'sk-hynix-hbm3e': 0.0}

    Raises:
        ValueError: an empty id, or an availability that is not a number.
    """
    if isinstance(items, Mapping):
        return {str(k): float(v) for k, v in items.items()}
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not name:
            raise ValueError(f"expected ID or ID=AVAILABILITY, got {item!r}")
        try:
            out[name] = float(value) if sep else 0.0
        except ValueError:
            raise ValueError(
                f"availability of {name!r} must be a number in [0, 1], got {value!r}"
            ) from None
    return out


def name_list(value: str | Sequence[str] | None) -> list[str] | None:
    """One name or several as a list (None: no filter).

    >>> name_list("memory"), name_list(["memory", "packaging"]), name_list(None)
    (['memory'], ['memory', 'packaging'], None)
    """
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


F = TypeVar("F", bound=Callable[..., Any])


def renamed(**old_to_new: str) -> Callable[[F], F]:
    """Accept the old names of keyword arguments for a release, with a DeprecationWarning.

    >>> @renamed(system="ref")
    ... def tree(ref: str) -> str:
    ...     return ref
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     tree(system="b200"), caught[0].category.__name__
    ('b200', 'DeprecationWarning')
    """

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    warnings.warn(
                        f"{fn.__name__}({old}=...) is deprecated; use {new}=",
                        DeprecationWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)

        return cast(F, call)

    return decorate


PERIODS = {"month": 1, "quarter": 3, "year": 12}
"""Months per period of an answer."""

_AMOUNT = re.compile(r"^\s*([0-9.eE+-]+)\s*([A-Za-z][A-Za-z0-9 /]*)?\s*$")


@dataclass(frozen=True, slots=True)
class Shortage:
    """A capacity changed for a scenario: scaled by `factor`, or set to `amount` in its
    canonical unit per month (`unit`, as written)."""

    item: str
    factor: float | None = None
    amount: float | None = None
    unit: str | None = None


def parse_shortage(text: str) -> tuple[str, Shortage]:
    """``ID=FACTOR`` or ``ID=AMOUNT UNIT`` as (reference, shortage).

    >>> parse_shortage("CoWoS-L=0.8")
    ('CoWoS-L', Shortage(item='CoWoS-L', factor=0.8, amount=None, unit=None))
    >>> parse_shortage("cowos-l=50000 wafers")[1].amount
    50000.0

    Raises:
        ValueError: no ``=``, or a value that is neither a factor nor an amount with its unit.
    """
    ref, sep, value = text.rpartition("=")
    match = _AMOUNT.match(value)
    if not sep or not ref.strip() or match is None:
        raise ValueError(
            f"shortage {text!r}: expected ID=FACTOR (0.8 is 80 % of the capacity) or"
            " ID=AMOUNT UNIT (50000 wafers, per month)"
        )
    number, unit = float(match.group(1)), match.group(2)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"shortage {text!r}: the value must be a finite number >= 0")
    ref = ref.strip()
    if unit:
        parse_unit(unit)  # an unknown unit is refused with suggestions
        return ref, Shortage(ref, amount=number, unit=unit.strip())
    return ref, Shortage(ref, factor=number)


def targets_of(targets: str | Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    """Targets as id -> units per mix: one id, several (one each), or a mapping."""
    if isinstance(targets, str):
        return {targets: 1.0}
    if isinstance(targets, Mapping):
        return {str(k): float(v) for k, v in targets.items()}
    return dict.fromkeys(targets, 1.0)


def shortages_of(
    shortages: Mapping[str, float | str] | Iterable[str] | None,
) -> list[tuple[str, Shortage]]:
    """Capacity shortages from `ID=FACTOR` / `ID=AMOUNT UNIT` strings or id -> factor or amount."""
    if shortages is None:
        return []
    if isinstance(shortages, Mapping):
        return [parse_shortage(f"{k}={v}") for k, v in shortages.items()]
    return [parse_shortage(s) for s in shortages]


def shortage_text(s: Shortage) -> str:
    """A capacity shortage as written: `ID=FACTOR` or `ID=AMOUNT UNIT`."""
    return f"{s.item}={s.factor:g}" if s.factor is not None else f"{s.item}={s.amount:g} {s.unit}"
