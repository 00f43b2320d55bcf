from __future__ import annotations

import pytest
from hypothesis import given, settings

from graph.analysis import CycleError, DependencyGraph, DependencyGraphBuilder, critical_path

from . import _reference as ref
from ._strategies import and_or_graphs

SETTINGS = settings(max_examples=200, deadline=None)


@pytest.fixture
def rack() -> DependencyGraph:
    b = DependencyGraphBuilder()
    b.add_item("rack", lead_time_days=7)
    b.add_item("gpu", lead_time_days=30)
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
        ("rack", "item"),
        ("rack/gpu", "requirement"),
        ("gpu", "item"),
        ("gpu/hbm", "requirement"),
        ("hynix", "source"),
        ("hynix", "item"),
    ]
    assert cp.steps[-1].cumulative == cp.total_days
    assert cp.steps[4].fact == "urn:src"


def test_missing_lead_times_are_reported(rack: DependencyGraph) -> None:
    cp = critical_path(rack, "rack")
    assert {(m.kind, m.node) for m in cp.missing_on_path} == {
        ("requirement", "gpu/hbm"),
        ("item", "hynix"),
    }
    assert cp.missing_in_closure_count == 5  # gpu/hbm, hbm, psu, hynix, samsung
    assert len(critical_path(rack, "rack", limit=2).missing_in_closure) == 2


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
