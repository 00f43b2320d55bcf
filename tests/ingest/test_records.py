"""Records: validated against their model, references resolved, IRIs minted, turned into RDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from stackgraph.ingest.readers import RawRecord, SourceFile
from stackgraph.ingest.records import (
    EntityIndex,
    ValidRecord,
    check_unique,
    record_iri,
    resolve_refs,
    validate_records,
)
from stackgraph.ingest.triples import to_graph

_ID = "https://w3id.org/stackgraph/id/"
_SG = "https://w3id.org/stackgraph/ns#"
_PROV = {"source": "https://example.org/a", "as_of": "2025-06", "confidence": "high"}
_ACME = {"id": "acme", "name": "Acme", "layer": "foundry", "roles": ["foundry"], **_PROV}
_CHIP = {"id": "chip", "name": "Chip X", "layer": "compute", "category": "accelerator", **_PROV}


def _source(*records: tuple[str | None, dict[str, Any]]) -> SourceFile:
    source = SourceFile(Path("a.yaml"), "a.yaml", "a", input_hash="")
    for line, (cls, data) in enumerate(records, start=1):
        source.records.append(RawRecord(cls, data, line=10 * line))
    return source


@pytest.fixture
def index() -> EntityIndex:
    """Acme (an organization, also known as ACME Corp) and Chip X (a product)."""
    index = EntityIndex()
    index.add("acme", "Organization", ["Acme", "ACME Corp"], "a.yaml:10")
    index.add("chip", "Product", ["Chip X"], "a.yaml:20")
    return index


def test_entity_record_becomes_its_triples() -> None:
    graph = to_graph(validate_records(_source(("Organization", _ACME))), [{}])

    expected = Graph().parse(
        format="turtle",
        data=f"""
        @prefix sg: <{_SG}> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix prov: <http://www.w3.org/ns/prov#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <{_ID}acme> a sg:Organization, sg:Entity ; skos:prefLabel "Acme" ;
            sg:layer <https://w3id.org/stackgraph/ns/layer/foundry> ; sg:roles "foundry" ;
            prov:wasDerivedFrom <https://example.org/a> ; sg:asOf "2025-06"^^xsd:gYearMonth ;
            sg:confidence "high" ; sg:estimated false .
        """,
    )
    assert set(graph) == set(expected)


def test_relation_record_points_at_the_resolved_entities(index: EntityIndex) -> None:
    source = _source(("Requirement", {"item": "Chip X", "input": "ACME Corp", **_PROV}))
    [record] = validate_records(source)

    refs, problems = resolve_refs(record, index)
    graph = to_graph([record], [refs])

    assert (refs, problems) == ({"item": "chip", "input": "acme"}, [])
    iri = record_iri(record, refs)
    assert str(iri) == f"{_ID}requirement/chip/acme"
    assert {(str(p), str(o)) for p, o in graph.predicate_objects(iri)} >= {
        (f"{_SG}item", f"{_ID}chip"),
        (f"{_SG}input", f"{_ID}acme"),
    }


@pytest.mark.parametrize(
    ("cls", "data", "field", "message"),
    [
        ("Gadget", {"id": "g"}, "type", "unknown record type 'Gadget'; expected one of"),
        (
            None,
            {"id": "g"},
            "type",
            "unknown record type None; expected one of Facility, Organization, Product",
        ),
        (
            "Organization",
            {k: v for k, v in _ACME.items() if k != "layer"},
            "layer",
            "is required but missing",
        ),
        ("Organization", {**_ACME, "colour": "red"}, "colour", "is not a field of this record"),
        (
            "Organization",
            {**_ACME, "layer": "moon"},
            "layer",
            "got 'moon'; expected: input should be",
        ),
    ],
    ids=["unknown-type", "no-type", "missing-field", "unknown-field", "bad-enum"],
)
def test_invalid_record_is_a_problem_naming_its_field(
    cls: str | None, data: dict[str, Any], field: str, message: str
) -> None:
    source = _source(("Organization", {**_ACME, "id": "other"}), (cls, data))

    valid = validate_records(source)

    assert len(valid) == 1
    [problem] = source.problems
    assert (problem.file, problem.line, problem.field) == ("a.yaml", 20, field)
    assert message in problem.message


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("Chipp X", "'Chipp X' is not the id, name or alias of any entity; closest: chip"),
        ("chip", "'chip' is a Product, expected a Organization"),
    ],
    ids=["unknown-with-suggestion", "wrong-class"],
)
def test_bad_reference_is_a_problem(index: EntityIndex, ref: str, message: str) -> None:
    [record] = validate_records(_source(("Product", {**_CHIP, "id": "board", "vendor": ref})))

    refs, problems = resolve_refs(record, index)

    assert refs == {"vendor": None}
    [problem] = problems
    assert (problem.field, problem.value, problem.message) == ("vendor", ref, message)


def test_one_relation_written_twice_is_a_problem(index: EntityIndex) -> None:
    requirement = {"item": "chip", "input": "acme", **_PROV}
    source = _source(
        ("Requirement", requirement), ("Requirement", {**requirement, "as_of": "2024"})
    )
    minted: dict[str, str] = {}

    for record in validate_records(source):
        check_unique(record, str(record_iri(record, resolve_refs(record, index)[0])), minted)

    [problem] = source.problems
    assert problem.line == 20
    assert (
        "duplicate Requirement chip -> acme, also at a.yaml:10; merge them or change item, input"
        in problem.message
    )


def test_claims_of_two_sources_are_two_records(index: EntityIndex) -> None:
    claim = {"subject": "chip", "property": "node", "value": "3nm", **_PROV}
    records = validate_records(
        _source(("Claim", claim), ("Claim", {**claim, "source": "https://example.org/b"}))
    )
    iris = {record_iri(r, resolve_refs(r, index)[0]) for r in records}
    assert len(iris) == 2


def test_label_names_the_record(index: EntityIndex) -> None:
    records: list[ValidRecord] = validate_records(
        _source(
            ("Organization", _ACME), ("Requirement", {"item": "chip", "input": "acme", **_PROV})
        )
    )
    assert [r.label for r in records] == ["Organization 'acme'", "Requirement chip -> acme"]
