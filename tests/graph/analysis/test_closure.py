from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackgraph.graph.analysis import (
    DependencyGraph,
    DependencyGraphBuilder,
    dependencies,
    dependents,
)

from . import _reference as ref
from ._strategies import and_or_graphs

SETTINGS = settings(max_examples=200, deadline=None)


@pytest.fixture
def chain() -> DependencyGraph:
    b = DependencyGraphBuilder()
    b.add_requirement("dc", "rack", fact="urn:1")
    r = b.add_requirement("rack", "gpu", fact="urn:2")
    b.add_source(r, "foundry", fact="urn:3")
    b.add_requirement("foundry", "euv", fact="urn:4")
    return b.build()


def test_depth_and_limit(chain: DependencyGraph) -> None:
    c = dependencies(chain, "dc", depth=2)
    assert [(r.id, r.depth) for r in c.reached] == [("rack", 1), ("foundry", 2), ("gpu", 2)]
    short = dependencies(chain, "dc", limit=2)
    assert short.total == 4 and short.truncated and len(short.reached) == 2
    assert dependencies(chain, "dc").to_records()[-1]["via_facts"] == [
        "urn:1",
        "urn:2",
        "urn:3",
        "urn:4",
    ]


def test_dependents_walk_up(chain: DependencyGraph) -> None:
    c = dependents(chain, "euv")
    assert [r.path for r in c.reached] == [
        ("euv", "foundry"),
        ("euv", "foundry", "rack"),
        ("euv", "foundry", "rack", "dc"),
    ]
    assert [h.via for h in c.reached[1].hops] == ["input", "source"]


@pytest.mark.parametrize("fn", [dependencies, dependents], ids=["down", "up"])
def test_rejects_negative_bounds(chain: DependencyGraph, fn: object) -> None:
    with pytest.raises(ValueError, match="-1"):
        fn(chain, "dc", depth=-1)  # type: ignore[operator]


@SETTINGS
@given(and_or_graphs(), st.sampled_from([None, 0, 1, 2]), st.booleans())
def test_matches_reference(g: DependencyGraph, depth: int | None, up: bool) -> None:
    nxg = g.to_networkx()
    h = ref.item_graph(nxg)
    for x in g.ids:
        want = ref.depths(nxg, x, depth, reverse=up)
        c = (dependents if up else dependencies)(g, x, depth=depth)
        assert {r.id: r.depth for r in c.reached} == want
        assert c.total == len(want)
        for r in c.reached:
            assert len(r.path) == r.depth + 1 and r.path[0] == x and r.path[-1] == r.id
            for a, b in zip(r.path, r.path[1:], strict=False):
                assert h.has_edge(b, a) if up else h.has_edge(a, b)


@SETTINGS
@given(
    and_or_graphs(),
    st.sampled_from([None, 1, 2]),
    st.booleans(),
    st.sampled_from([None, ["compute"], ["compute", "memory"], []]),
    st.sampled_from([None, ["system"], ["part", "system"], []]),
)
def test_filters_list_and_count_only_matching_items(
    g: DependencyGraph,
    depth: int | None,
    up: bool,
    layers: list[str] | None,
    categories: list[str] | None,
) -> None:
    nxg = g.to_networkx()
    for x in g.ids:
        reach = ref.depths(nxg, x, depth, reverse=up)
        want = {
            i: d
            for i, d in reach.items()
            if (layers is None or nxg.nodes[i]["layer"] in layers)
            and (categories is None or nxg.nodes[i]["category"] in categories)
        }
        c = (dependents if up else dependencies)(
            g, x, depth=depth, layers=layers, categories=categories
        )
        assert {r.id: r.depth for r in c.reached} == want
        assert c.total == len(want)
        assert [r.depth for r in c.reached] == sorted(r.depth for r in c.reached)
