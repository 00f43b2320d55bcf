"""A snapshot of the generator's graph as the projection would build it from the ingested
sources of ``bench/sources.py``, without the store (the ingest does not reach 1M items here).

Every item is an entity (``id/<slug>``, its name, layer and category), every requirement and
source a record with its IRI (``id/requirement/<item>/<input>``,
``id/supply/<input>/<supplier>/<consumer>``), every record the one provenance of the sources
(one shared object, as the projection shares one per page), the names index by name and slug,
and a capacity record for each item of the two lowest tiers with a figure.

Usage: ``python bench/synthetic.py 100000`` prints the snapshot's sizes and where its memory
goes (the dependency graph's arrays against the Python tables, by tracemalloc).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import TIERS, Synthetic, generate
from sources import _KIND, _PROVENANCE

from stackgraph.graph.analysis import DependencyGraph
from stackgraph.graph.namespace import normalise
from stackgraph.graph.snapshot import CapacityInfo, EntityInfo, Provenance, Snapshot, SupplyInfo
from stackgraph.graph.units import canonical

__all__ = ["synthetic_snapshot"]

_ID = "https://w3id.org/stackgraph/id/"
_GRAPH = "https://w3id.org/stackgraph/graph/"


def synthetic_snapshot(s: Synthetic, version: str = "synthetic") -> Snapshot:
    """The snapshot of `s` (see the module docstring)."""
    prov = Provenance(
        _PROVENANCE["source"], _PROVENANCE["as_of"], _PROVENANCE["confidence"], False, _GRAPH
    )
    n = len(s.ids)
    tier = s.tier.tolist()
    entities: dict[str, EntityInfo] = {}
    provenance: dict[str, Provenance] = {}
    names: dict[str, str] = {}
    strings: list[str] = []
    index: dict[str, int] = {}

    def code(text: str) -> int:
        k = index.get(text)
        if k is None:
            k = index[text] = len(strings)
            strings.append(text)
        return k

    item_name, item_layer, item_cat, item_fact = (np.empty(n, np.int32) for _ in range(4))
    for i, slug in enumerate(s.ids):
        cls, layer, category = _KIND[TIERS[tier[i]][0]]
        iri = _ID + slug
        e = entities[slug] = EntityInfo(
            slug, iri, slug.replace("-", " ").title(), (cls,), layer, category
        )
        provenance[iri] = prov
        names.setdefault(normalise(e.name), slug)
        item_name[i], item_layer[i] = code(e.name), code(layer)
        item_cat[i], item_fact[i] = code(category), code(iri)
    for slug in s.ids:
        names[normalise(slug)] = slug
    ids = s.ids
    req_fact = np.empty(len(s.req_item), np.int32)
    for r, (i, j) in enumerate(zip(s.req_item.tolist(), s.req_input.tolist(), strict=True)):
        iri = f"{_ID}requirement/{ids[i]}/{ids[j]}"
        provenance[iri] = prov
        req_fact[r] = code(iri)
    supplies: list[SupplyInfo] = []
    src_fact = np.empty(len(s.src_req), np.int32)
    shares, leads = s.src_share.tolist(), s.src_lead.tolist()
    for k, (r, j) in enumerate(zip(s.src_req.tolist(), s.src_item.tolist(), strict=True)):
        inp, con = ids[int(s.req_input[r])], ids[int(s.req_item[r])]
        iri = f"{_ID}supply/{inp}/{ids[j]}/{con}"
        provenance[iri] = prov
        share = None if math.isnan(shares[k]) else float(shares[k])
        lead = None if leads[k] < 0 else int(leads[k])
        supplies.append(SupplyInfo(iri, inp, ids[j], con, share, "qualified", lead))
        src_fact[k] = code(iri)
    capacities: list[CapacityInfo] = []
    for i in np.flatnonzero(~np.isnan(s.capacity)).tolist():
        iri = f"{_ID}capacity/{ids[i]}/-/capacity/-/2026"
        provenance[iri] = prov
        amount = float(s.capacity[i])
        capacities.append(
            CapacityInfo(
                iri,
                ids[i],
                None,
                amount,
                None,
                "units",
                "month",
                2026,
                None,
                "capacity",
                canonical(amount, None, "units", "month"),
            )
        )
    graph = DependencyGraph.from_arrays(
        ids,
        s.req_item,
        s.req_input,
        s.src_req,
        s.src_item,
        src_share=s.src_share,
        item_lead=s.item_lead,
        req_lead=s.req_lead,
        src_lead=s.src_lead,
        req_quantity=s.req_quantity,
        strings=strings,
        item_name=item_name,
        item_layer=item_layer,
        item_category=item_cat,
        item_fact=item_fact,
        req_fact=req_fact,
        src_fact=src_fact,
    )
    return Snapshot(
        version=version,
        graph=graph,
        entities=entities,
        provenance=provenance,
        supplies=tuple(supplies),
        names=names,
        capacities=tuple(capacities),
    )


def _deep(obj: object, seen: set[int]) -> int:
    """Bytes of `obj` and of everything it holds not counted yet (numpy arrays by nbytes)."""
    stack, total = [obj], 0
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if isinstance(o, np.ndarray):
            total += o.nbytes
            continue
        total += sys.getsizeof(o)
        if isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, list | tuple | set | frozenset):
            stack.extend(o)
        elif hasattr(o, "__slots__"):
            stack.extend(
                getattr(o, a)
                for c in type(o).__mro__
                for a in getattr(c, "__slots__", ())
                if hasattr(o, a)
            )
        elif hasattr(o, "__dict__"):
            stack.extend(vars(o).values())
    return total


def breakdown(snap: Snapshot) -> dict[str, int]:
    """Bytes of each part of `snap`: the dependency graph's arrays, its Python parts (ids,
    string table, index), then each lookup table; an object shared by two parts counts in the
    first."""
    g = snap.graph
    lay = g._lay
    seen: set[int] = set()
    parts = {
        "graph arrays": sum(
            _deep(getattr(lay, a), seen)
            for a in type(lay).__slots__
            if isinstance(getattr(lay, a), np.ndarray)
        )
        + _deep(g._cache, seen),
        "graph ids + index": _deep(lay.ids, seen) + _deep(g._index, seen),
        "graph string table": _deep(lay.strings, seen) + _deep(lay.req_names, seen),
    }
    for name in ("entities", "provenance", "supplies", "names", "capacities"):
        parts[name] = _deep(getattr(snap, name), seen)
    return parts


def _measure(items: int) -> None:
    import gc
    import resource
    import time

    s = generate(items)
    gc.collect()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    snap = synthetic_snapshot(s)
    seconds = time.perf_counter() - t
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    print(
        f"{items:,} items: {len(snap.entities):,} entities, {len(snap.provenance):,} facts,"
        f" {len(snap.supplies):,} supplies, {len(snap.names):,} names,"
        f" {len(snap.capacities):,} capacities; built in {seconds:.1f} s;"
        f" max RSS grew {grew:,.0f} MiB"
    )
    parts = breakdown(snap)
    total = sum(parts.values())
    for name, size in parts.items():
        print(f"  {name:20} {size / 2**20:8,.0f} MiB  {100 * size / total:4.0f} %")
    print(f"  {'total':20} {total / 2**20:8,.0f} MiB")


if __name__ == "__main__":
    _measure(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
