"""Namespaces, slugs, the SPARQL prefixes and `normalise`, and every name of the data resolving."""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

import graph.namespace
from graph import KnowledgeGraph
from graph.namespace import ID, PREFIXES, PROV, SG, SKOS, entity_iri, normalise, slug_of
from graph.store import open_store
from ingest.run import IngestOptions, ingest
from tests.conftest import ROOT


def test_doctests() -> None:
    result = doctest.testmod(graph.namespace)
    assert result.attempted > 0 and result.failed == 0


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


@pytest.fixture(scope="module")
def bundled() -> Iterator[KnowledgeGraph]:
    """The bundled dataset `data/` in a memory store."""
    store = open_store("memory:")
    ingest(IngestOptions(paths=[Path(ROOT / "data")]), store=store)
    with KnowledgeGraph(store, reload_interval=0.0) as kg:
        yield kg


@pytest.mark.slow
def test_every_name_and_alias_of_the_data_resolves_to_its_entity(bundled: KnowledgeGraph) -> None:
    entities = bundled.snapshot().entities
    assert len(entities) > 100
    wrong = {
        (info.id, name): bundled.resolve(name)
        for info in entities.values()
        for name in (info.name, *info.aliases)
        if bundled.resolve(name) != info.id
    }
    assert wrong == {}
    assert bundled.resolve("Micron 1γ") == "micron-1gamma-dram"
