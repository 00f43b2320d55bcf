"""The outcome of a run, per source and in all, and its JSON summary (the last line on stdout)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stackgraph.ingest.problems import Problem

__all__ = ["IngestReport", "SourceReport"]


@dataclass
class SourceReport:
    """Outcome of one source in a run."""

    source: str
    graph: str
    outcome: str = "unchanged"
    triples: int = 0
    added: int = 0
    removed: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The source's entry in the JSON summary.

        Examples:
            >>> SourceReport("data/a.yaml", "https://w3id.org/stackgraph/graph/a").to_dict()
            {'source': 'data/a.yaml', 'graph': 'https://w3id.org/stackgraph/graph/a', 'outcome': 'unchanged', 'triples': 0, 'added': 0, 'removed': 0, 'seconds': 0.0}
        """
        return {
            "source": self.source,
            "graph": self.graph,
            "outcome": self.outcome,
            "triples": self.triples,
            "added": self.added,
            "removed": self.removed,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class IngestReport:
    """Outcome of a run; `outcome` is changed, unchanged, invalid or dry-run."""

    store: str
    outcome: str
    sources: list[SourceReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    run: str | None = None
    seconds: float = 0.0
    absent: list[tuple[str, str]] = field(default_factory=list)
    """(source file, graph) of each graph the store holds whose source was not among the inputs
    of a run without ``--prune``; kept, and reported."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary of the run (the number of problems only when there are some).

        Examples:
            >>> IngestReport("memory:", "unchanged", seconds=0.0123).to_dict()
            {'outcome': 'unchanged', 'store': 'memory:', 'run': None, 'seconds': 0.012, 'sources': []}
        """
        out: dict[str, Any] = {
            "outcome": self.outcome,
            "store": self.store,
            "run": self.run,
            "seconds": round(self.seconds, 3),
            "sources": [s.to_dict() for s in self.sources],
        }
        if self.absent:
            out["absent"] = [{"source": f, "graph": g} for f, g in self.absent]
        if self.problems:
            out["problems"] = len(self.problems)
        return out
