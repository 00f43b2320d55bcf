"""One run as a scheduler sees it: options, usage errors, refusals, and what the run reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackgraph.graph.store import open_store
from stackgraph.ingest.problems import InvalidInputError, UsageError
from stackgraph.ingest.run import IngestOptions, ingest
from tests.conftest import free_port, run_cli
from tests.ingest._cli import summary


def test_dry_run_writes_nothing(dataset: Path, store_spec: str) -> None:
    result = run_cli("ingest", str(dataset), "--store", store_spec, "--dry-run")
    assert result.code == 0, result.stderr
    assert summary(result.stdout)["outcome"] == "dry-run"
    with open_store(store_spec) as store:
        assert store.named_graphs() == []


def test_usage_errors_exit_2(tmp_path: Path, store_spec: str) -> None:
    assert run_cli("ingest", str(tmp_path / "missing"), "--store", store_spec).code == 2
    assert run_cli("ingest", "--store", "postgres://x", str(tmp_path)).code == 2
    assert run_cli("frobnicate").code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("ingest", str(empty), "--store", store_spec).code == 2


def test_unreachable_sparql_store_exits_75(dataset: Path) -> None:
    result = run_cli("ingest", str(dataset), "--store", f"sparql:http://127.0.0.1:{free_port()}")
    assert result.code == 75
    assert "cannot reach" in result.stderr


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("missing", "no such file or folder: "),
        ("empty", "no source files (.yaml, .yml, .csv, .ttl, .nt, .jsonld) under the given paths"),
    ],
    ids=["missing-path", "no-source-files"],
)
def test_usage_error_says_what_is_wrong(tmp_path: Path, path: str, message: str) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError) as caught:
        ingest(IngestOptions(paths=[tmp_path / path], store=f"oxigraph:{tmp_path / 'store'}"))
    assert message in str(caught.value)


def test_given_store_is_written_and_left_open(dataset: Path, store_spec: str) -> None:
    with open_store(store_spec) as store:
        logged: list[str] = []
        report = ingest(IngestOptions(paths=[dataset]), log=logged.append, store=store)

        assert report.outcome == "changed" and report.run is not None
        assert {Path(s.source).name: s.outcome for s in report.sources} == {
            "chain.yaml": "changed",
            "extra.csv": "changed",
            "vocab.ttl": "changed",
        }
        assert logged[0] == "read 3 source file(s)" and logged[-1].startswith("writing 3 graph")
        assert store.triple_count("https://w3id.org/stackgraph/graph/chain") == 298


def test_two_folders_with_one_file_name_are_two_sources(dataset: Path, tmp_path: Path) -> None:
    """Each file is its own source (the registry qualifies the second name by its folder): the
    copy's entities are what is wrong, and every problem says which folder's file it is."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "chain.yaml").write_text((dataset / "chain.yaml").read_text())

    with pytest.raises(InvalidInputError) as caught:
        ingest(IngestOptions(paths=[dataset, other], store=f"oxigraph:{tmp_path / 'store'}"))

    problems = caught.value.problems
    assert problems[0].message.startswith("duplicate id 'ex-abf-substrate', also defined at")
    assert {p.file for p in problems} == {str(other / "chain.yaml")}
    graphs = sorted(s.graph.rsplit("graph/", 1)[1] for s in caught.value.report.sources)
    assert graphs == ["chain", "extra", "other/chain", "vocab"]


def _problems(paths: list[Path], tmp_path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        ingest(IngestOptions(paths=paths, store=f"oxigraph:{tmp_path / 'store'}"))
    return [str(p) for p in caught.value.problems]


def test_the_first_error_is_the_one_that_causes_the_others(dataset: Path, tmp_path: Path) -> None:
    """A file that cannot be read hides its entities: the references to them that fail are
    listed after it, each saying where the entity may be."""
    chain = dataset / "chain.yaml"
    text = chain.read_text()
    entities, rest = text.split("requirements:", 1)
    (dataset / "entities.yaml").write_text(entities + "  - {id: : broken\n")
    chain.write_text("requirements:" + rest)
    found = _problems([dataset], tmp_path)
    assert "entities.yaml" in found[0] and "not valid YAML" in found[0], found[:3]
    assert len(found) > 5
    assert all("which could not be read: fix that first" in p for p in found[1:])


def test_an_invalid_entity_is_one_problem_not_one_per_reference(
    dataset: Path, tmp_path: Path
) -> None:
    chain = dataset / "chain.yaml"
    chain.write_text(chain.read_text().replace("layer: packaging", "layer: packging", 1))
    found = _problems([dataset], tmp_path)
    assert len(found) == 1 and "'ex-abf-substrate' field 'layer'" in found[0], found


@pytest.mark.parametrize(
    ("shares", "accepted"),
    [((0.3986, 0.1769, 0.4246), True), ((0.334, 0.333, 0.334), True), ((0.5, 0.3, 0.25), False)],
    ids=["four-decimals", "tenths-of-a-percent", "over-by-5-points"],
)
def test_shares_rounded_as_published_pass_and_a_real_excess_does_not(
    dataset: Path, shares: tuple[float, ...], accepted: bool
) -> None:
    """Published shares are rounded: a group may overshoot 1 by that much, not by more."""
    rows = "".join(
        f"  - {{input: ex-cowos, supplier: {who}, consumer: ex-accelerator, share: {s},"
        f' source: "https://example.org/s{i}", as_of: 2025, confidence: medium}}\n'
        for i, (who, s) in enumerate(
            zip(("ex-foundry", "ex-hbm-a", "ex-hbm-b"), shares, strict=True)
        )
    )
    (dataset / "rounded.yaml").write_text(f"supplies:\n{rows}", encoding="utf-8")
    options = IngestOptions(paths=[dataset], store="memory:")
    if accepted:
        assert ingest(options).outcome == "changed"
    else:
        with pytest.raises(InvalidInputError) as refused:
            ingest(options)
        assert all("must sum to at most 1" in p.message for p in refused.value.problems)
