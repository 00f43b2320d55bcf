"""The projection file: a mapped snapshot answers as the projected one; processes share one
file per version; old versions go once unmapped; damaged files are projected again."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackgraph import KnowledgeGraph
from stackgraph.graph._columns import MappedDict
from stackgraph.graph.analysis import (
    DependencyGraph,
    chokepoints,
    critical_path,
    dependencies,
    dependents,
    impact,
    single_points_of_failure,
)
from stackgraph.graph.projection_file import (
    MANIFEST,
    ProjectionFileError,
    map_snapshot,
    write_snapshot,
)
from stackgraph.graph.projections import Projections, projections_root
from stackgraph.graph.snapshot import Snapshot
from stackgraph.graph.store import open_store
from tests.conftest import ROOT, run_cli
from tests.graph.analysis._strategies import graphs_with_shortages


def _outcome(call: Callable[[], Any]) -> Any:
    """What a call answers, or the type and message of what it raises."""
    try:
        return call()
    except Exception as e:  # the error is the answer compared
        return (type(e).__name__, str(e))


def _analyses(g: DependencyGraph, shortages: dict[str, float]) -> list[Any]:
    out: list[Any] = [
        list(g.ids),
        g.cycles(),
        g.end_products(),
        _outcome(lambda: impact(g, shortages)),
        _outcome(lambda: impact(g, shortages, substitution=True)),
        _outcome(lambda: chokepoints(g, 5)),
    ]
    for k in g.ids:
        out += [
            g.item(k),
            g.requirements(k),
            _outcome(lambda k=k: critical_path(g, k)),
            _outcome(lambda k=k: single_points_of_failure(g, k)),
            _outcome(lambda k=k: dependencies(g, k)),
            _outcome(lambda k=k: dependents(g, k)),
        ]
    return out


def _mapped(snap: Snapshot, folder: Path) -> Snapshot:
    write_snapshot(snap, folder)
    return map_snapshot(folder, snap.version)


@settings(max_examples=60, deadline=None)
@given(graphs_with_shortages())
def test_a_mapped_graph_answers_every_analysis_alike(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[DependencyGraph, dict[str, float]]
) -> None:
    g, shortages = case
    snap = Snapshot(version="v", graph=g, entities={}, provenance={}, supplies=(), names={})
    mapped = _mapped(snap, tmp_path_factory.mktemp("p") / "v")
    assert _analyses(mapped.graph, shortages) == _analyses(g, shortages)


@pytest.fixture(scope="module")
def two_views(bundled: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """The bundled data projected in memory, and mapped from its projection file."""
    store = open_store(bundled, read_only=True)
    kg_memory = KnowledgeGraph(store)
    kg_memory._versions.projections = None
    root = tmp_path_factory.mktemp("projections")
    kg_mapped = KnowledgeGraph(open_store(bundled, read_only=True))
    kg_mapped._versions.projections = Projections(root)
    assert isinstance(kg_mapped.snapshot().entities, MappedDict)
    assert not isinstance(kg_memory.snapshot().entities, MappedDict)
    yield kg_memory, kg_mapped
    kg_memory.close()
    kg_mapped.close()


def test_the_bundled_tables_are_the_same(two_views: tuple[Any, Any]) -> None:
    a, b = (kg.snapshot() for kg in two_views)
    assert a.version == b.version
    for name in ("entities", "provenance", "names", "requirement_units"):
        assert list(getattr(b, name).items()) == list(getattr(a, name).items()), name
    for name in ("supplies", "capacities", "per_wafer"):
        assert list(getattr(b, name)) == list(getattr(a, name)), name
    for slug in [*a.entities, "no-such-entity"]:
        for year in (None, 2026):
            assert b.capacities_of(slug, year) == a.capacities_of(slug, year)
        by_input = b.index.supplies_by_input.get(slug, ())
        assert list(by_input) == list(a.index.supplies_by_input.get(slug, ()))
    assert [b.index.supply_by_iri[s.iri] for s in a.supplies] == list(a.supplies)
    assert b.index.supply_by_iri.get("urn:none") is None
    assert _analyses(b.graph, {"cowos-l": 0.5}) == _analyses(a.graph, {"cowos-l": 0.5})


def _tables(kg: KnowledgeGraph, ref: str) -> list[Any]:
    def rows(table: Callable[[], Any]) -> Any:
        return _outcome(lambda: table().to_dicts())

    return [
        kg.resolve(ref),
        _outcome(lambda: kg.entity(ref)),
        rows(lambda: kg.requirements(ref)),
        rows(lambda: kg.sources(ref)),
        rows(lambda: kg.capacities(ref)),
        rows(lambda: kg.impact({ref: 0.0})),
        rows(lambda: kg.critical_path(ref)),
        rows(lambda: kg.single_points_of_failure(ref)),
        rows(lambda: kg.dependencies(ref, depth=2)),
        rows(lambda: kg.dependents(ref, depth=2)),
        _outcome(lambda: _networkx(kg.subgraph(ref))),
    ]


def _networkx(g: Any) -> tuple[dict[Any, Any], list[Any]]:
    return dict(g.nodes(data=True)), sorted(g.edges(data=True), key=lambda e: (e[0], e[1]))


def test_the_bundled_answers_of_the_python_api_are_the_same(two_views: tuple[Any, Any]) -> None:
    memory, mapped = two_views
    for kg in two_views:
        kg.snapshot()
    for ref in ("gb200-nvl72", "cowos-l", "sk-hynix", "TSMC CoWoS-L", "hbm3e", "b200"):
        assert _tables(mapped, ref) == _tables(memory, ref), ref
    for call in (
        lambda kg: kg.search("hbm").to_dicts(),
        lambda kg: kg.chokepoints(10).to_dicts(),
        lambda kg: kg.graph_info(),
        lambda kg: _outcome(lambda: kg.resolve("cowos-x")),
        lambda kg: kg.deployable("gb200-nvl72", year=2026).to_dicts(),
    ):
        assert call(mapped) == call(memory)


# ---------------------------------------------------------------------- files and processes

_OPEN = """
import os, sys
from stackgraph import KnowledgeGraph
from stackgraph.graph._columns import MappedDict
kg = KnowledgeGraph.open(sys.argv[1])
snap = kg.snapshot()
print(type(snap.entities) is MappedDict, len(snap.entities), snap.version)
"""


def _open_in_process(spec: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", _OPEN, spec],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.split()


def _root(spec: str) -> Path:
    store = Path(spec.removeprefix("oxigraph:"))
    return store.parent / f".{store.name}.projections"


def test_two_processes_share_one_file(dataset: Path, store_spec: str) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    first = _open_in_process(store_spec)
    folders = [p for p in _root(store_spec).iterdir() if p.name.startswith("v")]
    assert len(folders) == 1 and folders[0].name.endswith(first[2])
    written = {p.name: p.stat().st_mtime_ns for p in folders[0].iterdir()}
    second = _open_in_process(store_spec)
    assert first == second and first[0] == "True"
    # The second process mapped what the first wrote: it wrote nothing.
    assert {p.name: p.stat().st_mtime_ns for p in folders[0].iterdir()} == written


def test_a_new_version_gets_a_new_file_and_the_old_one_goes_once_unmapped(
    dataset: Path, store_spec: str
) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    kg = KnowledgeGraph.open(store_spec)
    old = kg.snapshot()
    old_version = old.version
    projections = kg._versions.projections
    assert projections is not None and projections.versions() == [old_version]
    source = sorted(dataset.glob("*.yaml"))[0]
    source.write_text(source.read_text().replace("confidence: high", "confidence: medium", 1))
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    # Another process maps the new version while this one still maps the old: both stay.
    new_version = _open_in_process(store_spec)[2]
    assert new_version != old_version
    assert projections.versions() == sorted([old_version, new_version])
    assert kg.snapshot(refresh=True).version == new_version
    assert projections.versions() == sorted([old_version, new_version])  # `old` maps it still
    del old
    gc.collect()
    assert projections.sweep(keep=new_version) == [old_version]
    assert projections.versions() == [new_version]
    kg.close()


@pytest.mark.parametrize("damage", ["truncate", "flip", "no-manifest"], ids=str)
def test_a_damaged_file_is_projected_again(dataset: Path, store_spec: str, damage: str) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    version = _open_in_process(store_spec)[2]
    folder = Projections(_root(store_spec)).folder(version)
    target = max(folder.glob("*.npy"), key=lambda p: p.stat().st_size)
    if damage == "truncate":
        os.truncate(target, target.stat().st_size // 2)
    elif damage == "flip":
        data = bytearray(target.read_bytes())
        data[-1] ^= 0xFF
        target.write_bytes(bytes(data))
    else:
        (folder / MANIFEST).unlink()
    with pytest.raises(ProjectionFileError, match=r"damaged|manifest"):
        map_snapshot(folder, version)
    with (
        KnowledgeGraph.open(store_spec) as kg,
        KnowledgeGraph(open_store(store_spec, read_only=True)) as fresh,
    ):
        fresh._versions.projections = None
        snap = kg.snapshot()
        assert isinstance(snap.entities, MappedDict)
        assert list(snap.entities.items()) == list(fresh.snapshot().entities.items())
    map_snapshot(folder, version)  # written again, whole


def test_a_store_in_memory_has_no_file(dataset: Path) -> None:
    with KnowledgeGraph.open("memory:") as kg:
        assert kg._versions.projections is None


@given(st.lists(st.text(max_size=12), max_size=40, unique=True))
def test_the_hash_index_finds_every_key_and_no_other(keys: list[str]) -> None:
    from stackgraph.graph._columns import HashIndex, Strings, encode_strings, hash_table

    index = HashIndex(Strings(*encode_strings(keys)), hash_table(keys))
    assert [index.find(k) for k in keys] == list(range(len(keys)))
    assert index.find("\x00absent") == -1 and index.find(3) == -1


def test_where_the_files_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = (open_store(f"oxigraph:{tmp_path / d / 'store'}") for d in ("a", "b"))
    try:
        assert projections_root(a) == tmp_path / "a" / ".store.projections"
        monkeypatch.setenv("STACKGRAPH_PROJECTIONS", str(tmp_path / "p"))
        ra, rb = projections_root(a), projections_root(b)
        assert ra is not None and rb is not None and ra != rb
        assert ra.parent == rb.parent == tmp_path / "p"
        monkeypatch.setenv("STACKGRAPH_PROJECTIONS", "off")
        assert projections_root(a) is None
    finally:
        a.close()
        b.close()
