"""Write the graph out as Turtle, N-Triples, TriG or JSON-LD."""

from __future__ import annotations

from rdflib import Dataset, Graph

from graph.namespace import META_GRAPH
from graph.store import open_store

__all__ = ["FORMATS", "export"]

FORMATS = {"ttl": "turtle", "nt": "nt", "trig": "trig", "jsonld": "json-ld"}


def export(spec: str | None, fmt: str, *, with_meta: bool = False) -> str:
    """The store's data graphs (and the metadata graph if asked) in one RDF format.

    `ttl`, `nt` and `jsonld` write the union of the named graphs; `trig` keeps them apart.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    with open_store(spec, read_only=True) as store:
        meta = f"<{META_GRAPH}> ."
        lines = [
            line
            for line in store.dump_nquads().splitlines()
            if line.strip() and (with_meta or not line.rstrip().endswith(meta))
        ]
    nquads = "\n".join(lines) + "\n"
    if fmt == "trig":
        ds = Dataset()
        ds.parse(data=nquads, format="nquads")
        return ds.serialize(format="trig")
    g = Graph()
    for prefix, ns in (
        ("sg", "https://w3id.org/stackgraph/ns#"),
        ("id", "https://w3id.org/stackgraph/id/"),
        ("layer", "https://w3id.org/stackgraph/ns/layer/"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("prov", "http://www.w3.org/ns/prov#"),
    ):
        g.bind(prefix, ns)
    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    if fmt == "nt":
        return "".join(sorted(g.serialize(format="nt").splitlines(keepends=True)))
    return g.serialize(format=FORMATS[fmt])
