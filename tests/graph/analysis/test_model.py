from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings

import stackgraph.graph.analysis
from stackgraph.graph.analysis import (
    AnalysisError,
    CycleError,
    DependencyGraph,
    DependencyGraphBuilder,
    UnknownNodeError,
    chokepoints,
    dependencies,
    impact,
    single_points_of_failure,
)

from ._strategies import and_or_graphs


@pytest.fixture
def small() -> DependencyGraph:
    b = DependencyGraphBuilder()
    assert b.add_item("b200", name="NVIDIA B200", layer="compute", category="accelerator") == 0
    assert b.add_item("b200", fact="urn:b200") == 0  # updates, same index
    r = b.add_requirement("b200", "cowos-l", quantity=1.0, lead_time_days=30, fact="urn:r")
    b.add_source(r, "tsmc", share=None, lead_time_days=5, fact="urn:s")
    b.add_requirement("b200", "cowos-l", id="b200-second-cowos")
    b.add_requirement("b200", "cowos-l")
    return b.build()


def test_builder_records_attributes(small: DependencyGraph) -> None:
    assert small.item("b200").name == "NVIDIA B200"
    assert small.item("b200").fact == "urn:b200"
    reqs = small.requirements("b200")
    assert [r.id for r in reqs] == ["b200/cowos-l", "b200-second-cowos", "b200/cowos-l#3"]
    assert reqs[0].sources[0].supplier == "tsmc" and reqs[0].quantity == 1.0
    assert small.n_items == 3 and small.n_requirements == 3 and small.n_sources == 1
    assert small.end_products() == ["b200"]
    assert small.nbytes > 0 and "tsmc" in small


def test_the_deprecated_label_still_reads_and_writes_the_name() -> None:
    b = DependencyGraphBuilder()
    b.add_item("b200", label="NVIDIA B200")
    b.add_requirement("b200", "hbm")
    g = b.build()
    assert g.item("b200").name == g.item("b200").label == "NVIDIA B200"
    with pytest.raises(TypeError, match="label is deprecated"):
        b.add_item("b200", name="B200", label="NVIDIA B200")
    spof = single_points_of_failure(g, "b200")[0]
    choke = chokepoints(g)[0]
    reached = dependencies(g, "b200").reached[0]
    hit = impact(g, {"b200": 0.0}).affected[0]
    for result in (spof, choke, reached, hit):
        assert result.label == result.name, result
    records = [
        spof.to_record(),
        choke.to_record(),
        *dependencies(g, "b200").to_records(),
        *impact(g, {"b200": 0.0}).to_records(),
    ]
    assert all("name" in r and "label" not in r for r in records)


def test_networkx_round_trip(small: DependencyGraph) -> None:
    g = small.to_networkx()
    assert g.nodes["b200"]["name"] == "NVIDIA B200" and "label" not in g.nodes["b200"]
    assert g.nodes["b200/cowos-l"]["kind"] == "requirement"
    assert g.edges["b200/cowos-l", "tsmc"]["kind"] == "source"
    back = DependencyGraph.from_networkx(g)
    assert nx.utils.graphs_equal(back.to_networkx(), g)


@settings(max_examples=100, deadline=None)
@given(and_or_graphs())
def test_round_trip_property(g: DependencyGraph) -> None:
    nxg = g.to_networkx()
    assert nx.utils.graphs_equal(DependencyGraph.from_networkx(nxg).to_networkx(), nxg)


def test_subgraph_cuts_at_depth(small: DependencyGraph) -> None:
    b = DependencyGraphBuilder()
    b.add_requirement("a", "b")
    b.add_requirement("b", "c")
    b.add_requirement("x", "c")
    g = b.build()
    assert sorted(g.subgraph(["a"]).ids) == ["a", "b", "c"]
    cut = g.subgraph(["a"], depth=1)
    assert sorted(cut.ids) == ["a", "b"] and cut.requirements("b") == []


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda b: b.add_source(5, "x"), IndexError),
        (lambda b: b.add_source(b.add_requirement("a", "b"), "x", share=1.5), ValueError),
        (lambda b: b.add_item("a", lead_time_days=-1), ValueError),
        (lambda b: b.add_item(""), ValueError),
        (lambda b: b.add_requirement("a", "b", quantity=-2), ValueError),
    ],
    ids=["no-requirement", "share", "lead", "empty-id", "quantity"],
)
def test_builder_rejects_bad_data(call: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        call(DependencyGraphBuilder())  # type: ignore[operator]


def test_from_arrays_validates() -> None:
    with pytest.raises(ValueError, match="more than once"):
        DependencyGraph.from_arrays(["a", "a"], [], [], [], [])
    with pytest.raises(ValueError, match="outside"):
        DependencyGraph.from_arrays(["a"], [0], [3], [], [])
    with pytest.raises(ValueError, match="quantity"):
        DependencyGraph.from_arrays(["a", "b"], [0], [1], [], [], req_quantity=[-1.0])
    g = DependencyGraph.from_arrays(["a", "b"], [0], [1], [0], [1], src_share=np.array([0.5]))
    assert g.requirements("a")[0].sources[0].share == 0.5


def test_errors_share_a_base() -> None:
    assert issubclass(UnknownNodeError, AnalysisError) and issubclass(UnknownNodeError, KeyError)
    assert issubclass(CycleError, AnalysisError)
    err = UnknownNodeError.for_id("hmb3e", ["hbm3e", "hbm3", "gpu"])
    assert "'hbm3e'" in str(err) and err.suggestions[0] == "hbm3e"


def test_public_surface() -> None:
    public = set(stackgraph.graph.analysis.__all__)
    assert all(not name.startswith("_") for name in public)
    assert all(hasattr(stackgraph.graph.analysis, name) for name in public)
    for name in public:
        obj = getattr(stackgraph.graph.analysis, name)
        if callable(obj) and not isinstance(obj, type) and name != "to_records":
            assert obj.__doc__ and "Examples:" in obj.__doc__ and "Notes:" in obj.__doc__, name


def test_analysis_imports_no_rdf_or_api_libraries() -> None:
    import pathlib

    for path in pathlib.Path(stackgraph.graph.analysis.__file__).parent.glob("*.py"):
        text = path.read_text()
        for lib in ("rdflib", "strawberry", "pyoxigraph", "pandas"):
            assert f"import {lib}" not in text and f"from {lib}" not in text, (path.name, lib)
