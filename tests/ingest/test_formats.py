"""The built-in formats: YAML and CSV tables of records, and RDF; each problem at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackgraph.ingest.readers import SourceFile, read_source
from stackgraph.ingest.records import validate_records
from tests.conftest import run_cli

_PROV = "source: https://example.org/a\n    as_of: 2025\n    confidence: high"
_YAML = f"""title: A test source
entities:
  - id: acme
    type: Organization
    name: Acme
    aliases: [Acme Corp, ACME]
    layer: foundry
    roles: [foundry]
    {_PROV}
"""
_CSV = (
    "record,id,name,aliases,layer,roles,source,as_of,confidence\n"
    "Organization,acme,Acme, Acme Corp | ACME |,foundry,foundry,https://example.org/a,2025,high\n"
)
_TTL = """@prefix sg: <https://w3id.org/stackgraph/ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/stackgraph/id/acme> a sg:Organization ; skos:prefLabel "Acme" .
<https://example.org/untyped> skos:note "not a record" .
"""
_NT = (
    '<https://w3id.org/stackgraph/id/acme> <http://www.w3.org/2004/02/skos/core#prefLabel> "Acme" .\n'
    "<https://w3id.org/stackgraph/id/acme> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    " <https://w3id.org/stackgraph/ns#Organization> .\n"
)
_JSONLD = """{"@id": "https://w3id.org/stackgraph/id/acme",
 "@type": "https://w3id.org/stackgraph/ns#Organization",
 "http://www.w3.org/2004/02/skos/core#prefLabel": "Acme"}"""


def _read(tmp_path: Path, name: str, text: str) -> SourceFile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_source(path, max_bytes=2**20)


@pytest.mark.parametrize(
    ("name", "text"),
    [("a.yaml", _YAML), ("a.yml", _YAML), ("a.csv", _CSV)],
    ids=["yaml", "yml", "csv"],
)
def test_table_formats_give_the_same_record(tmp_path: Path, name: str, text: str) -> None:
    source = _read(tmp_path, name, text)

    [record] = validate_records(source)

    assert source.problems == []
    assert record.cls.name == "Organization" and record.raw.line == (3 if name != "a.csv" else 2)
    assert getattr(record.model, "aliases") == ["Acme Corp", "ACME"]  # noqa: B009


def test_csv_keeps_a_list_cell_whole_and_validation_splits_it(tmp_path: Path) -> None:
    source = _read(tmp_path, "a.csv", _CSV)
    assert source.records[0].data["aliases"] == "Acme Corp | ACME |"
    [record] = validate_records(source)
    assert getattr(record.model, "aliases") == ["Acme Corp", "ACME"]  # noqa: B009


def test_yaml_records_know_the_line_of_each_field(tmp_path: Path) -> None:
    source = _read(tmp_path, "a.yaml", _YAML)
    [raw] = source.records
    assert source.title == "A test source"
    assert (raw.line_of("name"), raw.line_of("layer"), raw.line_of(None)) == (5, 7, 3)


@pytest.mark.parametrize(
    ("name", "text"),
    [("a.ttl", _TTL), ("a.nt", _NT), ("a.jsonld", _JSONLD)],
    ids=["turtle", "n-triples", "json-ld"],
)
def test_rdf_formats_keep_every_triple_and_gate_the_typed_ones(
    tmp_path: Path, name: str, text: str
) -> None:
    source = _read(tmp_path, name, text)

    assert source.problems == [] and source.records == []
    assert source.rdf is not None and source.triples is not None
    assert len(source.rdf) == 2
    assert len(source.triples) == (3 if name == "a.ttl" else 2)


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("a.yaml", "entities:\n  - id: a\n    name: [unclosed\n", 4, "not valid YAML"),
        ("a.yaml", "- just\n- a list\n", 1, "expected a mapping with sections entities"),
        ("a.yaml", "entities: []\nthings: []\n", 2, "unknown section 'things'"),
        ("a.yaml", "entities:\n  id: a\n", 1, "section 'entities' must be a list of records"),
        (
            "a.yaml",
            "entities:\n  - just text\n",
            1,
            "entities[0] must be a mapping of fields, got str",
        ),
        (
            "a.yaml",
            "claims:\n  - subject: a\n    subject: b\n",
            3,
            "field given twice in one record",
        ),
        (
            "a.csv",
            "id,name\nacme,Acme\n",
            1,
            "a CSV source needs a header row with a 'record' column",
        ),
        ("a.csv", "record,id\nOrganization,a,extra\n", 2, "more cells than header columns"),
        ("a.ttl", "<http://x/a> <http://x/p> .\n", 1, "not valid Turtle: Parser error at line 1"),
    ],
    ids=[
        "yaml-syntax",
        "yaml-not-a-mapping",
        "yaml-unknown-section",
        "yaml-section-not-a-list",
        "yaml-record-not-a-mapping",
        "yaml-duplicate-field",
        "csv-no-record-column",
        "csv-extra-cell",
        "turtle-syntax",
    ],
)
def test_misshapen_source_is_a_problem_at_its_line(
    tmp_path: Path, name: str, text: str, line: int, message: str
) -> None:
    [problem] = _read(tmp_path, name, text).problems
    # outside the working folder a file is named by its whole path
    assert problem.file == str(tmp_path / name) and problem.line == line
    assert message in problem.message


def test_a_csv_written_by_excel_with_a_byte_order_mark_is_read(
    dataset: Path, store_spec: str
) -> None:
    (dataset / "bom.csv").write_bytes(
        b"\xef\xbb\xbfrecord,id,type,name,layer,category,source,as_of,confidence\n"
        b"Product,ex-bom-thing,Product,BOM thing,compute,accelerator,https://example.org/x,2025,"
        b"medium\n"
    )
    result = run_cli("ingest", str(dataset), "--store", store_spec)
    assert result.code == 0, result.stderr
