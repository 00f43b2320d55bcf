"""The explanation of an impact: a chain of steps from an affected item back to a shortage.

Each step names the requirement that binds the item's low bound (its worst case), how it binds
(through its input or its sources) and, for every source of that requirement, the share used
and where it came from, so a reader sees which shares were known and which were a range.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ExplanationStep", "ShareUsed"]


@dataclass(frozen=True, slots=True)
class ShareUsed:
    """One source of a step's requirement, as the analysis used it.

    Attributes:
        supplier: The source item's id.
        share: The share as sourced (None when no source states it: the unknown sources of a
            requirement carry what the known shares leave, in any proportion).
        low: The source's low availability bound.
        high: The source's high availability bound.
        fact: The IRI of the fact behind the source edge (None when there is none).

    Examples:
        >>> from stackgraph.graph.analysis import DependencyGraphBuilder, impact
        >>> b = DependencyGraphBuilder()
        >>> r = b.add_requirement("gpu", "hbm")
        >>> _ = b.add_source(r, "sk-hynix", share=0.5, fact="urn:src:hynix")
        >>> _ = b.add_source(r, "samsung")
        >>> step = impact(b.build(), {"sk-hynix": 0.0}).explain("gpu")[0]
        >>> [(s.supplier, s.share, s.low, s.fact) for s in step.shares]
        [('sk-hynix', 0.5, 0.0, 'urn:src:hynix'), ('samsung', None, 1.0, None)]
    """

    supplier: str
    share: float | None
    low: float
    high: float
    fact: str | None


@dataclass(frozen=True, slots=True)
class ExplanationStep:
    """One link of an explanation chain.

    At ``item`` (availability between ``low`` and ``high``), the ``requirement`` that binds the
    low bound is limited through its ``via`` edge (``"input"`` or ``"source"``) by ``cause``,
    the next item of the chain; ``shares`` lists that requirement's sources with the shares
    used. The last step is the shortage itself: ``requirement``, ``via`` and ``cause`` are
    None and ``shares`` is empty.
    """

    item: str
    low: float
    high: float
    item_fact: str | None
    requirement: str | None
    requirement_fact: str | None
    via: str | None
    source_fact: str | None
    cause: str | None
    shares: tuple[ShareUsed, ...]

    @property
    def availability(self) -> float:
        """Deprecated: use `low` (the worst case; `high` is the best)."""
        return self.low
