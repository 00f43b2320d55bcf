"""The arguments every surface takes in the same form: shortages and lists of names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

__all__ = ["name_list", "parse_shortages"]


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
