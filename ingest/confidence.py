"""The confidence rule: a fact of confidence ``high`` cites a primary or press source.

The tier of a source comes from the maintained list of ``stackgraph.graph.tiers``. A record whose
confidence is ``high`` while its source is ``secondary`` (an aggregator, a wiki, a forum, a blog,
a copy) or ``unknown`` (a host the list does not name) is a problem: the run is refused and the
store stays as it was. The fix is to lower the confidence, or to cite a primary or press source
for the same fact (or, for a reputable outlet the list lacks, to add its host with a reason).
"""

from __future__ import annotations

from collections.abc import Iterable

from stackgraph.graph.tiers import HIGH_CONFIDENCE_TIERS, tier_entry, tier_of
from stackgraph.ingest.problems import Problem
from stackgraph.ingest.records import ValidRecord

__all__ = ["check_confidence"]


def check_confidence(records: Iterable[ValidRecord]) -> list[Problem]:
    """A problem for each record of confidence ``high`` whose source is not primary or press.

    Args:
        records: Valid records of one source (``validate_records``).

    Returns:
        One problem per such record, on its ``confidence`` line, naming the value, the source,
        its tier and what would be right.

    Examples:
        >>> from pathlib import Path
        >>> from stackgraph.ingest.readers import RawRecord, SourceFile
        >>> from stackgraph.ingest.records import validate_records
        >>> source = SourceFile(Path("acme.yaml"), "acme.yaml", "acme", input_hash="")
        >>> source.records.append(RawRecord("Organization", {
        ...     "id": "acme", "name": "Acme", "layer": "foundry", "roles": ["foundry"],
        ...     "source": "https://someone.github.io/acme", "as_of": "2025", "confidence": "high",
        ... }, line=3, key_lines={"confidence": 9}))
        >>> [problem] = check_confidence(validate_records(source))
        >>> print(problem)  # doctest: +ELLIPSIS
        acme.yaml:9: Organization 'acme' field 'confidence': got 'high', but its source ... is secondary tier...
    """
    problems = []
    for record in records:
        if getattr(record.model, "confidence", None) != "high":
            continue
        source = getattr(record.model, "source", None)
        tier = tier_of(source)
        if tier in HIGH_CONFIDENCE_TIERS:
            continue
        entry = tier_entry(source)
        why = (
            f"{entry.key}: {entry.reason}"
            if entry is not None
            else "its host is not in graph/source_tiers.yaml, which counts as secondary"
        )
        problems.append(
            Problem(
                record.raw.file or record.source.display,
                record.raw.line_of("confidence"),
                f"got 'high', but its source {source} is {tier} tier ({why}); high needs a primary"
                " or press source: lower the confidence to medium (a reputable summary of a"
                " primary fact) or low (a forum, blog or copy), or cite a primary or press source",
                field="confidence",
                value="high",
                record=record.label,
            )
        )
    return problems
