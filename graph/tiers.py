"""Source tiers: how close the document a fact was taken from stands to the fact (DESIGN §8).

Every source URL has a tier, looked up in a maintained list, ``graph/source_tiers.yaml``:

- ``primary``: the party itself or its regulator (filings, investor relations, vendor docs and
  product pages, press-release wires, regulators, grid operators, government, standards bodies);
- ``press``: trade press and news outlets, named analysts and research firms;
- ``secondary``: aggregators, wikis, forums, blogs and personal pages, scraped or mirrored
  copies, content farms, platforms that host anyone's pages;
- ``unknown``: a host the list does not name yet, or no URL at all. The confidence rule of
  ingest (``ingest/confidence.py``) treats it as ``secondary``.

A key of the list is a host suffix (``nvidia.com`` covers ``docs.nvidia.com``), optionally
followed by a path prefix of whole segments for a platform that hosts many parties
(``github.com/github``). The longest matching host suffix wins, and within it the longest path
prefix. ``www.`` is ignored. The list is read once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import yaml

__all__ = [
    "HIGH_CONFIDENCE_TIERS",
    "TIERS",
    "TierEntry",
    "is_weak",
    "parse_tier_list",
    "tier_entries",
    "tier_entry",
    "tier_of",
]

TIERS = ("primary", "press", "secondary", "unknown")
"""Every tier, best first."""

HIGH_CONFIDENCE_TIERS = frozenset({"primary", "press"})
"""The tiers a fact of confidence ``high`` may cite; ingest refuses the others."""

_LISTED = TIERS[:-1]  # `unknown` is what the list does not say
_LIST_FILE = "source_tiers.yaml"
_MAX_SEGMENTS = 3  # path prefixes are at most this deep, so a lookup tries a bounded set of keys


@dataclass(frozen=True, slots=True)
class TierEntry:
    """One entry of the tier list: a host suffix (and path prefix), its tier and why."""

    key: str
    tier: str
    reason: str


def is_weak(confidence: str | None, tier: str | None) -> bool:
    """Whether a fact is too weak to rest a conclusion on alone: low confidence, or a source
    that is secondary or not on the tier list. Answers that rest on one are flagged.

    >>> is_weak("high", "press"), is_weak("low", "primary"), is_weak("medium", "secondary")
    (False, True, True)
    """
    return confidence == "low" or tier in ("secondary", "unknown")


def tier_of(url: str | None) -> str:
    """The tier of the source `url`: ``primary``, ``press``, ``secondary`` or ``unknown``.

    Args:
        url: A source URL, or None for a fact without one.

    Returns:
        The tier of the most specific entry of the list that matches the URL's host (and path),
        or ``unknown`` when none does, when `url` is None or when it has no host.

    Examples:
        >>> tier_of("https://docs.nvidia.com/cuda/")
        'primary'
        >>> tier_of("https://www.trendforce.com/news/")
        'press'
        >>> tier_of("https://someone.github.io/notes"), tier_of("https://argonne-lcf.github.io/x")
        ('secondary', 'primary')
        >>> tier_of("https://github.com/github/docs"), tier_of("https://github.com/someone/x")
        ('primary', 'secondary')
        >>> tier_of("https://unlisted.example/page"), tier_of(None), tier_of("not a url")
        ('unknown', 'unknown', 'unknown')

    Notes:
        O(labels of the host x segments of the path) dictionary lookups, both bounded.
    """
    entry = tier_entry(url)
    return "unknown" if entry is None else entry.tier


@lru_cache(maxsize=1 << 16)  # the list is read once (``_table``); a graph cites few distinct URLs
def tier_entry(url: str | None) -> TierEntry | None:
    """The entry of the list that gives `url` its tier (None: the tier is ``unknown``).

    Examples:
        >>> tier_entry("https://investor.tsmc.com/english/annual-reports")
        TierEntry(key='tsmc.com', tier='primary', reason="TSMC's own pages and annual reports")
        >>> tier_entry("https://unlisted.example/") is None
        True
    """
    table = _table()
    for key in _keys(url):
        entry = table.get(key)
        if entry is not None:
            return entry
    return None


def tier_entries() -> tuple[TierEntry, ...]:
    """Every entry of the list, by tier (best first), then key.

    Examples:
        >>> entries = tier_entries()
        >>> {e.tier for e in entries} == {"primary", "press", "secondary"}
        True
    """
    return tuple(
        sorted(_table().values(), key=lambda e: (_LISTED.index(e.tier), e.key)),
    )


def _keys(url: str | None) -> list[str]:
    """The keys that could match `url`, most specific first."""
    if not url:
        return []
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # not a URL (an unbalanced IPv6 bracket): no host, so no key
        return []
    host = (parts.hostname or "").rstrip(".")
    host = host.removeprefix("www.")
    if not host:
        return []
    labels = host.split(".")
    segments = [s.lower() for s in parts.path.split("/") if s][:_MAX_SEGMENTS]
    keys: list[str] = []
    for i in range(len(labels)):
        suffix = ".".join(labels[i:])
        keys += [f"{suffix}/{'/'.join(segments[:n])}" for n in range(len(segments), 0, -1)]
        keys.append(suffix)
    return keys


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ValueError(f"{_LIST_FILE}: {key!r} is listed twice; keep one entry")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


@cache
def _table() -> dict[str, TierEntry]:
    """The tier list by key, read and checked once."""
    text = resources.files("stackgraph.graph").joinpath(_LIST_FILE).read_text(encoding="utf-8")
    return parse_tier_list(text)


def parse_tier_list(text: str) -> dict[str, TierEntry]:
    """The entries of a tier list in the format of ``graph/source_tiers.yaml``, by key.

    Raises:
        ValueError: the list is malformed: a tier that is not primary, press or secondary, a key
            that is not a lower-case host (with a path), a key listed twice, an empty reason.

    Examples:
        >>> parse_tier_list("press:\\n  example.net: a test outlet\\n")["example.net"].tier
        'press'
        >>> parse_tier_list("gossip:\\n  example.net: no\\n")
        Traceback (most recent call last):
        ...
        ValueError: source_tiers.yaml: unknown tier 'gossip'; expected one of primary, press, secondary
    """
    data = yaml.load(text, Loader=_UniqueKeyLoader) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{_LIST_FILE}: expected a mapping of tier -> {{key: reason}}")
    table: dict[str, TierEntry] = {}
    for tier, entries in data.items():
        if tier not in _LISTED:
            raise ValueError(
                f"{_LIST_FILE}: unknown tier {tier!r}; expected one of {', '.join(_LISTED)}"
            )
        for key, reason in (entries or {}).items():
            _check(key, reason, tier)
            if key in table:
                raise ValueError(
                    f"{_LIST_FILE}: {key!r} is both {table[key].tier} and {tier}; keep one"
                )
            table[key] = TierEntry(key, tier, reason.strip())
    return table


def _check(key: object, reason: object, tier: str) -> None:
    where = f"{_LIST_FILE}: {tier}: {key!r}"
    if not isinstance(key, str) or key != key.strip().lower() or not key:
        raise ValueError(f"{where}: a key is a lower-case host suffix, like 'nvidia.com'")
    if "://" in key or key.startswith("www.") or key.endswith("/") or "//" in key:
        raise ValueError(f"{where}: write the host without scheme or www. (like 'github.com/x')")
    if key.count("/") > _MAX_SEGMENTS:
        raise ValueError(f"{where}: a path prefix has at most {_MAX_SEGMENTS} segments")
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(f"{where}: give a short reason (who publishes it, what kind of source)")
