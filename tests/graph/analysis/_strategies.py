"""Hypothesis strategies: small random AND/OR graphs and scenarios."""

from __future__ import annotations

from hypothesis import strategies as st

from stackgraph.graph.analysis import DependencyGraph, DependencyGraphBuilder

LEADS = st.sampled_from([None, 0, 1, 2, 5, 8])
SHARES = st.sampled_from([None, None, 0.0, 0.2, 0.5, 0.7, 1.0])
KNOWN_SHARES = st.sampled_from([0.0, 0.2, 0.5, 0.7, 1.0])
#: Mostly unknown, so that share intervals are wide and often met.
UNKNOWN_SHARES = st.sampled_from([None, None, None, None, 0.0, 0.2, 0.5, 1.0])


@st.composite
def and_or_graphs(
    draw: st.DrawFn,
    max_items: int = 8,
    acyclic: bool | None = None,
    shares: st.SearchStrategy[float | None] = SHARES,
    fresh_inputs: bool = False,
) -> DependencyGraph:
    """A random AND/OR graph; cycles allowed unless ``acyclic``, shares drawn from ``shares``.

    With ``fresh_inputs`` every requirement's input is a new item ``in<i>.<j>`` of its own,
    so that only the sources limit it.
    """
    n = draw(st.integers(1, max_items))
    ids = [f"n{i}" for i in range(n)]
    cyclic = draw(st.booleans()) if acyclic is None else not acyclic
    b = DependencyGraphBuilder()
    for i, k in enumerate(ids):
        b.add_item(
            k,
            layer=draw(st.sampled_from([None, "compute", "memory"])),
            category=draw(st.sampled_from([None, "system", "part"])),
            lead_time_days=draw(LEADS),
            stage_time_days=draw(LEADS),
            fact=f"urn:x:item:{i}",
        )
    for i in range(n):
        pool = list(range(n)) if cyclic else list(range(i))
        if not pool:
            continue
        for j in range(draw(st.integers(int(fresh_inputs), 3))):
            inp = f"in{i}.{j}" if fresh_inputs else ids[draw(st.sampled_from(pool))]
            r = b.add_requirement(
                ids[i], inp, lead_time_days=draw(LEADS), fact=f"urn:x:req:{i}:{j}"
            )
            for s in draw(
                st.lists(
                    st.sampled_from(pool),
                    min_size=min(len(pool), 2 * fresh_inputs),
                    max_size=3,
                    unique=True,
                )
            ):
                b.add_source(
                    r,
                    ids[s],
                    share=draw(shares),
                    lead_time_days=draw(LEADS),
                    fact=f"urn:x:src:{i}:{j}:{s}",
                )
    return b.build()


@st.composite
def graphs_with_shortages(
    draw: st.DrawFn,
    acyclic: bool | None = None,
    shares: st.SearchStrategy[float | None] = SHARES,
    max_items: int = 8,
    max_shortages: int = 3,
    fresh_inputs: bool = False,
) -> tuple[DependencyGraph, dict[str, float]]:
    """A random graph (as :func:`and_or_graphs`) and shortages of up to ``max_shortages`` of
    its items (never of the fresh inputs)."""
    g = draw(and_or_graphs(max_items, acyclic, shares, fresh_inputs))
    pool = sorted(k for k in g.ids if not k.startswith("in"))
    names = draw(st.lists(st.sampled_from(pool), max_size=max_shortages, unique=True))
    return g, {k: draw(st.sampled_from([0.0, 0.3, 0.5, 0.9, 1.0])) for k in names}
