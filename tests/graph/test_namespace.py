"""Namespaces, slugs, the SPARQL prefixes and `normalise` (the bundled data: tests/test_data.py)."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from stackgraph.graph.namespace import ID, PREFIXES, PROV, SG, SKOS, entity_iri, normalise, slug_of


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("SK Hynix", "skhynix"),
        ("sk-hynix", "skhynix"),
        ("SK_hynix ", "skhynix"),
        ("CoWoS-L", "cowosl"),
        ("Micron 1γ", "micron1γ"),
        ("Micron 1β", "micron1β"),
        ("ＴＳＭＣ Ｎ３", "tsmcn3"),  # full-width letters fold (NFKC)
        ("Straße", "strasse"),  # case folding, not lowering
        ("ﬁber", "fiber"),  # a ligature folds
        ("2 nm (N2)", "2nmn2"),
        ("", ""),
    ],
    ids=lambda v: repr(v),
)
def test_normalise(name: str, form: str) -> None:
    assert normalise(name) == form
    assert normalise(form) == form  # idempotent


def test_normalise_keeps_letters_of_any_script_apart() -> None:
    assert normalise("Micron 1γ") != normalise("Micron 1β") != normalise("Micron 1")
    assert normalise("三星") == "三星"


@pytest.mark.parametrize(
    ("iri", "slug"),
    [
        (str(ID) + "b200", "b200"),
        (str(entity_iri("micron-1gamma-dram")), "micron-1gamma-dram"),
        ("https://example.org/b200", "https://example.org/b200"),
        ("b200", "b200"),
    ],
    ids=["ours", "entity_iri", "foreign", "slug"],
)
def test_slug_of(iri: str, slug: str) -> None:
    assert slug_of(iri) == slug


def test_prefixes_declare_sg_skos_and_prov() -> None:
    lines = PREFIXES.splitlines()
    assert lines == [
        f"PREFIX sg: <{SG}>",
        f"PREFIX skos: <{SKOS}>",
        f"PREFIX prov: <{PROV}>",
    ]
    assert PREFIXES.endswith("\n")


def test_prefixes_parse_as_sparql() -> None:
    g = Graph()
    x = URIRef(entity_iri("x"))
    g.add((x, URIRef(SKOS.prefLabel), Literal("X")))
    g.add((x, URIRef(SG.layer), Literal("memory")))
    rows = list(g.query(PREFIXES + "SELECT ?n WHERE { ?x skos:prefLabel ?n ; sg:layer ?l }"))
    assert [str(r[0]) for r in rows] == ["X"]


def test_the_vocabulary_refuses_a_mistyped_term() -> None:
    assert str(SG.leadTimeDays).endswith("leadTimeDays")
    with pytest.raises(AttributeError):
        _ = SG.leadTimeDayz
