from __future__ import annotations

import pytest
from hypothesis import given, settings

from graph.analysis import (
    CycleError,
    DependencyGraph,
    DependencyGraphBuilder,
    chokepoints,
    single_points_of_failure,
    to_records,
)

from . import _reference as ref
from ._strategies import and_or_graphs

SETTINGS = settings(max_examples=200, deadline=None)


@pytest.fixture
def fleet() -> DependencyGraph:
    b = DependencyGraphBuilder()
    for dc in ("dc-1", "dc-2"):
        b.add_item(dc, category="datacenter")
        b.add_requirement(dc, "rack")
    b.add_requirement("dc-2", "substation", fact="urn:req:dc2-power")
    r = b.add_requirement("rack", "gpu")
    b.add_source(r, "fab-a")
    b.add_source(r, "fab-b")
    for fab in ("fab-a", "fab-b"):
        b.add_requirement(fab, "euv")
    return b.build()


def test_spof_with_chain(fleet: DependencyGraph) -> None:
    spof = single_points_of_failure(fleet, "dc-1")
    assert [s.id for s in spof] == ["rack", "gpu", "euv"]
    euv = spof[-1]
    assert [h.to_item for h in euv.chain] == ["rack", "fab-a", "euv"]
    assert [h.via for h in euv.chain] == ["input", "source", "input"]
    assert to_records(spof)[2]["path"] == ["dc-1", "rack", "fab-a", "euv"]


def test_chokepoints_rank_and_filter(fleet: DependencyGraph) -> None:
    top = chokepoints(fleet, top=2)
    assert [(c.id, c.count) for c in top] == [("euv", 2), ("gpu", 2)]
    weighted = chokepoints(fleet, top=1, weights={"dc-2": 5.0, "dc-1": 0.0})
    assert weighted[0].id == "euv" and weighted[0].score == 5.0
    assert chokepoints(fleet, categories=["nothing"]) == []


def test_cycles_are_refused() -> None:
    b = DependencyGraphBuilder()
    b.add_requirement("x", "x")
    b.add_requirement("top", "x")
    with pytest.raises(CycleError, match="x"):
        single_points_of_failure(b.build(), "x")
    with pytest.raises(CycleError):
        chokepoints(b.build())


@SETTINGS
@given(and_or_graphs(max_items=7))
def test_spof_matches_brute_force(g: DependencyGraph) -> None:
    nxg = g.to_networkx()
    for x in g.ids:
        if ref.closure_has_cycle(nxg, x):
            with pytest.raises(CycleError):
                single_points_of_failure(g, x)
            continue
        got = single_points_of_failure(g, x, include_self=True)
        assert {s.id for s in got} == ref.essential(nxg, x)
        for s in got:
            assert (s.chain[0].from_item if s.chain else s.id) == x
            assert (s.chain[-1].to_item if s.chain else x) == s.id


@SETTINGS
@given(and_or_graphs(max_items=7, acyclic=True))
def test_chokepoints_match_brute_force(g: DependencyGraph) -> None:
    want = ref.chokepoint_scores(g.to_networkx())
    ranked = sorted(want, key=lambda v: (-len(want[v]), v))
    got = chokepoints(g, top=len(g.ids))
    assert [(c.id, c.count, list(c.end_products)) for c in got] == [
        (v, len(want[v]), want[v]) for v in ranked
    ]
