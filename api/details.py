"""Attributes and claims of entities, read from the store in one query per batch of entities."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.namespace import ID, META_GRAPH, PREFIXES, slug_of
from graph.store import Store, Value

__all__ = ["Details", "read_details", "text"]

_PREFIXES = PREFIXES
# Shown elsewhere in the schema (name, aliases, types, provenance).
_HIDDEN = frozenset(
    {"type", "prefLabel", "altLabel", "wasDerivedFrom", "asOf", "confidence", "estimated"}
)


@dataclass(frozen=True)
class Details:
    """What the projection does not keep: every attribute value and every sourced claim."""

    attributes: tuple[tuple[str, str], ...] = ()
    claims: tuple[dict[str, Any], ...] = field(default=())


def text(value: Value | Any) -> str:
    """A literal or IRI as the text a client sees (entity IRIs become ids)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    out = str(value)
    if out.startswith(str(ID)):
        return slug_of(out)
    if "/ns/layer/" in out:
        return out.rsplit("/", 1)[-1]
    return out


def read_details(store: Store, iris: Sequence[str]) -> dict[str, Details]:
    """Attributes and claims of each entity IRI (two queries for the whole batch)."""
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris)
    attributes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for x, p, o in store.select(
        f"SELECT ?x ?p ?o WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?x ?p ?o }}"
        f" FILTER(?g != <{META_GRAPH}>) }}"
    ):
        name = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name not in _HIDDEN:
            attributes[str(x)].append((name, text(o)))
    claims: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s, x, prop, value, unit, src, asof, conf, est, g in store.select(
        _PREFIXES
        + f"SELECT ?s ?x ?prop ?value ?unit ?src ?asof ?conf ?est ?g WHERE {{ VALUES ?s {{ {values} }}"
        " GRAPH ?g { ?x a sg:Claim ; sg:subject ?s ; sg:property ?prop ; sg:value ?value ."
        " OPTIONAL { ?x sg:unit ?unit } OPTIONAL { ?x prov:wasDerivedFrom ?src }"
        " OPTIONAL { ?x sg:asOf ?asof } OPTIONAL { ?x sg:confidence ?conf }"
        " OPTIONAL { ?x sg:estimated ?est } } } ORDER BY ?s ?prop ?value"
    ):
        claims[str(s)].append(
            {
                "property": text(prop),
                "value": text(value),
                "unit": None if unit is None else text(unit),
                "provenance": {
                    "iri": str(x),
                    "source": None if src is None else str(src),
                    "as_of": None if asof is None else text(asof),
                    "confidence": None if conf is None else str(conf),
                    "estimated": bool(est),
                    "graph": str(g),
                },
            }
        )
    return {
        iri: Details(tuple(sorted(attributes.get(iri, []))), tuple(claims.get(iri, [])))
        for iri in iris
    }
