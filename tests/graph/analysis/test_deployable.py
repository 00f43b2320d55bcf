from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from stackgraph.graph.analysis import (
    DependencyGraph,
    DependencyGraphBuilder,
    UnknownNodeError,
    deployable,
)

from . import _reference as ref
from ._strategies import SHARES

SETTINGS = settings(max_examples=150, deadline=None)
QUANTITIES = st.sampled_from([None, 0.5, 1.0, 2.0, 3.0, 8.0])
CAPACITIES = st.sampled_from([0.0, 1.0, 5.0, 10.0, 64.0, 100.0])


@st.composite
def programs(
    draw: st.DrawFn,
    with_sources: bool = True,
    acyclic: bool = True,
    max_items: int = 7,
    every_capacity: bool = False,
) -> tuple[DependencyGraph, dict[str, float], dict[str, float], dict[tuple[str, str], float]]:
    """A random graph with quantities, targets with weights, capacities of items and of
    (supplier, input) pairs; with `every_capacity`, a capacity of every item, drawn from a
    continuous range so that ties are rare."""
    n = draw(st.integers(2, max_items))
    ids = [f"n{i}" for i in range(n)]
    b = DependencyGraphBuilder()
    for k in ids:
        b.add_item(k)
    pairs: list[tuple[str, str]] = []
    for i in range(n):
        pool = list(range(i + 1, n)) if acyclic else [j for j in range(n) if j != i]
        if not pool:
            continue
        for j in draw(st.lists(st.sampled_from(pool), max_size=3, unique=True)):
            r = b.add_requirement(ids[i], ids[j], quantity=draw(QUANTITIES))
            if not with_sources:
                continue
            for s in draw(st.lists(st.sampled_from(pool), max_size=3, unique=True)):
                b.add_source(r, ids[s], share=draw(SHARES))
                pairs.append((ids[s], ids[j]))
    g = b.build()
    targets = {
        t: draw(st.sampled_from([1.0, 2.0]))
        for t in draw(
            st.lists(st.sampled_from(ids[: max(1, n // 2)]), min_size=1, max_size=2, unique=True)
        )
    }
    if every_capacity:
        capacity = {k: draw(st.floats(1.0, 100.0)) for k in ids}
    else:
        capacity = {k: draw(CAPACITIES) for k in draw(st.lists(st.sampled_from(ids), unique=True))}
    held = (
        {p: draw(CAPACITIES) for p in draw(st.lists(st.sampled_from(pairs), unique=True))}
        if pairs
        else {}
    )
    return g, targets, capacity, held


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)


@SETTINGS
@given(programs(with_sources=False))
def test_without_sources_the_answer_is_the_tightest_capacity_over_its_need(case) -> None:
    g, targets, capacity, _ = case
    got = deployable(g, targets, capacity)
    assert _close(got.mixes, ref.deployable_and(g.to_networkx(), targets, capacity))


@SETTINGS
@given(programs(acyclic=False), st.booleans())
def test_agrees_with_a_second_formulation(case, substitution: bool) -> None:
    g, targets, capacity, held = case
    got = deployable(g, targets, capacity, source_capacity=held, substitution=substitution)
    want = ref.deployable_lp(g.to_networkx(), targets, capacity, held, substitution)
    assert _close(got.mixes, want)
    if got.mixes is not None:
        assert all(_close(got.units[t], w * got.mixes) for t, w in targets.items())


@SETTINGS
@given(programs(), st.sampled_from([0.5, 2.0, 3.0, 1e6]))
def test_scaling_every_capacity_scales_the_answer(case, k: float) -> None:
    g, targets, capacity, held = case
    base = deployable(g, targets, capacity, source_capacity=held)
    scaled = deployable(
        g,
        targets,
        {j: c * k for j, c in capacity.items()},
        source_capacity={p: c * k for p, c in held.items()},
    )
    assert base.status == scaled.status
    if base.mixes is not None and scaled.mixes is not None:
        assert math.isclose(scaled.mixes, k * base.mixes, rel_tol=1e-6, abs_tol=1e-6)


@pytest.mark.slow
@SETTINGS
@given(programs())
def test_a_capacity_that_does_not_bind_can_go(case) -> None:
    g, targets, capacity, held = case
    base = deployable(g, targets, capacity, source_capacity=held)
    slack = [c for c in base.constraints if c.supplier is None and c.utilisation < 1 - 1e-6]
    assume(base.mixes is not None and slack)
    rest = {j: v for j, v in capacity.items() if j != slack[0].item}
    assert _close(deployable(g, targets, rest, source_capacity=held).mixes, base.mixes)


@pytest.mark.slow
@SETTINGS
@given(programs(every_capacity=True), st.sampled_from([1e-3, 1e-2]))
def test_cutting_the_binding_capacity_costs_its_shadow_price(case, fraction: float) -> None:
    g, targets, capacity, held = case
    base = deployable(g, targets, capacity, source_capacity=held)
    assume(base.mixes is not None and base.mixes > 0)
    tight = [c for c in base.constraints if c.utilisation > 1 - 1e-7]
    # one capacity alone at its limit: the program is not degenerate there, so its shadow
    # price is the rate at which a cut lowers the answer
    assume(len(tight) == 1 and tight[0].binding and tight[0].supplier is None)
    c = tight[0]
    cut = c.capacity * fraction
    lower = deployable(g, targets, {**capacity, c.item: c.capacity - cut}, source_capacity=held)
    assert lower.mixes is not None
    assert math.isclose(base.mixes - lower.mixes, c.shadow_price * cut, rel_tol=1e-4, abs_tol=1e-7)


def _rack() -> DependencyGraph:
    b = DependencyGraphBuilder()
    r = b.add_requirement("rack", "gpu", quantity=72)
    b.add_requirement("gpu", "cowos", quantity=1 / 16)
    h = b.add_requirement("gpu", "hbm", quantity=8)
    b.add_source(h, "hbm-a", share=0.75)
    b.add_source(h, "hbm-b", share=0.25)
    b.add_requirement("gpu", "substrate")
    del r
    return b.build()


def test_fixed_shares_bind_a_vendor_and_substitution_frees_it() -> None:
    g = _rack()
    caps = {"cowos": 100.0, "hbm-a": 6_000.0, "hbm-b": 8_000.0}
    fixed = deployable(g, ["rack"], caps)
    # vendor A carries 3/4 of 8 stacks a GPU: 6,000 stacks make 1,000 GPUs, 13.9 racks
    assert fixed.mixes == pytest.approx(1_000 / 72)
    assert [c.item for c in fixed.binding] == ["hbm-a"]
    free = deployable(g, ["rack"], caps, substitution=True)
    # any mix of vendors: 14,000 stacks make 1,750 GPUs; CoWoS allows 1,600
    assert free.mixes == pytest.approx(1_600 / 72)
    assert [c.item for c in free.binding] == ["cowos"]
    assert free.binding[0].shadow_price == pytest.approx(16 / 72)


def test_what_bounds_nothing_is_named() -> None:
    g = _rack()
    d = deployable(g, ["rack"], {"cowos": 100.0})
    # the input is named; its vendors are suppliers, bounded by what they hold of it
    assert d.unbounded == ("hbm",)
    assert d.unquantified == ("gpu/substrate",)
    none = deployable(g, ["rack"], {})
    assert none.status == "unbounded" and none.mixes is None and none.units == {"rack": None}


def test_held_capacity_bounds_one_suppliers_flows() -> None:
    g = _rack()
    d = deployable(g, ["rack"], {"cowos": 1e9}, source_capacity={("hbm-b", "hbm"): 800.0})
    # vendor B's quarter of the stacks: 800 stacks make 400 GPUs
    assert d.mixes == pytest.approx(400 / 72)
    assert d.binding[0].item == "hbm" and d.binding[0].supplier == "hbm-b"


@pytest.mark.parametrize(
    ("targets", "capacity", "error"),
    [
        ([], {}, ValueError),
        ({"rack": 0.0}, {}, ValueError),
        (["nope"], {}, UnknownNodeError),
        (["rack"], {"nope": 1.0}, UnknownNodeError),
        (["rack"], {"cowos": -1.0}, ValueError),
    ],
    ids=["no-target", "zero-weight", "unknown-target", "unknown-item", "negative"],
)
def test_bad_arguments_are_refused(targets, capacity, error) -> None:
    with pytest.raises(error):
        deployable(_rack(), targets, capacity)
