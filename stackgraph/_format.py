"""How the CLI writes ranges, facts, explanations and spreads of figures as text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stackgraph._wrap import wrap_cell

__all__ = [
    "explanation",
    "fact",
    "number",
    "span",
    "spread",
    "target_view",
    "units",
]


def span(low: float, high: float) -> str:
    """A range of availability: one number when both ends agree.

    >>> span(0.5, 0.5), span(0, 0.25)
    ('0.5', '0 to 0.25')
    """
    return f"{low:.3g}" if abs(high - low) < 1e-9 else f"{low:.3g} to {high:.3g}"


def fact(f: Mapping[str, Any]) -> str:
    """A fact's source with its as-of date, confidence, tier and whether it is estimated."""
    est = ", estimated" if f["estimated"] else ""
    return (
        f"{f['source']} (as of {f['as_of']}, {f['confidence']}, {f['tier']}{est})"
        if "tier" in f
        else f"{f['source']} (as of {f['as_of']}, {f['confidence']}{est})"
    )


def explanation(row: Mapping[str, Any]) -> list[str]:
    """An affected item's chain, step by step, with the sources and shares of each step."""
    lines = [f"{row['id']} {row['status']} {span(row['low'], row['high'])}"]
    for step in row["explanation"]:
        via = f" via {step['via']} of {step['requirement']}" if step["requirement"] else ""
        lines.append(f"  {step['item']} at {span(step['low'], step['high'])}{via or ' (shortage)'}")
        lines += [f"    source: {fact(f)}" for f in step["facts"]]
        for share in step["shares"]:
            given = "not sourced" if share["share"] is None else f"{share['share']:.3g}"
            source = "" if share["provenance"] is None else f" from {fact(share['provenance'])}"
            lines.append(
                f"    share of {share['supplier']}: {given}"
                f" (it is at {span(share['low'], share['high'])}){source}"
            )
    return lines


def _chain(prefix: str, chain: Sequence[str], width: int | None) -> list[str]:
    text = " → ".join(chain)
    if width is None:
        return [prefix + text]
    lines = wrap_cell(text, max(20, width - len(prefix)))
    return [prefix + lines[0]] + [" " * len(prefix) + line for line in lines[1:]]


def target_view(
    row: Mapping[str, Any],
    scenario: str,
    alone: Sequence[tuple[str, Mapping[str, Any]]],
    width: int | None,
) -> list[str]:
    """One item under a scenario: its status and range, the chain that explains it with the
    sources of each step, and, for several shortages, what each one alone does to it."""
    layer = f", {row['layer']}" if row["layer"] else ""
    lines = [
        f"{row['name']} ({row['id']}{layer}): {row['status']},"
        f" available {span(row['low'], row['high'])}"
    ]
    if not row["chain"]:
        lines.append(f"no shortage of {scenario} reaches it")
    else:
        lines += _chain("chain: ", row["chain"], width)
        lines += explanation(row)[1:]
    if alone:
        lines.append("\neach shortage alone:")
    for shortage, r in alone:
        lines.append(f"  {shortage}: {r['status']}, available {span(r['low'], r['high'])}")
        if r["chain"]:
            lines += _chain("    chain: ", r["chain"], width)
    return lines


def spread(groups: list[dict[str, Any]]) -> list[str]:
    """One line per item, kind, year and unit given by two or more records: the range of their
    figures and the tiers of their sources."""
    out = []
    for g in groups:
        if g["records"] < 2:
            continue
        per = f" per {g['period']}" if g["period"] else ""
        tiers = ", ".join(f"{n} {t}" for t, n in g["tiers"].items())
        out.append(
            f"  {g['of']} {g['kind']}{' of ' + g['holder'] if g['holder'] else ''}"
            f" {g['year'] or ''}: {g['low']:,.0f} to {g['high']:,.0f}"
            f" {g['unit']}{per}, {g['records']} figures from {g['sources']} sources ({tiers})"
        )
    return out


def number(v: float | None) -> str:
    """A count or capacity as people read it; None is unbounded.

    >>> number(66000.0), number(0.5), number(None)
    ('66,000', '0.5', 'unbounded')
    """
    return "unbounded" if v is None else f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def units(u: Mapping[str, float | None]) -> str:
    """A low-to-high range of units (one number when both agree)."""
    low, high = u["low"], u["high"]
    if low is None or high is None:
        return "unbounded"
    return number(low) if abs(high - low) < 1e-9 else f"{number(low)} to {number(high)}"
