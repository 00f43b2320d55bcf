"""The gate: candidate graphs are swapped in only if they conform to the schema's SHACL shapes
and leave no reference from another graph dangling."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

from stackgraph.graph.namespace import META_GRAPH, SG
from stackgraph.graph.store import Store
from stackgraph.ingest.entities import ENTITY_TYPES, store_entities
from stackgraph.ingest.triples import Candidate, Spooled
from stackgraph.schema._spec import load

__all__ = ["Violation", "check", "check_candidates", "entity_types", "shapes"]

_RDF_TYPE = ox.NamedNode(str(RDF.type))
SHAPES_FILE = Path(__file__).resolve().parent.parent / "schema" / "shapes.ttl"


@cache
def shapes() -> Graph:
    """The committed SHACL shapes (parsed once per process)."""
    g = Graph()
    g.parse(SHAPES_FILE, format="turtle")
    return g


class Violation:
    """One SHACL result: the node, the property path and the message."""

    def __init__(self, focus: str, path: str | None, value: str | None, message: str) -> None:
        self.focus = focus
        self.path = path
        self.value = value
        self.message = message

    def __str__(self) -> str:
        path = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"<{self.focus}>{path}{value}: {self.message}"


def check(data: Graph, focus: list[str | URIRef] | None = None) -> list[Violation]:
    """Validate a data graph against the shapes; return the violations (empty when it conforms).

    Args:
        data: the candidate graph plus whatever it references (at least their rdf:type).
        focus: validate only these nodes (the candidate's own subjects).

    Examples:
        >>> data = Graph().parse(format="turtle", data='''
        ...     @prefix sg: <https://w3id.org/stackgraph/ns#> .
        ...     <https://w3id.org/stackgraph/id/x> a sg:Organization, sg:Entity .''')
        >>> print(check(data)[0])
        <https://w3id.org/stackgraph/id/x> http://www.w3.org/2004/02/skos/core#prefLabel: Less than 1 values on ...
    """
    if focus is not None and not focus:
        return []
    conforms, report, _ = validate(
        data,
        shacl_graph=shapes(),
        inference=None,
        abort_on_first=False,
        allow_warnings=True,
        focus_nodes=focus,
    )
    if conforms:
        return []
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        out.append(
            Violation(
                focus=str(report.value(result, SH.focusNode)),
                path=_opt(report.value(result, SH.resultPath)),
                value=_opt(report.value(result, SH.value)),
                message=str(report.value(result, SH.resultMessage) or "does not conform"),
            )
        )
    return sorted(out, key=str)


def _opt(term: object) -> str | None:
    return None if term is None else str(term)


def check_candidates(
    candidates: dict[str, Candidate],
    store: Store,
    run_graphs: set[str],
    shapes_on: set[str] | None = None,
) -> list[str]:
    """SHACL on the candidates (with the types of what they reference) and dangling references.

    Records of YAML and CSV sources were each checked against the pydantic models that the
    schema generates beside these shapes, and their references resolved to entities of the class
    the schema asks for: by construction they conform (``tests/ingest/test_gate.py`` checks it
    on generated records). So the shapes run on the graphs of RDF sources, whose triples no
    model has seen, and on nothing else: a run of tables costs no SHACL at all.

    Args:
        candidates: the new content of each named graph of the run.
        store: the store the run writes to.
        run_graphs: the named graphs this run replaces (those of every source, changed or not).
        shapes_on: the candidate graphs to run the shapes on (default: all of them).

    Returns:
        One message per violation or dangling reference; empty when the candidates may go in.
    """
    checked = set(candidates) if shapes_on is None else shapes_on & set(candidates)
    stored = store_entities(store, set())
    problems: list[str] = []
    typed = {name: entity_types(g) for name, g in candidates.items()}
    new_entities = {iri for types in typed.values() for iri, _ in types}
    if checked:
        data = Graph()
        focus: list[str | URIRef] = []
        for name, g in candidates.items():
            if isinstance(g, Graph):
                data += g
            else:  # a table source: the shapes of RDF sources only need its entities' classes
                for iri, kind in typed[name]:
                    data.add((URIRef(iri), RDF.type, kind))
                    data.add((URIRef(iri), RDF.type, SG.Entity))
            if name in checked and isinstance(g, Graph):
                focus.extend(s for s in set(g.subjects(RDF.type)) if isinstance(s, URIRef))
        classes = load().classes
        for graph, iri, cls, _ in stored:
            if graph not in run_graphs:
                data.add((URIRef(iri), RDF.type, URIRef(classes[cls].uri)))
                data.add((URIRef(iri), RDF.type, SG.Entity))
        problems = [str(v) for v in check(data, focus)]
    removed = {iri for graph, iri, _, _ in stored if graph in run_graphs} - new_entities
    removed -= {iri for graph, iri, _, _ in stored if graph not in run_graphs}
    return problems + _dangling(store, removed, run_graphs)


def entity_types(candidate: Candidate) -> list[tuple[str, URIRef]]:
    """(IRI, class) of each entity a candidate graph defines."""
    if isinstance(candidate, Spooled):
        return candidate.entities
    if isinstance(candidate, Graph):
        return [
            (str(s), URIRef(str(t)))
            for s, t in candidate.subject_objects(RDF.type)
            if t in ENTITY_TYPES
        ]
    out = []
    for t in candidate:
        s, o = t.subject, t.object
        if (
            t.predicate == _RDF_TYPE
            and isinstance(s, ox.NamedNode)
            and isinstance(o, ox.NamedNode)
            and URIRef(o.value) in ENTITY_TYPES
        ):
            out.append((s.value, URIRef(o.value)))
    return out


def _dangling(store: Store, removed: set[str], run_graphs: set[str]) -> list[str]:
    """References from graphs outside this run to entities this run removes."""
    if not removed:
        return []
    values = " ".join(f"<{r}>" for r in sorted(removed))
    rows = store.select(
        f"SELECT ?g ?s ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?o {{ {values} }} }}"
    )
    return [
        f"{o} is removed but still referenced by {s} in {g}"
        for g, s, o in rows
        if str(g) not in run_graphs and str(g) != str(META_GRAPH)
    ]
