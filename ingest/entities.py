"""The entities a run knows: those in the store outside its graphs, and those its sources define."""

from __future__ import annotations

from rdflib import RDF, URIRef

from stackgraph.graph.namespace import ID, META_GRAPH
from stackgraph.graph.store import Store
from stackgraph.ingest.problems import Problem
from stackgraph.ingest.readers import SourceFile
from stackgraph.ingest.records import EntityIndex, ValidRecord
from stackgraph.schema._spec import load

__all__ = ["ENTITY_TYPES", "entity_index", "store_entities"]

ENTITY_TYPES = {URIRef(c.uri): c.name for c in load().entity_classes()}
"""The class IRI of each entity class, to its name."""
_ENTITY_CLASSES = set(ENTITY_TYPES.values())


def store_entities(store: Store, skip: set[str]) -> list[tuple[str, str, str, str | None]]:
    """(graph, iri, class, name) of every entity in the store, outside the graphs in `skip`.

    An entity with several names (preferred and alternative) has one row per name.
    """
    types = " ".join(f"<{t}>" for t in ENTITY_TYPES)
    rows = store.select(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?g ?s ?t ?name WHERE { GRAPH ?g { ?s a ?t . VALUES ?t { "
        + types
        + " } OPTIONAL { ?s skos:prefLabel|skos:altLabel ?name } } }"
    )
    return [
        (str(g), str(s), ENTITY_TYPES[URIRef(str(t))], None if n is None else str(n))
        for g, s, t, n in rows
        if str(g) not in skip and str(g) != str(META_GRAPH)
    ]


def entity_index(
    sources: list[SourceFile],
    valid: dict[str, list[ValidRecord]],
    store: Store,
    run_graphs: set[str],
) -> EntityIndex:
    """Every entity references may point to, by slug and by name.

    Entities are added in order: the store's (outside the graphs this run replaces), those of the
    RDF sources, then the records of the table sources. A record whose id or name clashes with
    one added before gets a problem on its source.

    Args:
        sources: the sources of the run.
        valid: the valid records of each source, by its display name.
        store: the store the run writes to.
        run_graphs: the named graphs this run replaces.
    """
    index = EntityIndex()
    _add_stored(index, store, run_graphs)
    for source in sources:
        if source.rdf is None:
            continue
        for s, t in source.rdf.subject_objects(RDF.type):
            kind = ENTITY_TYPES.get(URIRef(str(t)))
            if kind is not None and str(s).startswith(str(ID)):
                index.add(str(s)[len(str(ID)) :], kind, [], source.display)
    for source in sources:
        for record in valid.get(source.display, []):
            if record.cls.is_entity:
                _add_record(index, source, record)
    for source in sources:
        _add_invalid(index, source, {id(r.raw) for r in valid.get(source.display, [])})
    return index


def _add_invalid(index: EntityIndex, source: SourceFile, passed: set[int]) -> None:
    """Entities whose record failed validation, by the id and names written: references to
    them resolve, so the run reports the entity's own problem, not one per reference to it."""
    for raw in source.records:
        ident = raw.data.get("id")
        if id(raw) in passed or raw.cls not in _ENTITY_CLASSES or not isinstance(ident, str):
            continue
        if index.resolve(ident) is None:
            names = [raw.data.get("name"), *(raw.data.get("aliases") or [])]
            where = f"{raw.file or source.display}:{raw.line} (invalid)"
            index.add(ident, raw.cls, [n for n in names if isinstance(n, str)], where)


def _add_stored(index: EntityIndex, store: Store, run_graphs: set[str]) -> None:
    names: dict[str, list[str]] = {}
    classes: dict[str, tuple[str, str]] = {}
    for graph, iri, cls, name in store_entities(store, run_graphs):
        if not iri.startswith(str(ID)):
            continue
        slug = iri[len(str(ID)) :]
        classes[slug] = (cls, f"stored graph {graph}")
        if name:
            names.setdefault(slug, []).append(name)
    for slug, (cls, where) in sorted(classes.items()):
        index.add(slug, cls, names.get(slug, []), where)


def _add_record(index: EntityIndex, source: SourceFile, record: ValidRecord) -> None:
    model = record.model
    names = [getattr(model, "name"), *getattr(model, "aliases")]  # noqa: B009
    file = record.raw.file or source.display
    for clash in index.add(
        str(getattr(model, "id")),  # noqa: B009
        record.cls.name,
        names,
        f"{file}:{record.raw.line}",
    ):
        source.problems.append(
            Problem(file, record.raw.line, clash, field="id", record=record.label)
        )
