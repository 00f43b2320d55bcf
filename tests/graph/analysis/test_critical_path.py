from __future__ import annotations

import pytest
from hypothesis import given, settings

from stackgraph.graph.analysis import (
    CycleError,
    DependencyGraph,
    DependencyGraphBuilder,
    critical_path,
)

from . import _reference as ref
from ._strategies import and_or_graphs

SETTINGS = settings(max_examples=200, deadline=None)


@pytest.fixture
def rack() -> DependencyGraph:
    b = DependencyGraphBuilder()
    b.add_item("rack", stage_time_days=7)
    b.add_item("gpu", stage_time_days=30)
    b.add_requirement("rack", "gpu", lead_time_days=2)
    b.add_requirement("rack", "psu", lead_time_days=20)
    r = b.add_requirement("gpu", "hbm", fact="urn:req")
    b.add_source(r, "hynix", lead_time_days=50, fact="urn:src")
    b.add_source(r, "samsung", lead_time_days=80)
    return b.build()


def test_path_and_total(rack: DependencyGraph) -> None:
    cp = critical_path(rack, "rack")
    assert cp.total_days == 7 + 2 + 30 + 50
    assert [(s.node, s.kind) for s in cp.steps] == [
        ("rack", "stage"),
        ("rack/gpu", "requirement"),
        ("gpu", "stage"),
        ("gpu/hbm", "requirement"),
        ("hynix", "source"),
        ("hynix", "stage"),
    ]
    assert cp.decided_by == "stage"
    assert cp.steps[-1].cumulative == cp.total_days
    assert cp.steps[4].fact == "urn:src"


def test_missing_lead_times_are_reported(rack: DependencyGraph) -> None:
    cp = critical_path(rack, "rack")
    assert {(m.kind, m.node) for m in cp.missing_on_path} == {
        ("requirement", "gpu/hbm"),
        ("stage", "hynix"),
    }
    assert cp.missing_in_closure_count == 5  # gpu/hbm, hbm, psu, hynix, samsung
    assert len(critical_path(rack, "rack", limit=2).missing_in_closure) == 2


def test_quote_holds_the_inputs() -> None:
    b = DependencyGraphBuilder()
    b.add_item("gpu", lead_time_days=365, stage_time_days=30)
    r = b.add_requirement("gpu", "hbm", lead_time_days=10)
    b.add_source(r, "hynix", lead_time_days=50)
    cp = critical_path(b.build(), "gpu")
    assert (cp.total_days, cp.decided_by) == (365, "quoted")
    assert [(s.node, s.kind, s.days) for s in cp.steps] == [("gpu", "quoted", 365)]
    assert cp.missing_on_path == ()


def test_inputs_longer_than_the_quote() -> None:
    b = DependencyGraphBuilder()
    b.add_item("rack", lead_time_days=30, stage_time_days=7)
    b.add_item("gpu", lead_time_days=120)
    b.add_requirement("rack", "gpu", lead_time_days=2)
    cp = critical_path(b.build(), "rack")
    assert (cp.total_days, cp.decided_by) == (7 + 2 + 120, "stage")
    assert [(s.node, s.kind) for s in cp.steps] == [
        ("rack", "stage"),
        ("rack/gpu", "requirement"),
        ("gpu", "quoted"),
    ]


def test_cycle_is_reported() -> None:
    b = DependencyGraphBuilder()
    b.add_requirement("a", "b")
    b.add_requirement("b", "a")
    b.add_requirement("top", "a")
    with pytest.raises(CycleError) as info:
        critical_path(b.build(), "top")
    assert info.value.cycles == (("a", "b"),)


@SETTINGS
@given(and_or_graphs())
def test_matches_reference(g: DependencyGraph) -> None:
    nxg = g.to_networkx()
    for x in g.ids:
        if ref.closure_has_cycle(nxg, x):
            with pytest.raises(CycleError):
                critical_path(g, x)
            continue
        cp = critical_path(g, x)
        assert cp.total_days == ref.lead(nxg, x)
        assert sum(s.days for s in cp.steps) == cp.total_days
        assert cp.steps[0].node == x
        assert all(s.days >= 0 for s in cp.steps)
        assert len(cp.missing_on_path) == sum(not s.lead_time_known for s in cp.steps)


@SETTINGS
@given(and_or_graphs(acyclic=True))
def test_quotes_bound_the_total(g: DependencyGraph) -> None:
    for x in g.ids:
        cp = critical_path(g, x)
        quoted = [s for s in cp.steps if s.kind == "quoted"]
        # At most one quote, at the end: the path stops where a quote decides.
        assert len(quoted) <= 1 and (not quoted or cp.steps[-1] is quoted[0])
        assert all(cp.total_days >= s.days for s in quoted)
        for s in cp.steps:
            if s.kind in ("quoted", "stage"):
                q = g.item(s.node).lead_time_days
                # No quote on the path is larger than the total from that step down.
                assert q is None or q <= cp.total_days - s.cumulative + s.days
        assert cp.decided_by == cp.steps[0].kind
        quote = g.item(x).lead_time_days
        if quote is not None and quote >= _inputs(g, x):
            # A quote at least as long as the item's inputs' path is all the path shows.
            assert [(s.node, s.kind) for s in cp.steps] == [(x, "quoted")]
            assert cp.total_days == quote


def _inputs(g: DependencyGraph, x: str) -> int:
    """Stage time of ``x`` plus its slowest requirement, from the brute-force reference."""
    nxg = g.to_networkx()
    stage = g.item(x).stage_time_days or 0
    slowest = 0
    for r in g.requirements(x):
        inp = ref.lead(nxg, r.input)
        if r.sources:
            inp = max(
                inp, min((s.lead_time_days or 0) + ref.lead(nxg, s.supplier) for s in r.sources)
            )
        slowest = max(slowest, (r.lead_time_days or 0) + inp)
    return stage + slowest
