"""Records as triples: the one mapping of a record to RDF.

``to_triples`` builds pyoxigraph triples, what the swap writes for a table source, without
rdflib; ``to_graph`` gives the same triples as an rdflib graph, for the SHACL gate and for tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, XSD, Graph, URIRef

from stackgraph.graph.namespace import LAYER, SG, entity_iri
from stackgraph.ingest.records import ValidRecord, record_iri
from stackgraph.schema._spec import Class, Slot
from stackgraph.schema._types import date_precision

__all__ = ["Candidate", "Spooled", "to_graph", "to_triples"]


@dataclass(frozen=True)
class Spooled:
    """A table source's triples written to disk as canonical N-Triples lines (``stackgraph.ingest.stream``):
    what a large run keeps of a graph until its swap, instead of the triples themselves."""

    path: Path
    triples: int
    """How many lines (distinct triples) the file holds."""
    digest: str
    """The content hash of the lines (``stackgraph.ingest.swap``)."""
    entities: list[tuple[str, URIRef]]
    """(IRI, class) of each entity the graph defines, for the gate."""


Candidate = Graph | list[ox.Triple] | Spooled
"""The new content of a named graph: an rdflib graph (RDF sources, for the SHACL gate), the
triples of a table source's records (``to_triples``), or those triples spooled to disk."""

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_ENTITY = ox.NamedNode(str(SG.Entity))
_XSD_NS = str(XSD)


def to_triples(
    records: list[ValidRecord], refs: list[dict[str, Any]], iris: list[str] | None = None
) -> list[ox.Triple]:
    """The RDF of a source's records (references already resolved to slugs), as pyoxigraph triples.

    Args:
        records: the valid records of one source.
        refs: the resolved references of each record (``resolve_refs``), in the same order.
        iris: the IRI of each record (``record_iri``), where the caller has them already.

    Examples:
        >>> from pathlib import Path
        >>> from stackgraph.ingest.readers import RawRecord, SourceFile
        >>> from stackgraph.ingest.records import validate_records
        >>> source = SourceFile(Path("acme.yaml"), "acme.yaml", "acme", input_hash="")
        >>> source.records.append(RawRecord("Organization", {
        ...     "id": "acme", "name": "Acme", "layer": "foundry", "roles": ["foundry"],
        ...     "source": "https://example.org/acme", "as_of": "2025", "confidence": "high",
        ... }, line=3))
        >>> [str(t.object) for t in to_triples(validate_records(source), [{}])][:3]
        ['<https://w3id.org/stackgraph/ns#Organization>', '<https://w3id.org/stackgraph/ns#Entity>', '"Acme"']
    """
    out: list[ox.Triple] = []
    add = out.append
    if iris is None:
        iris = [str(record_iri(r, resolved)) for r, resolved in zip(records, refs, strict=True)]
    for record, resolved, iri in zip(records, refs, iris, strict=True):
        subject = ox.NamedNode(iri)
        model = record.model
        for name, predicate, slot in _PLANS.get(record.cls.name) or _plan(record.cls):
            if slot is None:  # a type triple
                add(ox.Triple(subject, _RDF_TYPE, predicate))
                continue
            value = getattr(model, name)
            if value is None or value == []:
                continue
            if slot.is_ref:
                targets = resolved.get(name)
                for slug in targets if isinstance(targets, list) else [targets]:
                    if slug:
                        add(ox.Triple(subject, predicate, _entity_node(slug)))
                continue
            for v in value if isinstance(value, list) else [value]:
                add(ox.Triple(subject, predicate, _ox_literal(slot, v)))
    return out


_ENTITIES = str(entity_iri(""))
_NODES: dict[str, ox.NamedNode] = {}


def _entity_node(slug: str) -> ox.NamedNode:
    """The node of an entity a record refers to (many records refer to the same few entities)."""
    node = _NODES.get(slug)
    if node is None:
        if len(_NODES) >= _LITERALS_MAX:
            _NODES.clear()
        node = _NODES[slug] = ox.NamedNode(_ENTITIES + slug)
    return node


_Plan = tuple[tuple[str, ox.NamedNode, Slot | None], ...]
_PLANS: dict[str, _Plan] = {}


def _plan(cls: Class) -> _Plan:
    """What a record of `cls` writes: its type triples, then each slot with its predicate."""
    types = [(cls.name, ox.NamedNode(cls.uri), None)]
    if cls.is_entity:
        types.append((cls.name, _ENTITY, None))
    slots = [(s.name, ox.NamedNode(s.uri), s) for s in cls.slots if not s.identifier]
    plan = _PLANS[cls.name] = (*types, *slots)
    return plan


def to_graph(records: list[ValidRecord], refs: list[dict[str, Any]]) -> Graph:
    """The triples of ``to_triples`` as an rdflib graph: what the SHACL gate reads.

    Args:
        records: the valid records of one source.
        refs: the resolved references of each record (``resolve_refs``), in the same order.

    Examples:
        >>> from pathlib import Path
        >>> from stackgraph.ingest.readers import RawRecord, SourceFile
        >>> from stackgraph.ingest.records import validate_records
        >>> source = SourceFile(Path("acme.yaml"), "acme.yaml", "acme", input_hash="")
        >>> source.records.append(RawRecord("Organization", {
        ...     "id": "acme", "name": "Acme", "layer": "foundry", "roles": ["foundry"],
        ...     "source": "https://example.org/acme", "as_of": "2025", "confidence": "high",
        ... }, line=3))
        >>> graph = to_graph(validate_records(source), [{}])
        >>> for p, o in sorted(graph.predicate_objects()):
        ...     print(p.n3(graph.namespace_manager), o.n3(graph.namespace_manager))
        rdf:type <https://w3id.org/stackgraph/ns#Entity>
        rdf:type <https://w3id.org/stackgraph/ns#Organization>
        skos:prefLabel "Acme"
        prov:wasDerivedFrom <https://example.org/acme>
        ...
    """
    graph = Graph()
    triples = to_triples(records, refs)
    if triples:
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


_LITERALS: dict[tuple[str, Any], ox.Literal | ox.NamedNode] = {}
"""Terms of values that repeat across records (sources, dates, enums, numbers), by slot type and
value; cleared when it grows past `_LITERALS_MAX`."""
_LITERALS_MAX = 65_536


def _ox_literal(slot: Slot, value: Any) -> ox.Literal | ox.NamedNode:
    if slot.type == "string":  # names and notes: mostly one of a kind
        return ox.Literal(str(value))
    key = (slot.type, value)
    term = _LITERALS.get(key)
    if term is None:
        if len(_LITERALS) >= _LITERALS_MAX:
            _LITERALS.clear()
        term = _LITERALS[key] = _new_term(slot, value)
    return term


def _new_term(slot: Slot, value: Any) -> ox.Literal | ox.NamedNode:
    if slot.is_enum:
        return ox.NamedNode(str(LAYER[value])) if slot.target == "Layer" else ox.Literal(value)
    if slot.type == "uri":
        return ox.NamedNode(value)
    if slot.type == "date":
        return ox.Literal(value, datatype=ox.NamedNode(_XSD_NS + date_precision(value)))
    if slot.type == "integer":
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(_XSD_NS + "integer"))
    if slot.type == "float":
        return ox.Literal(repr(float(value)), datatype=ox.NamedNode(_XSD_NS + "double"))
    if slot.type == "boolean":
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD_NS + "boolean"))
    return ox.Literal(str(value))
