"""RDF namespaces of the project; the vocabulary namespace refuses terms the schema lacks."""

from __future__ import annotations

import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import ClosedNamespace

from stackgraph.schema._spec import camel, load

__all__ = [
    "GRAPH",
    "ID",
    "LAYER",
    "META_GRAPH",
    "PREFIXES",
    "PROV",
    "SG",
    "SKOS",
    "entity_iri",
    "graph_iri",
    "normalise",
    "slug_of",
]

_schema = load()

# Terms used by ingest and the metadata graph, beside those the schema defines.
_EXTRA_TERMS = (
    "order",
    "inputHash",
    "contentHash",
    "tripleCount",
    "outcome",
    "sourceFile",
    "sourceKey",
    "schemaVersion",
    "triplesAdded",
    "triplesRemoved",
    "title",
)


def _terms() -> list[str]:
    names: set[str] = set(_EXTRA_TERMS)
    for cls in _schema.classes.values():
        names.add(cls.name)
        names.update(camel(s.name) for s in cls.slots if s.curie.startswith("sg:"))
    return sorted(names)


SG = ClosedNamespace(URIRef(_schema.namespace), _terms())
"""The vocabulary: `SG.Product`, `SG.leadTimeDays`; a mistyped term raises AttributeError."""

ID = Namespace(_schema.entity_namespace)
GRAPH = Namespace(_schema.graph_namespace)
LAYER = Namespace(_schema.layer_namespace)
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
META_GRAPH = GRAPH["meta"]
"""Named graph holding one PROV-O record per ingest run that changed the store."""

PREFIXES = f"PREFIX sg: <{SG}>\nPREFIX skos: <{SKOS}>\nPREFIX prov: <{PROV}>\n"
"""The SPARQL prefixes of the project's queries: `sg:`, `skos:` and `prov:`."""


def entity_iri(slug: str) -> URIRef:
    """The IRI of an entity slug."""
    return ID[slug]


def graph_iri(source: str) -> URIRef:
    """The IRI of the named graph of a source."""
    return GRAPH[source]


def slug_of(iri: str) -> str:
    """The slug of an entity IRI, or the IRI unchanged when it is not one of ours."""
    base = str(ID)
    return iri[len(base) :] if iri.startswith(base) else iri


def normalise(name: str) -> str:
    """The form in which names and aliases are compared, at ingest and at lookup alike.

    Compatibility-folded (NFKC), case-folded, every character that is not a letter or a digit
    dropped; letters of any script are kept, so "Micron 1γ" and "Micron 1β" stay apart.

        >>> normalise("SK Hynix") == normalise("sk-hynix") == "skhynix"
        True
        >>> normalise("Micron 1γ")
        'micron1γ'
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())
