"""Details of entities: every attribute value and every sourced claim, read from the store.

The projection keeps what lookups and analyses need; the rest of an entity (its attribute
values, the claims sources make about it) stays in the store and is read here, for one entity
or for a batch of them in two queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from stackgraph.graph.claims import CURRENT, resolve
from stackgraph.graph.namespace import ID, LAYER, META_GRAPH, PREFIXES, slug_of
from stackgraph.graph.snapshot import Provenance
from stackgraph.graph.store import Store, Value

__all__ = ["Claim", "Details", "read_details", "read_entity_details"]

# Shown elsewhere (name, aliases, types, provenance), so not repeated as attributes.
_HIDDEN = frozenset(
    {"type", "prefLabel", "altLabel", "wasDerivedFrom", "asOf", "confidence", "estimated"}
)
_BATCH = 200
"""Entities per query: a page of entities is one query, a longer list a few."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A sourced statement about an entity; sources may disagree, each claim is kept.

    ``iri`` is the claim's own node, the fact the ``provenance`` is of
    (``claim.provenance.record(claim.iri)`` is the dict the Python API shows).
    """

    property: str
    value: Value
    unit: Value
    iri: str
    provenance: Provenance
    status: str = CURRENT
    """`current`, or how it stands beside the current claim (`stackgraph.graph.claims`)."""


@dataclass(frozen=True, slots=True)
class Details:
    """What the projection does not keep of an entity: attribute values and sourced claims.

    ``attributes`` are ``(name, value)`` pairs sorted by name, then value; entity references
    are slugs and layers are layer names. ``claims`` are sorted by property; the claims of one
    property come current first, then by the rank of `stackgraph.graph.claims`, each with its status.
    """

    attributes: tuple[tuple[str, Value], ...] = ()
    claims: tuple[Claim, ...] = ()

    def attribute_values(self) -> dict[str, list[Value]]:
        """Each attribute name with its values (several when the sources give several).

        Examples:
            >>> Details((("node", "n3"), ("node", "n4"), ("vendor", "nvidia"))).attribute_values()
            {'node': ['n3', 'n4'], 'vendor': ['nvidia']}
        """
        out: dict[str, list[Value]] = {}
        for name, value in self.attributes:
            out.setdefault(name, []).append(value)
        return out


def read_entity_details(store: Store, iri: str) -> Details:
    """Attributes and claims of the entity ``iri`` (empty details when it has none).

    Examples:
        >>> d = read_entity_details(kg.store, "https://w3id.org/stackgraph/id/ex-accelerator")
        >>> d.attribute_values()["vendor"]
        ['ex-designer']
        >>> for c in d.claims:
        ...     print(c.property, c.value, c.provenance.source)
        hbm_capacity_gb 192 https://example.org/teardown
        hbm_capacity_gb 180 https://example.org/press
        packages_per_cowos_wafer 16 https://example.org/teardown
    """
    return read_details(store, [iri])[iri]


def read_details(store: Store, iris: Sequence[str]) -> dict[str, Details]:
    """Attributes and claims of each entity IRI, in two queries per batch of entities.

    Every IRI asked for is a key of the answer; one the store does not hold has empty details.
    The metadata graph (ingest runs) is not read.
    """
    attributes: dict[str, list[tuple[str, Value]]] = defaultdict(list)
    claims: dict[str, list[Claim]] = defaultdict(list)
    unique = list(dict.fromkeys(iris))
    for start in range(0, len(unique), _BATCH):
        values = " ".join(f"<{iri}>" for iri in unique[start : start + _BATCH])
        for x, p, o in store.select(
            f"SELECT ?x ?p ?o WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?x ?p ?o }}"
            f" FILTER(?g != <{META_GRAPH}>) }}"
        ):
            name = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            if name not in _HIDDEN:
                attributes[str(x)].append((name, _reference(o)))
        for s, x, prop, value, unit, src, asof, conf, est, g in store.select(
            PREFIXES + "SELECT ?s ?x ?prop ?value ?unit ?src ?asof ?conf ?est ?g WHERE {"
            f" VALUES ?s {{ {values} }}"
            " GRAPH ?g { ?x a sg:Claim ; sg:subject ?s ; sg:property ?prop ; sg:value ?value ."
            " OPTIONAL { ?x sg:unit ?unit } OPTIONAL { ?x prov:wasDerivedFrom ?src }"
            " OPTIONAL { ?x sg:asOf ?asof } OPTIONAL { ?x sg:confidence ?conf }"
            " OPTIONAL { ?x sg:estimated ?est } } } ORDER BY ?s ?prop ?value"
        ):
            claims[str(s)].append(
                Claim(
                    property=str(_reference(prop)),
                    value=_reference(value),
                    unit=_reference(unit),
                    iri=str(x),
                    provenance=Provenance(
                        source=None if src is None else str(src),
                        as_of=None if asof is None else str(asof),
                        confidence=None if conf is None else str(conf),
                        estimated=bool(est),
                        graph=str(g),
                    ),
                )
            )
    return {
        iri: Details(
            tuple(sorted(attributes.get(iri, ()), key=lambda a: (a[0], str(a[1])))),
            _ranked(claims.get(iri, [])),
        )
        for iri in iris
    }


def _ranked(found: list[Claim]) -> tuple[Claim, ...]:
    """The claims of each property current first, each with its status (`stackgraph.graph.claims`)."""
    by_property: dict[str, list[Claim]] = defaultdict(list)
    for c in found:
        by_property[c.property].append(c)
    return tuple(
        replace(claim, status=status)
        for prop in sorted(by_property)
        for claim, status in resolve([(c, c.value, c.provenance) for c in by_property[prop]])
    )


def _reference(value: Value) -> Value:
    """An entity IRI as its slug and a layer IRI as the layer's name; other values unchanged."""
    if isinstance(value, str):
        if value.startswith(str(ID)):
            return slug_of(value)
        if value.startswith(str(LAYER)):
            return value[len(str(LAYER)) :]
    return value
