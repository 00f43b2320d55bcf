"""The arguments every surface takes in the same form: shortages, lists of names, renames."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, cast

__all__ = ["name_list", "parse_shortages", "renamed"]


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
