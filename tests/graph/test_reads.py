"""The two ways of reading records (``graph.reads``) give the same rows: index scans and SPARQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import projection, reads
from graph.namespace import META_GRAPH, PROV, SG
from graph.reads import Shape, read
from graph.store import GraphWrite, open_store

EX = "https://example.org/"
SHAPE = Shape(
    types=(f"{SG}Supply", f"{SG}Capacity"),
    required=(f"{EX}a",),
    optional=(f"{EX}b", f"{EX}c"),
    typed=True,
)
FIXED = Shape(types=(f"{SG}Claim",), required=(f"{EX}a",), fixed=((f"{EX}f", "yes"),))
GRAPHS = [f"{EX}g1", f"{EX}g2", str(META_GRAPH)]

record = st.fixed_dictionaries(
    {
        "x": st.integers(0, 5),
        "graph": st.sampled_from(GRAPHS),
        "types": st.sets(st.sampled_from([*SHAPE.types, *FIXED.types, f"{SG}Other"]), max_size=2),
        "a": st.none() | st.integers(0, 3),
        "b": st.none() | st.floats(0, 1, allow_nan=False),
        "c": st.none() | st.text("xyz", max_size=2),
        "f": st.none() | st.sampled_from(["yes", "no"]),
        "source": st.none() | st.sampled_from([f"{EX}s1", f"{EX}s2"]),
        "confidence": st.none() | st.sampled_from(["high", "low"]),
    }
)


def _quads(rec: dict[str, object]) -> Iterator[ox.Quad]:
    x, g = ox.NamedNode(f"{EX}r{rec['x']}"), ox.NamedNode(str(rec["graph"]))
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for t in rec["types"]:  # type: ignore[attr-defined]
        yield ox.Quad(x, rdf_type, ox.NamedNode(t), g)
    values = {
        f"{EX}a": rec["a"],
        f"{EX}b": rec["b"],
        f"{EX}c": rec["c"],
        f"{EX}f": rec["f"],
        str(PROV.wasDerivedFrom): rec["source"],
        f"{SG}confidence": rec["confidence"],
    }
    for p, v in values.items():
        if v is None:
            continue
        obj: ox.NamedNode | ox.Literal
        if isinstance(v, str) and v.startswith("http"):
            obj = ox.NamedNode(v)
        elif isinstance(v, float):
            obj = ox.Literal(
                repr(v), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
            )
        elif isinstance(v, int):
            obj = ox.Literal(
                str(v), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            )
        else:
            obj = ox.Literal(str(v))
        yield ox.Quad(x, ox.NamedNode(p), obj, g)


@settings(max_examples=150, deadline=None)
@given(st.lists(record, max_size=12, unique_by=lambda r: (r["x"], r["graph"])))
def test_scans_and_the_query_give_the_same_rows(records: list[dict[str, object]]) -> None:
    lines: dict[str, list[str]] = defaultdict(list)
    for q in (q for rec in records for q in _quads(rec)):
        lines[q.graph_name.value].append(f"{q.subject} {q.predicate} {q.object} .")
    meta = "\n".join(lines.pop(str(META_GRAPH), []))
    store = open_store("memory:")
    store.replace_graphs([GraphWrite(g, "\n".join(ls)) for g, ls in lines.items()], meta=meta)
    for shape in (SHAPE, FIXED):
        scanned = read(store, shape, scan=True)
        queried = read(store, shape, scan=False)
        assert sorted(scanned, key=repr) == sorted(queried, key=repr)
        assert all(row[-1] != str(META_GRAPH) for row in scanned)


def test_the_snapshot_is_the_same_either_way(bundled: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(bundled, read_only=True) as store:
        scanned = projection.build_snapshot(store)
        monkeypatch.setattr(
            projection,
            "read",
            lambda store, shape, scan=None, columns=None: reads.read(store, shape, scan=False),
        )
        queried = projection.build_snapshot(store)
    for part in ("entities", "provenance", "supplies", "capacities", "names"):
        assert getattr(scanned, part) == getattr(queried, part), part
    assert scanned.graph.to_networkx().edges == queried.graph.to_networkx().edges
