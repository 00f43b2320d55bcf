"""Results for people: tables that become DataFrames and show as tables in Jupyter."""

from __future__ import annotations

import html
import shutil
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stackgraph._wrap import layout

__all__ = ["Table", "plain"]


def plain(value: Any) -> Any:
    """`value` with every row, mapping and tuple inside it as plain dicts and lists (for JSON)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if isinstance(value, float):
        # counts and capacities in full ("120,000 wafers"); fractions and small figures short
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return (
            " → ".join(str(v) for v in value)
            if all(isinstance(v, str) for v in value)
            else f"[{len(value)}]"
        )
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Table:
    """Typed rows with a title and a summary; `to_frame()` gives a pandas DataFrame.

    Each row is a record of `stackgraph.graph.rows` (read it as `row.name` or `row["name"]`); the local and
    the remote client build the same records, so their tables compare equal.
    """

    title: str
    rows: Sequence[Mapping[str, Any]]
    columns: Sequence[str] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    kind: str = ""
    """The call the rows come from: impact, critical_path, chokepoints, ... (for plots)."""

    @property
    def raw(self) -> Sequence[Mapping[str, Any]]:
        """Deprecated: the rows are typed records now (`rows`).

        For the analysis result itself, call the analysis on the graph, e.g.
        `stackgraph.graph.analysis.impact(kg.snapshot().graph, {...})`.
        """
        warnings.warn(
            "Table.raw is deprecated: the rows are typed records (Table.rows); for an analysis"
            " result call stackgraph.graph.analysis.<analysis>(kg.snapshot().graph, ...)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> Mapping[str, Any]:
        return self.rows[index]

    def _columns(self) -> list[str]:
        if self.columns:
            return list(self.columns)
        seen: dict[str, None] = {}
        for row in self.rows:
            seen.update(dict.fromkeys(row))
        return list(seen)

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (columns in a stable order)."""
        import pandas as pd

        return pd.DataFrame([plain(r) for r in self.rows], columns=self._columns())

    def plot(self, **options: Any) -> Any:
        """The chart that suits this table (impact by layer, Gantt, bars), as a Figure."""
        from stackgraph.plots import plot

        return plot(self, **options)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as plain dicts and lists, ready for JSON."""
        return [plain(r) for r in self.rows]

    def to_text(
        self, columns: Sequence[str] | None = None, limit: int = 50, width: int | None = None
    ) -> str:
        """A plain-text table for terminals.

        With a `width`, the table is narrowed to fit it: long cells (chains, paths, sources)
        wrap at spaces and after arrows, onto as many lines as they need, never cut; without
        one, each cell is printed whole on one line.
        """
        cols = list(columns or self._columns())
        body = [[_cell(r.get(c)) for c in cols] for r in self.rows[:limit]]
        out = [self.title, *layout(cols, body, width)]
        if len(self.rows) > limit:
            out.append(f"... {len(self.rows) - limit} more rows")
        if not self.rows:
            out.append("(none)")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text(width=shutil.get_terminal_size((100, 24)).columns)

    def _repr_html_(self) -> str:
        cols = self._columns()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in cols) + "</tr>"
            for r in self.rows[:200]
        )
        more = f"<p>{len(self.rows) - 200} more rows</p>" if len(self.rows) > 200 else ""
        return (
            f"<p><b>{html.escape(self.title)}</b> ({len(self.rows)} rows)</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"
        )
