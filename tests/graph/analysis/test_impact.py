from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analysis import (
    EPSILON,
    DependencyGraph,
    DependencyGraphBuilder,
    Status,
    UnknownNodeError,
    impact,
)

from . import _reference as ref
from ._strategies import graphs_with_shortages

SETTINGS = settings(max_examples=200, deadline=None)


def _status(v: float) -> Status:
    if v <= EPSILON:
        return Status.BLOCKED
    return Status.CONSTRAINED if v < 1 - EPSILON else Status.OK


@pytest.fixture
def chip() -> DependencyGraph:
    b = DependencyGraphBuilder()
    b.add_item("server", layer="systems")
    b.add_item("gpu", layer="compute", fact="urn:item:gpu")
    r = b.add_requirement("gpu", "hbm", fact="urn:req:gpu-hbm")
    b.add_source(r, "sk-hynix", share=0.6, fact="urn:src:hynix")
    b.add_source(r, "samsung", fact="urn:src:samsung")
    b.add_source(r, "micron", fact="urn:src:micron")
    b.add_requirement("gpu", "cowos", fact="urn:req:gpu-cowos")
    b.add_requirement("server", "gpu", fact="urn:req:server-gpu")
    return b.build()


def test_missing_shares_split_the_rest(chip: DependencyGraph) -> None:
    res = impact(chip, {"samsung": 0.0})
    assert res.availability("gpu") == pytest.approx(0.8)
    assert res.status("server") is Status.CONSTRAINED
    assert res.counts == {"OK": 4, "CONSTRAINED": 2, "BLOCKED": 1}
    assert res.counts_by_layer["compute"]["CONSTRAINED"] == 1


def test_explanation_chain_carries_facts(chip: DependencyGraph) -> None:
    chain = impact(chip, {"sk-hynix": 0.0}).explain("server")
    assert [s.item for s in chain] == ["server", "gpu", "sk-hynix"]
    assert [s.requirement_fact for s in chain] == ["urn:req:server-gpu", "urn:req:gpu-hbm", None]
    assert [s.via for s in chain] == ["input", "source", None]
    assert chain[1].source_fact == "urn:src:hynix"
    assert chain[1].requirement == "gpu/hbm"


def test_input_shortage_binds_through_input(chip: DependencyGraph) -> None:
    res = impact(chip, {"hbm": 0.25, "micron": 0.0})
    gpu = next(a for a in res.affected if a.id == "gpu")
    assert gpu.binding_requirement == "gpu/hbm"
    assert gpu.availability == pytest.approx(0.25)
    assert gpu.explanation[0].via == "input" and gpu.root_cause == "hbm"


def test_substitution_uses_best_source(chip: DependencyGraph) -> None:
    assert impact(chip, {"sk-hynix": 0.0}, substitution=True).availability("gpu") == 1.0
    res = impact(chip, {"sk-hynix": 0, "samsung": 0.5, "micron": 0.2}, substitution=True)
    assert res.availability("server") == pytest.approx(0.5)


def test_records_are_flat(chip: DependencyGraph) -> None:
    recs = impact(chip, {"cowos": 0.0}).to_records()
    assert [r["id"] for r in recs] == ["cowos", "gpu", "server"]
    assert recs[2]["root_cause"] == "cowos" and recs[2]["status"] == "BLOCKED"


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ({"hmb": 0.0}, "did you mean 'hbm'"),
        ({"hbm": 1.5}, "1.5"),
        ({"hbm": math.nan}, "nan"),
        ({"hbm": "0"}, "'0'"),
    ],
    ids=["unknown", "above-one", "nan", "string"],
)
def test_rejects_bad_scenarios(
    chip: DependencyGraph, scenario: dict[str, float], message: str
) -> None:
    with pytest.raises((UnknownNodeError, ValueError), match=message):
        impact(chip, scenario)


def test_unknown_item_is_a_key_error(chip: DependencyGraph) -> None:
    with pytest.raises(KeyError) as info:
        impact(chip, {"gpux": 0.0})
    assert info.value.suggestions[0] == "gpu"  # type: ignore[attr-defined]


def test_cycles_reach_the_greatest_fixpoint() -> None:
    b = DependencyGraphBuilder()
    r = b.add_requirement("tool", "chip")
    b.add_source(r, "fab", share=0.5)
    b.add_source(r, "tool", share=0.5)
    b.add_requirement("chip", "tool")
    b.add_requirement("fab", "power")
    g = b.build()
    res = impact(g, {"fab": 0.0})
    assert res.availability("tool") <= EPSILON and res.converged
    assert res.cycles == (("chip", "tool"),)
    assert impact(g, {}).counts["OK"] == 4


@SETTINGS
@given(graphs_with_shortages(), st.booleans())
def test_matches_reference(case: tuple[DependencyGraph, dict[str, float]], sub: bool) -> None:
    g, shortages = case
    nxg = g.to_networkx()
    want = ref.availability(nxg, shortages, sub)
    res = impact(g, shortages, substitution=sub)
    for x in g.ids:
        assert res.availability(x) == pytest.approx(want[x], abs=1e-6), x
        if abs(want[x] - EPSILON) > 1e-6 and abs(want[x] - 1 + EPSILON) > 1e-6:
            assert res.status(x) is _status(want[x])
    assert sum(res.counts.values()) == g.n_items
    assert len(res) == res.counts["CONSTRAINED"] + res.counts["BLOCKED"]


@SETTINGS
@given(graphs_with_shortages(), st.booleans())
def test_explanations_are_consistent(
    case: tuple[DependencyGraph, dict[str, float]], sub: bool
) -> None:
    g, shortages = case
    nxg = g.to_networkx()
    want = ref.availability(nxg, shortages, sub)
    acyclic = not g.cycles()
    for a in impact(g, shortages, substitution=sub).affected:
        chain = a.explanation
        assert chain[0].item == a.id
        for step, nxt in itertools.pairwise(chain):
            assert step.cause == nxt.item
            assert step.requirement is not None
            assert want[step.requirement] == pytest.approx(step.availability, abs=1e-6)
        if a.binding_requirement is None:
            assert shortages[a.id] == pytest.approx(a.availability, abs=1e-6)
        if acyclic:
            assert chain[-1].cause is None and chain[-1].item in shortages
