"""Shares of one input's sources add up to at most 1, across every source of the data.

The shares of the qualified supplies of one input, for one consumer (or for the market, with no
consumer), are parts of one whole: together at most 1 (a little rounding allowed). The records
a run validates are summed with the shares the store already holds in graphs the run does not
validate again (unchanged sources, other feeds), so that two files cannot each stay under 1 and
together pass it. Each record of the run in a group over 1 gets the problem, which names the
sum and where the other shares are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from stackgraph.graph.namespace import PREFIXES, slug_of
from stackgraph.graph.store import Store
from stackgraph.ingest.problems import Problem
from stackgraph.ingest.records import ValidRecord

__all__ = ["TOLERANCE", "check_shares"]

TOLERANCE = 0.01
"""How far above 1 the shares of one group may sum: sources publish rounded figures (three
shares rounded to a tenth of a percent, or to four decimals, can overshoot 100% by 0.15 points;
to whole percents, by 1.5). Analyses scale a group over 1 back to 1; what this check is for is a
share written twice or a whole counted twice, far above 1."""

_Group = tuple[str, str | None]


def check_shares(
    run: Sequence[tuple[ValidRecord, Mapping[str, Any]]], store: Store, revalidated: set[str]
) -> list[tuple[ValidRecord, Problem]]:
    """The run's supplies whose group sums above 1, each with its problem.

    Args:
        run: every valid Supply record of the run with its resolved references.
        store: the store the run writes to.
        revalidated: the graphs whose records are in `run` (their stored shares are replaced).
    """
    mine: dict[_Group, list[tuple[ValidRecord, float]]] = defaultdict(list)
    for record, refs in run:
        model = record.model
        share = getattr(model, "share", None)
        qualification = getattr(model, "qualification", None)
        if share is None or str(getattr(qualification, "value", qualification) or "qualified") != (
            "qualified"
        ):
            continue
        if refs.get("input") is None:
            continue
        mine[(refs["input"], refs.get("consumer"))].append((record, float(share)))
    if not mine:
        return []
    held: dict[_Group, list[tuple[float, str]]] = defaultdict(list)
    for g, inp, con, share in store.select(
        PREFIXES + "SELECT ?g ?in ?con ?share WHERE { GRAPH ?g { ?x a sg:Supply ; sg:input ?in ;"
        " sg:share ?share . OPTIONAL { ?x sg:consumer ?con } OPTIONAL { ?x sg:qualification ?q }"
        ' FILTER(!BOUND(?q) || STR(?q) = "qualified") } }'
    ):
        if str(g) in revalidated:
            continue
        key = (slug_of(str(inp)), None if con is None else slug_of(str(con)))
        if key in mine:
            held[key].append((float(str(share)), str(g)))
    out = []
    for (inp, con), records in sorted(mine.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        total = sum(s for _, s in records) + sum(s for s, _ in held.get((inp, con), []))
        if total <= 1 + TOLERANCE:
            continue
        whom = f"for {con}" if con else "for the market"
        others = sorted({g.rsplit("/", 1)[-1] for _, g in held.get((inp, con), [])})
        where = f" (with shares held in {', '.join(others)})" if others else ""
        for record, share in records:
            out.append(
                (
                    record,
                    Problem(
                        record.raw.file or record.source.display,
                        record.raw.line_of("share"),
                        f"the shares of {inp}'s qualified sources {whom} sum to {total:.3g}{where};"
                        " they are parts of one whole and must sum to at most 1",
                        field="share",
                        value=share,
                        record=record.label,
                    ),
                )
            )
    return out
