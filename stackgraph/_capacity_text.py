"""The text of `stackgraph capacities`: each figure in its canonical unit beside the figure as
its source gives it, with as-of date, confidence, tier, whether it is estimated, and the
source; the capacity figures first, every other kind listed apart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from stackgraph import _format as fmt
from stackgraph.results import Table

__all__ = ["COLUMNS", "capacity_text"]

COLUMNS = [
    "of",
    "holder",
    "year",
    "kind",
    "amount",
    "as_given",
    "as_of",
    "confidence",
    "tier",
    "estimated",
    "source",
]
_APART = (
    "listed apart, not capacity (shipments, demand, allocations, backlogs, installed bases;"
    " --kind lists one kind):"
)


def _figure(amount: float | None, most: float | None, unit: str | None, per: str | None) -> str:
    top = "" if most is None else f" to {fmt.number(most)}"
    return f"{fmt.number(amount)}{top} {unit or ''}{'/' + per if per else ''}".strip()


def _source(url: str | None, notes: dict[str, int] | None) -> str:
    """The source as a numbered note with its host (the URLs are listed under the tables), or
    whole (--wide)."""
    if url is None or notes is None:
        return url or ""
    n = notes.setdefault(url, len(notes) + 1)
    return f"[{n}] {urlsplit(url).hostname or url}"


def _view(
    title: str, found: Sequence[Mapping[str, Any]], notes: dict[str, int] | None, limit: int
) -> Table:
    shown = []
    for i, r in enumerate(found):
        canonical = r["canonical_amount"] is not None
        amount, most, unit, per = (
            (
                r["canonical_amount"],
                r["canonical_amount_max"],
                r["canonical_unit"],
                r["canonical_period"],
            )
            if canonical
            else (r["amount"], r["amount_max"], r["unit"], r["period"])
        )
        shown.append(
            {k: r[k] for k in ("of", "holder", "year", "kind", "as_of", "confidence", "tier")}
            | {
                "amount": _figure(amount, most, unit, per),
                "as_given": _figure(r["amount"], r["amount_max"], r["unit"], r["period"]),
                "estimated": "yes" if r["estimated"] else "no",
                "source": _source(r["source"], notes) if i < limit else "",
            }
        )
    # `of` only where it varies: the figures held by an organisation are of several items
    same = len({r["of"] for r in found}) <= 1
    return Table(title, shown, [c for c in COLUMNS if not (same and c == "of")])


def capacity_text(table: Table, *, apart: bool, limit: int, width: int | None) -> str:
    """The figures of a `capacities` table as text `width` wide (None: each cell whole, sources
    inline); with `apart`, figures of kind `capacity` first and the other kinds after them."""
    notes: dict[str, int] | None = None if width is None else {}
    groups = table.summary["spread"]
    parts: list[tuple[str, list[Mapping[str, Any]], list[dict[str, Any]]]] = (
        [
            (table.title, [r for r in table if r["kind"] == "capacity"], groups),
            (_APART, [r for r in table if r["kind"] != "capacity"], groups),
        ]
        if apart
        else [(table.title, list(table), [])]
    )
    out: list[str] = []
    for n, (title, found, spread) in enumerate(parts):
        if n and not found:
            continue
        out += [""] if n else []
        out.append(_view(title, found, notes, limit).to_text(limit=limit, width=width))
        agree = fmt.spread([g for g in spread if (g["kind"] == "capacity") == (n == 0)])
        if agree:
            out.append("\nhow far the sources agree:\n" + "\n".join(agree))
    if notes:
        out.append("\nsources:")
        out += [f"  [{n}] {url}" for url, n in notes.items()]
    return "\n".join(out)
