from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from stackgraph.graph.analysis import (
    EPSILON,
    DependencyGraph,
    DependencyGraphBuilder,
    ShareUsed,
    Status,
    UnknownNodeError,
    impact,
    impact_status,
)

from . import _reference as ref
from ._strategies import KNOWN_SHARES, UNKNOWN_SHARES, graphs_with_shortages

SETTINGS = settings(max_examples=200, deadline=None)
#: Most share vertices a brute-force case enumerates (one reference run each).
VERTICES = 64


def _status(low: float, high: float) -> Status:
    if high <= EPSILON:
        return Status.BLOCKED
    if high < 1 - EPSILON:
        return Status.CONSTRAINED
    return Status.POSSIBLY_CONSTRAINED if low < 1 - EPSILON else Status.OK


def _near_threshold(v: float) -> bool:
    return min(abs(v - EPSILON), abs(v - 1 + EPSILON)) <= 1e-6


def _cases(
    acyclic: bool | None = None,
) -> st.SearchStrategy[tuple[DependencyGraph, dict[str, float]]]:
    """The random graphs of every analysis, and graphs where only the sources limit a
    requirement and shares are mostly unknown (so that wide intervals are common)."""
    return st.one_of(
        graphs_with_shortages(acyclic, max_items=7),
        graphs_with_shortages(
            acyclic, UNKNOWN_SHARES, max_items=7, max_shortages=4, fresh_inputs=True
        ),
    )


def _bounds(
    g: DependencyGraph, shortages: dict[str, float], sub: bool
) -> tuple[dict[str, float], dict[str, float]]:
    """The brute-force bounds (the case is skipped past ``VERTICES`` share vertices)."""
    want = ref.availability_bounds(g.to_networkx(), shortages, sub, VERTICES)
    assume(want is not None)
    assert want is not None
    return want


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


def test_missing_shares_give_a_range(chip: DependencyGraph) -> None:
    res = impact(chip, {"samsung": 0.0})
    low, high = res.bounds("gpu")
    assert low == pytest.approx(0.6) and high == 1.0
    assert res.availability("gpu") == low
    assert res.status("server") is Status.POSSIBLY_CONSTRAINED
    assert res.counts == {"OK": 4, "POSSIBLY_CONSTRAINED": 2, "CONSTRAINED": 0, "BLOCKED": 1}
    assert res.counts_by_layer["compute"]["POSSIBLY_CONSTRAINED"] == 1
    assert [(x, round(lo, 6), hi) for x, lo, hi, _ in res.ranked()] == [
        ("samsung", 0.0, 0.0),
        ("gpu", 0.6, 1.0),
        ("server", 0.6, 1.0),
    ]


def test_a_shortage_of_every_unknown_source_is_certain(chip: DependencyGraph) -> None:
    res = impact(chip, {"samsung": 0.0, "micron": 0.5})
    assert res.bounds("gpu") == pytest.approx((0.6, 0.8))
    assert res.status("gpu") is Status.CONSTRAINED


def test_explanation_lists_the_shares_used(chip: DependencyGraph) -> None:
    gpu = impact(chip, {"samsung": 0.0}).explain("gpu")[0]
    assert (gpu.via, gpu.cause, gpu.source_fact) == ("source", "samsung", "urn:src:samsung")
    hynix, samsung, micron = gpu.shares
    assert hynix.share == pytest.approx(0.6)
    assert (hynix.supplier, hynix.low, hynix.high, hynix.fact) == (
        "sk-hynix",
        1,
        1,
        "urn:src:hynix",
    )
    assert samsung == ShareUsed("samsung", None, 0.0, 0.0, "urn:src:samsung")
    assert micron == ShareUsed("micron", None, 1.0, 1.0, "urn:src:micron")


def test_deprecated_availability_is_the_low_bound(chip: DependencyGraph) -> None:
    res = impact(chip, {"samsung": 0.0, "micron": 0.5})
    gpu = next(a for a in res.affected if a.id == "gpu")
    assert gpu.availability == gpu.low == res.availability("gpu") < gpu.high
    assert gpu.explanation[0].availability == gpu.explanation[0].low == gpu.low


def test_a_cycle_through_an_unknown_source_keeps_its_range() -> None:
    b = DependencyGraphBuilder()
    r = b.add_requirement("tool", "steel")
    b.add_source(r, "tool")  # tools made with tools, in an unknown share
    b.add_source(r, "fab")
    g = b.build()
    res = impact(g, {"fab": 0.5})
    assert res.bounds("tool") == (0.5, 1.0) and res.converged
    assert res.status("tool") is Status.POSSIBLY_CONSTRAINED
    assert res.cycles == (("tool",),)
    assert [s.item for s in res.explain("tool")] == ["tool", "fab"]


def test_the_explanation_takes_the_requirement_that_binds_in_the_best_case_too() -> None:
    """Two requirements at 0 in the worst case: one of them is also at 0 in the best (a single
    source), and that one explains the block, not the one a range leaves open."""
    b = DependencyGraphBuilder()
    package = b.add_requirement("chip", "cowos")
    b.add_source(package, "plant")  # unknown shares: 0 to 1
    b.add_source(package, "osat")
    stack = b.add_requirement("chip", "soic")
    b.add_source(stack, "plant")  # the only source: 0
    res = impact(b.build(), {"plant": 0.0})
    assert res.bounds("chip") == (0.0, 0.0)
    (chip,) = [a for a in res.affected if a.id == "chip"]
    assert chip.binding_requirement == "chip/soic"
    assert [s.item for s in chip.explanation] == ["chip", "plant"]


@pytest.mark.parametrize(
    ("shares", "bounds"),
    [
        ((None, None), (0.0, 1.0)),
        ((0.8, 0.6, None), (0.8 / 1.4, 0.8 / 1.4)),
        ((1.0, None), (1.0, 1.0)),
        ((0.2, 0.3), (0.4, 0.4)),
        ((0.0, 0.0), (0.5, 0.5)),
    ],
    ids=["all-unknown", "known-above-one", "known-fill-all", "all-known", "all-zero"],
)
def test_share_rules(shares: tuple[float | None, ...], bounds: tuple[float, float]) -> None:
    b = DependencyGraphBuilder()
    r = b.add_requirement("x", "in")
    for k, share in enumerate(shares):
        b.add_source(r, f"s{k}", share=share)
    res = impact(b.build(), {"s1": 0.0})
    assert res.bounds("x") == pytest.approx(bounds, abs=1e-7)


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
    assert recs[2]["low"] == recs[2]["high"] == recs[2]["availability"] == 0.0


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


def _check_bounds(case: tuple[DependencyGraph, dict[str, float]], sub: bool) -> None:
    g, shortages = case
    low, high = _bounds(g, shortages, sub)
    res = impact(g, shortages, substitution=sub)
    assert res.converged
    for x in g.ids:
        assert res.bounds(x) == pytest.approx((low[x], high[x]), abs=1e-9), x


@SETTINGS
@given(_cases(acyclic=True), st.booleans())
def test_bounds_are_the_extremes_over_share_vertices(
    case: tuple[DependencyGraph, dict[str, float]], sub: bool
) -> None:
    _check_bounds(case, sub)


@pytest.mark.slow
@SETTINGS
@given(_cases(acyclic=False), st.booleans())
def test_bounds_are_the_extremes_over_share_vertices_on_cycles(
    case: tuple[DependencyGraph, dict[str, float]], sub: bool
) -> None:
    assume(case[0].cycles())
    _check_bounds(case, sub)


@SETTINGS
@given(graphs_with_shortages(shares=KNOWN_SHARES), st.booleans())
def test_known_shares_give_the_point_value(
    case: tuple[DependencyGraph, dict[str, float]], sub: bool
) -> None:
    g, shortages = case
    want = ref.availability(g.to_networkx(), shortages, sub)
    res = impact(g, shortages, substitution=sub)
    for x in g.ids:
        low, high = res.bounds(x)
        assert low == high == pytest.approx(want[x], abs=1e-9), x
        if not _near_threshold(want[x]):
            assert res.status(x) is impact_status(want[x])


@pytest.mark.slow
@SETTINGS
@given(_cases(), st.booleans())
def test_status_follows_the_bounds(
    case: tuple[DependencyGraph, dict[str, float]], sub: bool
) -> None:
    g, shortages = case
    want = _bounds(g, shortages, sub)
    res = impact(g, shortages, substitution=sub)
    for x in g.ids:
        low, high = want[0][x], want[1][x]
        if not (_near_threshold(low) or _near_threshold(high)):
            assert res.status(x) is _status(low, high), x
        assert res.status(x) is impact_status(*res.bounds(x))
    assert sum(res.counts.values()) == g.n_items
    assert set(res.counts) == {str(s) for s in Status}
    assert len(res) == g.n_items - res.counts["OK"]
    ranked = res.ranked()
    assert {x for x, *_ in ranked} == {x for x in g.ids if res.bounds(x)[0] < 1 - EPSILON}
    assert ranked == sorted(ranked, key=lambda t: (t[1], t[2], t[0]))
    assert [(a.id, a.low, a.high, a.binding_requirement) for a in res.affected] == ranked
    assert all(a.status is impact_status(a.low, a.high) for a in res.affected)
    cols = res.columns()  # the same rows, as arrays
    assert res.nbytes >= 8 * g.n_items and cols.nbytes >= 4 * 8 * len(cols)
    assert len(cols) == len(ranked) and cols.ids() == [x for x, *_ in ranked]
    for k, a in enumerate(res.affected):
        assert (cols.id(k), cols.layer(k), cols.binding(k)) == (
            a.id, a.layer, a.binding_requirement
        )  # fmt: skip
        assert (float(cols.low[k]), float(cols.high[k])) == (a.low, a.high)
        assert cols.status(k) is a.status and int(cols.rank[k]) == a.status.rank


@pytest.mark.slow
@SETTINGS
@given(_cases(), st.booleans())
def test_explanations_follow_the_low_bound(
    case: tuple[DependencyGraph, dict[str, float]], sub: bool
) -> None:
    g, shortages = case
    low = _bounds(g, shortages, sub)[0]
    acyclic = not g.cycles()
    res = impact(g, shortages, substitution=sub)
    for a in res.affected:
        chain = a.explanation
        assert chain[0].item == a.id
        for step, nxt in itertools.pairwise(chain):
            assert step.cause == nxt.item
            assert step.requirement is not None
            assert low[step.requirement] == pytest.approx(step.low, abs=1e-9)
            (req,) = [q for q in g.requirements(step.item) if q.id == step.requirement]
            assert [(u.supplier, u.share, u.fact) for u in step.shares] == [
                (s.supplier, s.share, s.fact) for s in req.sources
            ]
            assert all((u.low, u.high) == res.bounds(u.supplier) for u in step.shares)
            if step.via == "source":
                assert step.cause in {s.supplier for s in req.sources}
            else:
                assert step.cause == req.input
        if a.binding_requirement is None:
            assert shortages[a.id] == pytest.approx(a.low, abs=1e-9)
        if acyclic:
            assert chain[-1].cause is None and chain[-1].item in shortages
            assert chain[-1].shares == ()
