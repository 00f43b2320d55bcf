from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackgraph.graph.analysis import (
    CycleError,
    DependencyGraph,
    DependencyGraphBuilder,
    _choke,
    chokepoints,
    single_points_of_failure,
    to_records,
)
from stackgraph.graph.analysis._traverse import bfs
from stackgraph.graph.analysis.essential import _chokepoints_sets

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
    # the only end product sits on the cycle: nothing to rank, and no error for anyone
    assert chokepoints(b.build()) == []
    b.add_requirement("other", "gpu")
    assert [(c.id, c.end_products) for c in chokepoints(b.build())] == [("gpu", ("other",))]


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
@given(and_or_graphs(max_items=7))
def test_chokepoints_match_brute_force(g: DependencyGraph) -> None:
    """On any graph: the end products whose closure has a cycle are left out."""
    want = ref.chokepoint_scores(g.to_networkx())
    ranked = sorted(want, key=lambda v: (-len(want[v]), v))
    got = chokepoints(g, top=len(g.ids))
    assert [(c.id, c.count, list(c.end_products)) for c in got] == [
        (v, len(want[v]), want[v]) for v in ranked
    ]


@st.composite
def _choke_cases(
    draw: st.DrawFn,
) -> tuple[DependencyGraph, int, dict[str, float] | None, list[str] | None]:
    g = draw(and_or_graphs(max_items=12))
    top = draw(st.integers(0, len(g.ids) + 1))
    weights = None
    if draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(sorted(g.ids)), max_size=len(g.ids), unique=True))
        vals = st.sampled_from([0.0, 0.1, 0.2, 0.3, 1.0, 2.0, 1e-3, 7.7])
        weights = {k: draw(vals) for k in names}
    categories = draw(st.sampled_from([None, ["system"], ["part", "system"], ["memory"]]))
    return g, top, weights, categories


@pytest.mark.slow
@SETTINGS
@given(_choke_cases())
def test_chokepoints_match_set_version(
    case: tuple[DependencyGraph, int, dict[str, float] | None, list[str] | None],
) -> None:
    g, top, weights, categories = case
    want = _chokepoints_sets(g, top=top, weights=weights, categories=categories)
    assert chokepoints(g, top=top, weights=weights, categories=categories) == want


def test_chokepoints_ties_and_zero_weights() -> None:
    b = DependencyGraphBuilder()
    for p in ("p1", "p2", "p3"):
        b.add_requirement(p, "shared")
        r = b.add_requirement(p, f"{p}-part")
        b.add_source(r, "fab-a")
        b.add_source(r, "fab-b")
    g = b.build()
    weights = {"p1": 0.0, "p2": 0.0, "p3": 0.0}
    for top in range(8):
        for w in (None, weights, {"p1": 0.1, "p2": 0.2, "p3": 0.7}):
            want = _chokepoints_sets(g, top=top, weights=w)
            assert chokepoints(g, top=top, weights=w) == want
    got = chokepoints(g, top=5, weights=weights)
    assert [(c.id, c.count, c.score) for c in got] == [
        ("p1-part", 1, 0.0),
        ("p2-part", 1, 0.0),
        ("p3-part", 1, 0.0),
        ("shared", 3, 0.0),
    ]


def test_chokepoints_many_candidates_batches() -> None:
    # More than 64 candidates per level, chains of single sources and OR pairs.
    b = DependencyGraphBuilder()
    for i in range(150):
        r = b.add_requirement(f"top-{i % 7}", f"mid-{i}")
        b.add_source(r, f"leaf-{i % 40}")
        if i % 3:
            b.add_source(r, f"leaf-{(i * 7) % 40}")
        b.add_requirement(f"mid-{i}", f"leaf-{(i * 11) % 40}")
    g = b.build()
    for top in (1, 10, 100, 400):
        assert chokepoints(g, top=top) == _chokepoints_sets(g, top=top)
    w = {f"top-{k}": 0.1 * k for k in range(7)}
    assert chokepoints(g, top=30, weights=w) == _chokepoints_sets(g, top=30, weights=w)


@SETTINGS
@given(and_or_graphs(max_items=14), st.booleans())
def test_path_bounds_never_undercut_what_an_item_blocks(g: DependencyGraph, weighted: bool) -> None:
    """The pruning bound of the chokepoint sweep is an upper bound on every item's score."""
    lay = g._lay
    ends = np.sort(np.array([g.index(e) for e in g.end_products()], dtype=np.int64))
    if ends.size == 0 or bfs(lay, ends, None).dist[lay.cyclic].max(initial=-1) >= 0:
        return  # nothing to block, or a cycle below an end product: chokepoints refuse it
    want = ref.chokepoint_scores(g.to_networkx())
    weights = np.arange(1.0, lay.n_items + 1) / 7 if weighted else np.ones(lay.n_items)
    score, count = _choke.path_bounds(lay, ends, weights, lay.n_items)
    for item, blocked in want.items():
        i = g.index(item)
        assert count[i] >= len(blocked)
        assert score[i] >= sum(weights[g.index(e)] for e in blocked)
