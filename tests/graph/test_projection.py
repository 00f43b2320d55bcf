"""The projection on the example data: entities, names index, supplies, capacities, provenance."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import stackgraph.graph._records
import stackgraph.graph.projection
import stackgraph.graph.snapshot
from stackgraph.graph._records import Records
from stackgraph.graph.errors import StackgraphError
from stackgraph.graph.namespace import META_GRAPH, PROV, SG, entity_iri, graph_iri, normalise
from stackgraph.graph.projection import Snapshot, build_snapshot, graph_version
from stackgraph.graph.store import GraphWrite, Store, open_store
from stackgraph.ingest.run import IngestOptions, ingest
from tests.conftest import EXAMPLES, ROOT, run_cli


def _store(*paths: Path) -> Store:
    store = open_store("memory:")
    ingest(IngestOptions(paths=list(paths)), store=store)
    return store


@pytest.fixture(scope="module")
def store() -> Store:
    return _store(EXAMPLES / "valid")


@pytest.fixture(scope="module")
def snap(store: Store) -> Snapshot:
    return build_snapshot(store)


def test_record_types_are_importable_from_the_projection() -> None:
    for name in ("CapacityInfo", "EntityInfo", "Provenance", "Snapshot", "SupplyInfo"):
        assert getattr(stackgraph.graph.projection, name) is getattr(
            stackgraph.graph.snapshot, name
        ), name
        assert (
            name in stackgraph.graph.projection.__all__
            and name in stackgraph.graph.snapshot.__all__
        )


def test_every_organization_product_and_facility_is_an_entity(snap: Snapshot) -> None:
    assert len(snap.entities) == 18 and list(snap.entities) == sorted(snap.entities)
    x1 = snap.entities["ex-accelerator"]
    assert (x1.iri, x1.name, x1.types) == (
        str(entity_iri("ex-accelerator")),
        "Example Accelerator X1",
        ("Product",),
    )
    assert (x1.layer, x1.category, x1.aliases) == ("compute", "accelerator", ("Example X-1", "X1"))
    assert snap.entities["ex-designer"].types == ("Organization",)
    assert snap.entities["ex-designer"].category is None
    assert snap.entities["ex-datacenter"].types == ("Facility",)
    assert snap.entities["ex-switch"].layer == "networking"  # from the Turtle source
    assert snap.entities["ex-odm"].aliases == ("ExODM", "Example Assembly")  # from the CSV


def test_the_entities_are_the_items_of_the_graph(snap: Snapshot) -> None:
    g = snap.graph
    assert sorted(g.ids) == sorted(snap.entities)
    item = g.item("ex-accelerator")
    assert (item.name, item.layer, item.category) == (
        "Example Accelerator X1",
        "compute",
        "accelerator",
    )
    assert (item.lead_time_days, item.fact) == (30, str(entity_iri("ex-accelerator")))


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Example Accelerator X1", "ex-accelerator"),
        ("example x-1", "ex-accelerator"),
        ("X1", "ex-accelerator"),
        ("ex-accelerator", "ex-accelerator"),
        ("Example Assembly", "ex-odm"),
        ("Example Designer X1", "ex-accelerator"),
        ("ExDes Example Accelerator X1", "ex-accelerator"),
        ("Example Hyperscaler Example Campus", "ex-datacenter"),
        ("Example Foundry Example Fab 1", "ex-fab"),
        ("Example Assembly Example Compute Tray", "ex-tray"),
    ],
    ids=lambda v: str(v),
)
def test_names_index_finds_names_aliases_slugs_and_maker_prefixed_names(
    snap: Snapshot, name: str, slug: str
) -> None:
    assert snap.names[normalise(name)] == slug


def test_a_maker_prefix_needs_the_maker(snap: Snapshot) -> None:
    assert normalise("Example Hyperscaler X1") not in snap.names
    assert normalise("Example Foundry X1") not in snap.names
    assert set(snap.names.values()) == set(snap.entities)


def test_supplies_keep_every_record_and_become_sources(snap: Snapshot) -> None:
    by_iri = {s.iri: s for s in snap.supplies}
    assert len(by_iri) == 5 and [s.iri for s in snap.supplies] == sorted(by_iri)
    hbm_a = next(s for s in snap.supplies if s.supplier == "ex-hbm-a")
    assert (hbm_a.input, hbm_a.consumer, hbm_a.share) == ("ex-hbm", "ex-accelerator", 0.7)
    assert hbm_a.qualification == "qualified"
    fab = next(s for s in snap.supplies if s.supplier == "ex-fab")
    assert (fab.consumer, fab.share, fab.lead_time_days) == (None, None, 90)
    odm = next(s for s in snap.supplies if s.input == "ex-tray")
    assert odm.supplier == "ex-odm"  # the CSV names the supplier by alias
    reqs = {r.input: r for r in snap.graph.requirements("ex-accelerator")}
    assert [(s.supplier, s.fact) for s in reqs["ex-hbm"].sources] == [
        ("ex-hbm-a", hbm_a.iri),
        ("ex-hbm-b", next(s.iri for s in snap.supplies if s.supplier == "ex-hbm-b")),
    ]
    assert [s.supplier for s in reqs["ex-node"].sources] == ["ex-fab"]  # a market supply
    assert reqs["ex-abf-substrate"].sources == ()


def test_a_facility_requires_its_operator(snap: Snapshot) -> None:
    implied = {r.id: r for r in snap.graph.requirements("ex-datacenter")}
    op = implied["ex-datacenter/operator:ex-hyperscaler"]
    assert (op.input, op.fact) == ("ex-hyperscaler", str(entity_iri("ex-datacenter")))
    assert [r.input for r in snap.graph.requirements("ex-fab")] == ["ex-foundry"]


def test_capacities(snap: Snapshot) -> None:
    (cap,) = snap.capacities
    assert (cap.of, cap.holder, cap.amount, cap.amount_max) == (
        "ex-cowos",
        "ex-foundry",
        75000.0,
        80000.0,
    )
    assert (cap.unit, cap.period, cap.year, cap.note) == ("wafers", "month", 2025, None)
    assert snap.capacities_of("ex-foundry") == snap.capacities_of("ex-cowos", 2025) == [cap]
    assert snap.capacities_of("ex-cowos", 2024) == []


def test_every_fact_of_the_graph_has_provenance(snap: Snapshot) -> None:
    g = snap.graph
    facts = {g.item(i).fact for i in g.ids}
    for i in g.ids:
        for r in g.requirements(i):
            facts.add(r.fact)
            facts.update(s.fact for s in r.sources)
    facts.update(c.iri for c in snap.capacities)
    assert None not in facts
    assert facts <= set(snap.provenance)


def test_provenance_of_an_entity_and_of_a_supply(snap: Snapshot) -> None:
    x1 = snap.provenance[str(entity_iri("ex-accelerator"))]
    assert x1.record(str(entity_iri("ex-accelerator"))) == {
        "iri": str(entity_iri("ex-accelerator")),
        "source": "https://example.org/x1",
        "as_of": "2025-03-18",
        "confidence": "high",
        "estimated": False,
        "tier": "primary",
        "graph": str(graph_iri("chain")),
        "weak": False,
    }
    odm = next(s for s in snap.supplies if s.input == "ex-tray")
    p = snap.provenance[odm.iri]
    assert (p.confidence, p.estimated, p.graph) == ("low", True, str(graph_iri("extra")))
    assert p.record(odm.iri) == {"iri": odm.iri, **p.to_dict()}


def test_the_version_is_the_hash_of_the_ingested_content(store: Store, snap: Snapshot) -> None:
    assert snap.version == graph_version(store) and len(snap.version) == 16
    assert build_snapshot(store, version="v1").version == "v1"
    assert graph_version(open_store("memory:")) != snap.version


_CLAIMS = """\
title: Lead-time claims
claims:
  - {subject: ex-accelerator, property: lead_time_days, value: "45", unit: days, source: "https://example.org/x1-lead", as_of: 2025-06, confidence: high}
  - {subject: ex-rack, property: lead_time_days, value: "200", unit: days, source: "https://example.org/rack-rumour", as_of: "2026", confidence: low}
  - {subject: ex-cowos, property: lead_time_days, value: "150", unit: days, source: "https://example.org/cowos-lead", as_of: "2025", confidence: medium}
"""


def test_a_better_sourced_lead_time_claim_is_the_one_cited(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(EXAMPLES / "valid", sources)
    (sources / "claims.yaml").write_text(_CLAIMS, encoding="utf-8")
    snap = build_snapshot(_store(sources))

    def cited(slug: str) -> tuple[int | None, str | None]:
        item = snap.graph.item(slug)
        source = None if item.fact is None else snap.provenance[item.fact].source
        return item.lead_time_days, source

    assert cited("ex-accelerator") == (45, "https://example.org/x1-lead")  # as sure, newer
    assert cited("ex-rack") == (90, "https://example.org/rack")  # the claim is less sure
    assert cited("ex-cowos") == (150, "https://example.org/cowos-lead")  # no figure of its own


# ---------------------------------------------------------------------- reading by scans


def _parts(snap: Snapshot) -> dict[str, Any]:
    """Everything a snapshot holds, in its order, the dependency graph as its items and
    requirements."""
    g = snap.graph
    return {
        "version": snap.version,
        "graph": [(g.item(i), g.requirements(i)) for i in g.ids],
        "entities": list(snap.entities.items()),
        "provenance": list(snap.provenance.items()),
        "supplies": snap.supplies,
        "names": list(snap.names.items()),
        "capacities": snap.capacities,
        "requirement_units": list(snap.requirement_units.items()),
        "per_wafer": snap.per_wafer,
    }


def test_both_scans_read_the_same_snapshot(
    store: Store, snap: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past PER_GRAPH_MAX graphs, one scan per property names the graph of every triple.
    monkeypatch.setattr(stackgraph.graph._records, "PER_GRAPH_MAX", 0)
    assert _parts(build_snapshot(store)) == _parts(snap)


def _copy(store: Store, into: Store) -> Store:
    into.replace_graphs(GraphWrite(g, store.graph_ntriples(g)) for g in store.named_graphs())
    return into


def _clear(store: Store) -> None:
    # Only the graphs the store lists: Virtuoso keeps graphs of its own, which DROP ALL takes.
    store.replace_graphs(GraphWrite(g, "") for g in store.named_graphs())


@pytest.fixture
def sparql_store(sparql_server: str, store: Store) -> Iterator[Store]:
    with open_store("sparql:" + sparql_server) as remote:
        _clear(remote)
        yield _copy(store, remote)
        _clear(remote)


def test_a_sparql_server_gives_the_same_snapshot(sparql_store: Store, snap: Snapshot) -> None:
    assert _parts(build_snapshot(sparql_store)) == _parts(snap)


def test_virtuoso_gives_the_bundled_data_the_same_snapshot(
    virtuoso_server: str, bundled: str
) -> None:
    # 35,000 triples written by the CLI in one update request of 5.6 MB, read back in pages.
    spec = "sparql:" + virtuoso_server
    with open_store(spec) as remote:
        _clear(remote)
        result = run_cli("ingest", str(ROOT / "data"), "--store", spec, "-q")
        assert result.code == 0, result.stderr[-2000:]
        with open_store(bundled, read_only=True) as local:
            assert _parts(build_snapshot(remote)) == _parts(build_snapshot(local))
        _clear(remote)


def test_a_lead_time_past_the_schema_names_its_record(store: Store) -> None:
    broken = _copy(store, open_store("memory:"))
    x1 = entity_iri("ex-accelerator")
    broken.update(
        f"DELETE {{ GRAPH ?g {{ <{x1}> <{SG.leadTimeDays}> ?d }} }}"
        f" INSERT {{ GRAPH ?g {{ <{x1}> <{SG.leadTimeDays}> 99999999999 }} }}"
        f" WHERE {{ GRAPH ?g {{ <{x1}> <{SG.leadTimeDays}> ?d }} }}"
    )
    with pytest.raises(StackgraphError, match=rf"{x1}: a lead time of 99999999999 days"):
        build_snapshot(broken)


# The join of the columns against the SPARQL it replaces, on small stores with what ingest never
# writes: a record in two graphs or of two classes, two values of one property, a value in a
# graph that does not type the record, a record without its core property, the metadata graph.
_EX = "https://example.org/"
_CLASSES = (str(SG.Supply), str(SG.Claim))
_GRAPHS = (str(graph_iri("a")), str(graph_iri("b")), str(META_GRAPH))
_OBJECTS = {
    "a": [f"<{c}>" for c in _CLASSES],
    f"<{SG.input}>": [f"<{_EX}in1>", f"<{_EX}in2>", f"<{_EX}in3>"],
    f"<{SG.share}>": ['"0.5"^^<http://www.w3.org/2001/XMLSchema#double>', '"1"'],
    f"<{PROV.wasDerivedFrom}>": [f"<{_EX}page1>", "<https://www.tsmc.com/x>"],
    f"<{SG.asOf}>": ['"2025-03"', '"2024"'],
    f"<{SG.confidence}>": ['"high"', '"low"'],
    f"<{SG.estimated}>": ['"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'],
}


@st.composite
def _quads(draw: st.DrawFn) -> list[str]:
    """Quads of three records: each typed up to three times, each property with up to three
    values, each in any graph."""
    quads = []
    for record in (f"<{_EX}r{i}>" for i in range(3)):
        for p, objects in _OBJECTS.items():
            for o, g in draw(
                st.lists(st.tuples(st.sampled_from(objects), st.sampled_from(_GRAPHS)), max_size=3)
            ):
                quads.append(f"GRAPH <{g}> {{ {record} {p} {o} }}")
    return quads


def _sparql_rows(store: Store, classes: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The rows the projection's SPARQL of OPTIONALs gave for these columns."""
    types = " ".join(f"<{c}>" for c in classes)
    return store.select(
        "SELECT ?x ?t ?in ?share ?src ?asof ?conf ?est ?g WHERE { GRAPH ?g {"
        f" ?x a ?t ; <{SG.input}> ?in . VALUES ?t {{ {types} }}"
        f" OPTIONAL {{ ?x <{SG.share}> ?share }}"
        f" OPTIONAL {{ ?x <{PROV.wasDerivedFrom}> ?src }} OPTIONAL {{ ?x <{SG.asOf}> ?asof }}"
        f" OPTIONAL {{ ?x <{SG.confidence}> ?conf }} OPTIONAL {{ ?x <{SG.estimated}> ?est }}"
        f" }} FILTER(?g != <{META_GRAPH}>) }}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("per_graph_max", [64, 0], ids=["graph by graph", "one scan"])
@settings(max_examples=200, deadline=None)
@given(quads=_quads())
@example(  # three values of one property in one graph
    quads=[
        f"GRAPH <{_GRAPHS[0]}> {{ <{_EX}r0> a <{_CLASSES[0]}> ; <{SG.input}> {o} }}"
        for o in _OBJECTS[f"<{SG.input}>"]
    ]
)
def test_the_join_of_the_scans_gives_the_rows_of_the_sparql(
    per_graph_max: int, quads: list[str]
) -> None:
    store = open_store("memory:")
    store.update(f"INSERT DATA {{ {' '.join(quads)} }}")
    records = Records(store, _CLASSES, per_graph_max)
    for classes in (_CLASSES, _CLASSES[:1]):
        inputs, shares = (records.column(p, classes) for p in (SG.input, SG.share))
        rows = list(records.rows(classes, [inputs], [shares]))
        assert [iri for iri, *_ in rows] == sorted(iri for iri, *_ in rows)
        got = [
            (iri, t, *values, p.source, p.as_of, p.confidence, p.estimated, p.graph)
            for iri, t, values, p in rows
        ]
        expected = [
            (x, t, i, sh, src, None if a is None else str(a), c, bool(e), g)
            for x, t, i, sh, src, a, c, e, g in _sparql_rows(store, classes)
        ]
        assert sorted(got, key=repr) == sorted(expected, key=repr)


_TERMS = [
    '"lead_time_days"',
    '"stage_time_days"',
    '"lead_time_days"@en',
    '"dies_per_wafer"',
    '"packages_per_cowos_wafer"@en',
    '"dies_per_wafer"^^<http://www.w3.org/2001/XMLSchema#token>',
    "<https://example.org/dies_per_wafer>",
    '"hbm_capacity_gb"',
    "7",
]


def test_the_claims_read_are_those_the_sparql_matched() -> None:
    store = open_store("memory:")
    claims = " ".join(
        f"<{_EX}c{k}> a <{SG.Claim}> ; <{SG.subject}> <{_EX}s> ; <{SG.property}> {term} ;"
        f' <{SG.value}> "5" .'
        for k, term in enumerate(_TERMS)
    )
    store.update(f"INSERT DATA {{ GRAPH <{_GRAPHS[0]}> {{ {claims} }} }}")
    # The three reads of the projection before its scans: two properties, and the pattern.
    expected = set()
    for prop, where in (
        ('"lead_time_days"', ""),
        ('"stage_time_days"', ""),
        ("?p", 'FILTER(REGEX(?p, "^[a-z]+_per_([a-z0-9]+_)?wafer$"))'),
    ):
        expected |= {
            (str(x), str(p))
            for x, p in store.select(
                f"SELECT ?x ({prop} AS ?prop) WHERE {{ GRAPH ?g {{ ?x a <{SG.Claim}> ;"
                f" <{SG.subject}> ?s ; <{SG.property}> {prop} ; <{SG.value}> ?v . {where} }} }}"
            )
        }
    read = stackgraph.graph.projection._claims(Records(store, (str(SG.Claim),)))
    assert {(iri, prop) for iri, _, prop, _, _ in read} == expected
    assert len(expected) == 4
