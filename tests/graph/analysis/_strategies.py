"""Hypothesis strategies: small random AND/OR graphs and scenarios."""

from __future__ import annotations

from hypothesis import strategies as st

from graph.analysis import DependencyGraph, DependencyGraphBuilder

LEADS = st.sampled_from([None, 0, 1, 2, 5, 8])
SHARES = st.sampled_from([None, None, 0.0, 0.2, 0.5, 0.7, 1.0])


@st.composite
def and_or_graphs(
    draw: st.DrawFn, max_items: int = 8, acyclic: bool | None = None
) -> DependencyGraph:
    """A random AND/OR graph; cycles allowed unless ``acyclic``."""
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
            fact=f"urn:x:item:{i}",
        )
    for i in range(n):
        pool = list(range(n)) if cyclic else list(range(i))
        if not pool:
            continue
        for j in range(draw(st.integers(0, 3))):
            inp = draw(st.sampled_from(pool))
            r = b.add_requirement(
                ids[i], ids[inp], lead_time_days=draw(LEADS), fact=f"urn:x:req:{i}:{j}"
            )
            for s in draw(st.lists(st.sampled_from(pool), max_size=3, unique=True)):
                b.add_source(
                    r,
                    ids[s],
                    share=draw(SHARES),
                    lead_time_days=draw(LEADS),
                    fact=f"urn:x:src:{i}:{j}:{s}",
                )
    return b.build()


@st.composite
def graphs_with_shortages(
    draw: st.DrawFn, acyclic: bool | None = None
) -> tuple[DependencyGraph, dict[str, float]]:
    g = draw(and_or_graphs(acyclic=acyclic))
    names = draw(st.lists(st.sampled_from(sorted(g.ids)), max_size=3, unique=True))
    return g, {k: draw(st.sampled_from([0.0, 0.3, 0.5, 0.9, 1.0])) for k in names}
