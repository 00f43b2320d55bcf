"""The two-pass ingest (``stackgraph.ingest.stream``) writes what the in-memory one writes, quad for quad."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from stackgraph.graph.namespace import META_GRAPH, SG
from stackgraph.graph.store import open_store
from stackgraph.ingest import IngestOptions, InvalidInputError, ingest
from tests.conftest import ROOT

_STREAMED = "validating and writing one source at a time"
_BACK = "reading them again, all at once"
#: what the metadata graph says of a graph's content, whatever run wrote it
_CONTENT = (SG.contentHash, SG.tripleCount, SG.inputHash)


def _run(paths: list[Path], spec: str, *, stream: bool) -> tuple[list[str], dict[str, object]]:
    said: list[str] = []
    options = IngestOptions(paths, store=spec, stream_above=0 if stream else None)
    report = ingest(options, log=said.append)
    return said, report.to_dict()


def _quads(spec: str) -> tuple[set[str], set[str]]:
    """The quads of every data graph, and the content triples of the metadata graph."""
    path = spec.removeprefix("oxigraph:")
    store = ox.Store.read_only(path)
    data, meta = set(), set()
    content = {str(p) for p in _CONTENT}
    for q in store:
        if q.graph_name == ox.NamedNode(str(META_GRAPH)):
            if q.predicate.value in content and "/run/" not in q.subject.value:
                meta.add(f"{q.subject} {q.predicate} {q.object}")
        else:
            data.add(str(q))
    return data, meta


def _same(paths: list[Path], tmp_path: Path, tag: str) -> dict[str, object]:
    """Ingest `paths` both ways into two stores; assert they are equal; the streamed summary."""
    old, new = f"oxigraph:{tmp_path / (tag + '-old')}", f"oxigraph:{tmp_path / (tag + '-new')}"
    said_old, summary_old = _run(paths, old, stream=False)
    said_new, summary_new = _run(paths, new, stream=True)
    assert _STREAMED not in " ".join(said_old)
    assert _STREAMED in " ".join(said_new) and _BACK not in " ".join(said_new)
    assert _quads(old) == _quads(new)
    assert _quads(new)[0], "something was written"
    for summary in (summary_old, summary_new):
        summary.pop("seconds", None)
        summary.pop("run", None)
        summary.pop("store")
        for s in summary["sources"]:  # type: ignore[attr-defined]
            s.pop("seconds")
    assert summary_old == summary_new
    assert not list(tmp_path.glob(".*spool*")), "the spool folder is removed"
    return summary_new


def test_bundled_data_is_written_alike(tmp_path: Path) -> None:
    _same([ROOT / "data"], tmp_path, "data")


def test_generated_sources_are_written_alike(tmp_path: Path) -> None:
    # bench/sources.py puts bench/ first on the path, where ingest.py is the benchmark: imported
    # here, once the package of that name is
    from bench.generate import generate
    from bench.sources import write_sources

    folder = tmp_path / "sources"
    write_sources(generate(300), folder)
    _same([folder], tmp_path, "cold")
    # one changed row of one source: a patch of the stored graph, from the spooled lines
    smallest = min(folder.glob("*.csv"), key=lambda p: p.stat().st_size)
    smallest.write_text(smallest.read_text().replace(",medium\n", ",low\n", 1))
    summary = _same([folder], tmp_path, "cold")
    changed = [s for s in summary["sources"] if s["outcome"] == "changed"]  # type: ignore[attr-defined]
    assert len(changed) == 1 and changed[0]["added"] == changed[0]["removed"] >= 1


def test_example_sources_are_written_alike(dataset: Path, tmp_path: Path) -> None:
    _same([dataset], tmp_path, "examples")


@pytest.mark.parametrize(
    "name", ["bad-enum.yaml", "duplicate-id.yaml", "duplicate-requirement.yaml", "share-range.yaml"]
)
def test_a_problem_is_reported_as_by_the_other_path(
    dataset: Path, tmp_path: Path, name: str
) -> None:
    """The first problem sends the run to the path that reports them all; the store it had
    stays as it was."""
    invalid = ROOT / "tests" / "examples" / "invalid" / name
    if not invalid.exists():
        pytest.skip(f"no {name} among the invalid examples")
    shutil.copy(invalid, dataset / name)
    reports = []
    for stream in (False, True):
        spec = f"oxigraph:{tmp_path / f'store-{stream}'}"
        said: list[str] = []
        with pytest.raises(InvalidInputError) as caught:
            ingest(
                IngestOptions([dataset], store=spec, stream_above=0 if stream else None),
                said.append,
            )
        reports.append([str(p) for p in caught.value.problems])
        assert (_BACK in " ".join(said)) is stream
        with open_store(spec) as store:
            assert store.named_graphs() == []
    assert reports[0] == reports[1] and reports[0]


def test_external_sources_take_one_pass(eto: Path, tmp_path: Path) -> None:
    """Matching an external dataset's organizations needs every record of the run at hand."""
    paths = [ROOT / "data", eto]
    old, new = f"oxigraph:{tmp_path / 'old'}", f"oxigraph:{tmp_path / 'new'}"
    _run(paths, old, stream=False)
    said, _ = _run(paths, new, stream=True)
    assert "one pass" in " ".join(said) and _STREAMED not in " ".join(said)
    assert _quads(old)[0] == _quads(new)[0]
