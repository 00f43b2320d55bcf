"""The GraphQL API's answers as the Python API's rows: each selection beside its decoder.

The remote client asks for `SELECTION` fields and turns each answer into the same record the
local client builds from the store, so the two clients' tables compare equal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stackgraph.graph import rows
from stackgraph.graph.analysis import DependencyGraphBuilder, Status
from stackgraph.graph.snapshot import EntityInfo, Provenance

__all__ = [
    "AFFECTED",
    "CAPACITY",
    "CHOKEPOINT",
    "COUNTS",
    "ENTITY",
    "NAMED",
    "PATH_STEP",
    "PROVENANCE",
    "REACHED",
    "REQUIREMENT",
    "SINGLE_POINT",
    "SUPPLY",
    "add_item",
    "affected",
    "capacity",
    "chokepoint",
    "counts",
    "fact",
    "facts",
    "info",
    "path_step",
    "reached",
    "requirement",
    "single_point",
    "supply",
]

PROVENANCE = "iri sourceUrl tier asOf confidence estimated graph"
ENTITY = "id iri name aliases types layer category"


def fact(p: Mapping[str, Any] | None) -> rows.Fact | None:
    """A `Provenance` answer as the provenance of a row (None stays None)."""
    if p is None:
        return None
    return Provenance(
        p["sourceUrl"], p["asOf"], p["confidence"], bool(p["estimated"]), p["graph"], p["tier"]
    ).record(p["iri"])


def facts(found: Sequence[Mapping[str, Any]]) -> list[rows.Fact]:
    """A list of `Provenance` answers."""
    return [f for f in map(fact, found) if f is not None]


def info(e: Mapping[str, Any]) -> EntityInfo:
    """An `Entity` answer (with the `ENTITY` fields) as what the projection knows of it."""
    return EntityInfo(
        id=e["id"],
        iri=e["iri"],
        name=e["name"],
        types=tuple(e["types"]),
        layer=e["layer"],
        category=e["category"],
        aliases=tuple(e["aliases"]),
    )


REQUIREMENT = (
    f"id input {{ id }} quantity leadTimeDays provenance {{ {PROVENANCE} }}"
    f" sources {{ supplier {{ id }} share qualification leadTimeDays provenance {{ {PROVENANCE} }} }}"
)


def requirement(r: Mapping[str, Any]) -> rows.Requirement:
    """A `Requirement` answer with its qualified sources."""
    return rows.Requirement(
        id=r["id"],
        input=r["input"]["id"],
        quantity=r["quantity"],
        lead_time_days=r["leadTimeDays"],
        sources=[
            rows.Source(
                supplier=s["supplier"]["id"],
                share=s["share"],
                qualification=s["qualification"],
                lead_time_days=s["leadTimeDays"],
                provenance=fact(s["provenance"]),
            )
            for s in r["sources"]
        ],
        provenance=fact(r["provenance"]),
    )


SUPPLY = (
    "supplier { id } consumer { id } share qualification leadTimeDays"
    f" provenance {{ {PROVENANCE} }}"
)


def supply(s: Mapping[str, Any]) -> rows.Supply:
    """A `Supply` answer."""
    return rows.Supply(
        supplier=s["supplier"]["id"],
        consumer=(s["consumer"] or {}).get("id"),
        share=s["share"],
        qualification=s["qualification"],
        lead_time_days=s["leadTimeDays"],
        provenance=fact(s["provenance"]),
    )


CAPACITY = (
    "of { id name } holder { id name } year kind amount amountMax unit period"
    " canonicalAmount canonicalAmountMax canonicalUnit canonicalPeriod converted note"
    f" provenance {{ {PROVENANCE} }}"
)


def capacity(c: Mapping[str, Any]) -> rows.Capacity:
    """A `Capacity` answer, its provenance spread over the row as the local one is."""
    p = fact(c["provenance"]) or {}
    return rows.Capacity(
        of=c["of"]["id"],
        of_name=c["of"]["name"],
        holder=None if c["holder"] is None else c["holder"]["id"],
        holder_name=None if c["holder"] is None else c["holder"]["name"],
        year=c["year"],
        kind=c["kind"],
        amount=c["amount"],
        amount_max=c["amountMax"],
        unit=c["unit"],
        period=c["period"],
        canonical_amount=c["canonicalAmount"],
        canonical_amount_max=c["canonicalAmountMax"],
        canonical_unit=c["canonicalUnit"],
        canonical_period=c["canonicalPeriod"],
        converted=c["converted"],
        estimated=bool(p.get("estimated")),
        confidence=p.get("confidence"),
        as_of=p.get("as_of"),
        source=p.get("source"),
        tier=p.get("tier"),
        note=c["note"],
    )


AFFECTED = (
    "entity { id name category } status availabilityLow availabilityHigh layer"
    " bindingRequirement { id } rootCause { id } chain explanation { entity { id }"
    " availabilityLow availabilityHigh requirement via cause"
    f" facts {{ {PROVENANCE} }} shares {{ supplier {{ id }} share availabilityLow"
    f" availabilityHigh provenance {{ {PROVENANCE} }} }} }}"
)


def affected(n: Mapping[str, Any]) -> rows.Affected:
    """An `AffectedItem` answer with its explanation."""
    return rows.Affected(
        id=n["entity"]["id"],
        name=n["entity"]["name"],
        layer=n["layer"],
        category=n["entity"]["category"],
        status=n["status"],
        low=n["availabilityLow"],
        high=n["availabilityHigh"],
        binding_requirement=(n["bindingRequirement"] or {}).get("id"),
        root_cause=(n["rootCause"] or {}).get("id"),
        chain=n["chain"],
        explanation=[
            {
                "item": s["entity"]["id"],
                "low": s["availabilityLow"],
                "high": s["availabilityHigh"],
                "requirement": s["requirement"],
                "via": s["via"],
                "cause": s["cause"],
                "facts": facts(s["facts"]),
                "shares": [
                    {
                        "supplier": u["supplier"]["id"],
                        "share": u["share"],
                        "low": u["availabilityLow"],
                        "high": u["availabilityHigh"],
                        "provenance": fact(u["provenance"]),
                    }
                    for u in s["shares"]
                ],
            }
            for s in n["explanation"]
        ],
    )


COUNTS = "blocked constrained possiblyConstrained ok"


def counts(c: Mapping[str, Any]) -> dict[str, int]:
    """Counts per status (the `COUNTS` fields) keyed as the analysis keys them."""
    return {str(s): c[_camel(s.lower())] for s in Status}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


PATH_STEP = (
    "kind node entity { name } requirement days cumulative leadTimeKnown"
    f" provenance {{ {PROVENANCE} }}"
)


def path_step(s: Mapping[str, Any]) -> rows.PathStep:
    """A `PathStep` answer."""
    return rows.PathStep(
        node=s["node"],
        name=(s["entity"] or {}).get("name") or s["node"],
        kind=s["kind"],
        requirement=s["requirement"],
        days=s["days"],
        cumulative=s["cumulative"],
        lead_time_known=s["leadTimeKnown"],
        provenance=fact(s["provenance"]),
    )


def add_item(builder: DependencyGraphBuilder, e: Mapping[str, Any]) -> None:
    """An `Entity` answer as an item of a dependency graph, as the projection adds it.

    The answer has `id iri name layer category leadTimeDays leadTimeProvenance { iri }
    stageTimeDays stageTimeProvenance { iri }`; the item's fact is its lead time's source, else
    the entity record, as in the projection.
    """
    builder.add_item(
        e["id"],
        name=e["name"],
        layer=e["layer"],
        category=e["category"],
        lead_time_days=e["leadTimeDays"],
        fact=(e["leadTimeProvenance"] or {}).get("iri") or e["iri"],
        stage_time_days=e["stageTimeDays"],
        stage_fact=(e["stageTimeProvenance"] or {}).get("iri"),
    )


NAMED = "id name layer category"


def _named(e: Mapping[str, Any]) -> tuple[str, str | None, str | None, str | None]:
    return e["id"], e["name"], e["layer"], e["category"]


SINGLE_POINT = f"entity {{ {NAMED} }} path facts {{ {PROVENANCE} }}"


def single_point(s: Mapping[str, Any]) -> rows.SinglePoint:
    """A `SinglePointOfFailure` answer."""
    return rows.SinglePoint(*_named(s["entity"]), path=s["path"], facts=facts(s["facts"]))


CHOKEPOINT = f"entity {{ {NAMED} }} endProductsBlocked endProducts {{ id }}"


def chokepoint(c: Mapping[str, Any]) -> rows.Chokepoint:
    """A `Chokepoint` answer."""
    return rows.Chokepoint(
        *_named(c["entity"]),
        end_products_blocked=c["endProductsBlocked"],
        end_products=[e["id"] for e in c["endProducts"]],
    )


REACHED = f"depth path via {{ iri }} node {{ {NAMED} }}"


def reached(e: Mapping[str, Any]) -> rows.Reached:
    """A `DependencyEdge` answer."""
    return rows.Reached(
        *_named(e["node"]),
        depth=e["depth"],
        path=e["path"],
        via_facts=[f["iri"] for f in e["via"]],
    )
