"""Analyses of the AND/OR dependency graph: impact, critical path, essential items, closures,
deployable capacity.

Every analysis is a pure function of a :class:`DependencyGraph` and plain parameters, returning
frozen dataclasses of plain data (each with ``to_records()`` for a ``pandas.DataFrame``).
Availability under :func:`impact` is an interval ``[low, high]``: shares that no source states
are a range, not an even split. Semantics: ``DESIGN.md`` §3.
"""

from __future__ import annotations

from stackgraph.graph.analysis.builder import DependencyGraphBuilder
from stackgraph.graph.analysis.closure import Closure, Hop, Reached, dependencies, dependents
from stackgraph.graph.analysis.critical_path import (
    CriticalPath,
    MissingLeadTime,
    PathStep,
    critical_path,
)
from stackgraph.graph.analysis.deployable import CapacityUse, Deployable, deployable
from stackgraph.graph.analysis.errors import AnalysisError, CycleError, UnknownNodeError
from stackgraph.graph.analysis.essential import (
    Chokepoint,
    SinglePointOfFailure,
    chokepoints,
    single_points_of_failure,
    to_records,
)
from stackgraph.graph.analysis.impact import (
    EPSILON,
    AffectedColumns,
    AffectedItem,
    ExplanationStep,
    ImpactResult,
    ShareUsed,
    Status,
    impact,
    impact_status,
)
from stackgraph.graph.analysis.model import DependencyGraph, Item, Requirement, Source

__all__ = [
    "EPSILON",
    "AffectedColumns",
    "AffectedItem",
    "AnalysisError",
    "CapacityUse",
    "Chokepoint",
    "Closure",
    "CriticalPath",
    "CycleError",
    "DependencyGraph",
    "DependencyGraphBuilder",
    "Deployable",
    "ExplanationStep",
    "Hop",
    "ImpactResult",
    "Item",
    "MissingLeadTime",
    "PathStep",
    "Reached",
    "Requirement",
    "ShareUsed",
    "SinglePointOfFailure",
    "Source",
    "Status",
    "UnknownNodeError",
    "chokepoints",
    "critical_path",
    "dependencies",
    "dependents",
    "deployable",
    "impact",
    "impact_status",
    "single_points_of_failure",
    "to_records",
]
