"""The reason a run of YAML and CSV sources needs no SHACL: a record the generated pydantic model
accepts, with its references resolved to entities of the classes the schema asks for, becomes
triples that conform to the generated shapes; and the triples the swap writes, built without
rdflib, are those. Checked on records generated from the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdflib import RDF, URIRef

from stackgraph.graph.namespace import ID, SG
from stackgraph.ingest.gate import check
from stackgraph.ingest.readers import RawRecord, SourceFile
from stackgraph.ingest.records import EntityIndex, resolve_refs, validate_records
from stackgraph.ingest.swap import canonical, canonical_lines
from stackgraph.ingest.triples import to_graph, to_triples
from stackgraph.schema import models
from stackgraph.schema._spec import Slot, load

_schema = load()
_BASE = {"ex-org": "Organization", "ex-product": "Product", "ex-facility": "Facility"}


def _targets(target: str) -> list[str]:
    allowed = _schema.subclasses(target)
    return [slug for slug, cls in _BASE.items() if cls in allowed]


def _value(slot: Slot) -> st.SearchStrategy[Any]:
    if slot.is_enum:
        return st.sampled_from(list(_schema.enums[slot.target].values))
    if slot.is_ref:
        return st.sampled_from(_targets(slot.target))
    if slot.type == "integer":
        low = int(slot.minimum) if slot.minimum is not None else -1000
        return st.integers(low, int(slot.maximum) if slot.maximum is not None else 10**6)
    if slot.type == "float":
        return st.floats(
            slot.minimum if slot.minimum is not None else -1e6,
            slot.maximum if slot.maximum is not None else 1e9,
            allow_nan=False,
        )
    if slot.type == "date":
        return st.sampled_from(["2024", "2025-06", "2026-01-31"])
    if slot.type == "uri":
        return st.sampled_from(["https://example.org/a", "https://example.com/b?x=1"])
    if slot.type == "boolean":
        return st.booleans()
    if slot.pattern:
        return st.from_regex(slot.pattern, fullmatch=True).filter(lambda v: 0 < len(v) < 40)
    return st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1)


@st.composite
def _record(draw: st.DrawFn) -> RawRecord:
    name = draw(st.sampled_from(sorted(models.RECORD_MODELS)))
    data: dict[str, Any] = {}
    for slot in _schema.classes[name].slots:
        if not slot.required and not draw(st.booleans()):
            continue
        value = _value(slot)
        data[slot.name] = (
            draw(st.lists(value, min_size=1, max_size=3)) if slot.multivalued else draw(value)
        )
    if name in _BASE.values():
        data["id"] = draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True))
    return RawRecord(name, data, line=1)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_record())
def test_a_record_its_model_accepts_conforms_to_the_shapes(raw: RawRecord) -> None:
    source = SourceFile(Path("generated.yaml"), "generated.yaml", "generated", input_hash="")
    source.records.append(raw)
    valid = validate_records(source)
    assume(valid)  # the model refused it: it never reaches the store (too many fail the run)
    index = EntityIndex()
    for slug, cls in _BASE.items():
        index.add(slug, cls, [], "base")
    refs, problems = resolve_refs(valid[0], index)
    assume(not problems)
    data = to_graph(valid, [refs])
    # what the swap writes (pyoxigraph terms) is what the shapes see (rdflib), line for line
    assert canonical_lines(to_triples(valid, [refs])) == canonical(data.serialize(format="nt"))
    focus: list[str | URIRef] = [s for s in set(data.subjects(RDF.type)) if isinstance(s, URIRef)]
    for slug, cls in _BASE.items():
        data.add((URIRef(f"{ID}{slug}"), RDF.type, URIRef(_schema.classes[cls].uri)))
        data.add((URIRef(f"{ID}{slug}"), RDF.type, SG.Entity))
    assert [str(v) for v in check(data, focus)] == []
