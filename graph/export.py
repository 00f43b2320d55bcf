"""Write the graph out as Turtle, N-Triples, TriG or JSON-LD."""

from __future__ import annotations

import pyoxigraph as ox

from stackgraph.graph.namespace import META_GRAPH
from stackgraph.graph.store import open_store

__all__ = ["FORMATS", "export"]

FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
PREFIXES = {
    "sg": "https://w3id.org/stackgraph/ns#",
    "id": "https://w3id.org/stackgraph/id/",
    "graph": "https://w3id.org/stackgraph/graph/",
    "layer": "https://w3id.org/stackgraph/ns/layer/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def export(spec: str | None, fmt: str, *, with_meta: bool = False) -> str:
    """The store's data graphs (and the metadata graph if asked) in one RDF format.

    `ttl`, `nt` and `jsonld` write the union of the named graphs (sorted, without duplicates);
    `trig` keeps each named graph apart.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    with open_store(spec, read_only=True) as store:
        text = store.dump_nquads()
    meta = ox.NamedNode(str(META_GRAPH))
    quads = [
        q
        for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        if with_meta or q.graph_name != meta
    ]
    if fmt == "trig":
        quads.sort(
            key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
        )
        out = ox.serialize(quads, format=FORMATS[fmt], prefixes=PREFIXES)
    else:
        triples = sorted({q.triple for q in quads}, key=str)
        prefixes = None if fmt == "nt" else PREFIXES
        out = ox.serialize(triples, format=FORMATS[fmt], prefixes=prefixes)
    return out.decode("utf-8") if out else ""
