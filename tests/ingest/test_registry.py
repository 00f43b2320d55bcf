"""Sources as a registry, as a scheduled job runs them: two feeds that share file names, a moved
release folder, a removed source (kept, or pruned), unchanged sources not validated again, and
the first error being the real one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from stackgraph.graph.store import open_store
from tests.conftest import EXAMPLES, run_cli
from tests.ingest._cli import summary

GRAPH = "https://w3id.org/stackgraph/graph/"
FEED = """\
title: A feed of its own
entities:
  - {id: ex-feed-org, type: Organization, name: Feed Org, layer: foundry, roles: [foundry],
     source: "https://example.org/feed", as_of: 2025, confidence: medium}
requirements:
  - {item: ex-accelerator, input: ex-feed-org, source: "https://example.org/feed", as_of: 2025,
     confidence: low}
"""


@pytest.fixture
def feeds(tmp_path: Path) -> tuple[Path, Path]:
    """`data/` (the example data) and `feeds/` with a `chain.yaml` of its own."""
    data, feed = tmp_path / "release-1" / "data", tmp_path / "srv" / "feeds"
    shutil.copytree(EXAMPLES / "valid", data)
    feed.mkdir(parents=True)
    (feed / "chain.yaml").write_text(FEED, encoding="utf-8")
    return data, feed


def _ingest(*args: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("ingest", *args)
    return result.code, summary(result.stdout), result.stderr


def _outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {s["graph"].removeprefix(GRAPH): s["outcome"] for s in report["sources"]}


def test_two_feeds_with_one_file_name_are_two_sources_named_stably(
    feeds: tuple[Path, Path], store_spec: str
) -> None:
    data, feed = feeds
    code, report, stderr = _ingest(str(data), str(feed), "--store", store_spec)
    assert code == 0, stderr
    assert _outcomes(report) == {
        "chain": "changed",
        "extra": "changed",
        "vocab": "changed",
        "feeds/chain": "changed",
    }
    assert {s["source"] for s in report["sources"]} >= {str(feed / "chain.yaml")}
    # the other order, and the data folder moved to a new release: the same graphs, unchanged
    moved = data.parent.parent / "release-2" / "data"
    shutil.copytree(data, moved)
    code, report, stderr = _ingest(str(feed), str(moved), "--store", store_spec)
    assert code == 0, stderr
    assert set(_outcomes(report).values()) == {"unchanged"}
    assert set(_outcomes(report)) == {"chain", "extra", "vocab", "feeds/chain"}


def test_a_removed_source_is_reported_and_kept_unless_pruned(
    feeds: tuple[Path, Path], store_spec: str
) -> None:
    data, feed = feeds
    assert _ingest(str(data), str(feed), "--store", store_spec)[0] == 0
    code, report, stderr = _ingest(str(data), "--store", store_spec)
    assert code == 0, stderr
    assert report["absent"] == [
        {"source": str(feed / "chain.yaml"), "graph": GRAPH + "feeds/chain"}
    ]
    assert "absent" in stderr and "--prune" in stderr
    with open_store(store_spec, read_only=True) as store:
        assert GRAPH + "feeds/chain" in store.named_graphs()
    code, report, stderr = _ingest(str(data), "--prune", "--store", store_spec)
    assert code == 0, stderr
    assert report["outcome"] == "changed" and "absent" not in report
    assert _outcomes(report)["feeds/chain"] == "removed"
    with open_store(store_spec, read_only=True) as store:
        assert GRAPH + "feeds/chain" not in store.named_graphs()
        assert not store.select(
            "SELECT ?s WHERE { GRAPH ?g { ?s ?p <https://w3id.org/stackgraph/id/ex-feed-org> } }"
        )


def test_pruning_a_source_others_still_refer_to_is_refused(
    feeds: tuple[Path, Path], store_spec: str
) -> None:
    data, feed = feeds
    assert _ingest(str(data), str(feed), "--store", store_spec)[0] == 0
    (feed / "uses.yaml").write_text(
        FEED.split("requirements:")[0]
        .replace("ex-feed-org", "ex-other-org")
        .replace("Feed Org", "Other Org")
        + 'requirements:\n  - {item: ex-other-org, input: ex-feed-org, source: "https://'
        'example.org/feed", as_of: 2025, confidence: low}\n',
        encoding="utf-8",
    )
    assert _ingest(str(data), str(feed), "--store", store_spec)[0] == 0
    (feed / "chain.yaml").unlink()
    code, report, stderr = _ingest(str(data), str(feed), "--prune", "--store", store_spec)
    assert code == 1 and report["outcome"] == "invalid"
    # the source that still refers to it is validated again, and says where
    assert f"{feed / 'uses.yaml'}:6: Requirement" in stderr
    assert "'ex-feed-org' is not the id, name or alias of any entity" in stderr


@pytest.mark.slow
def test_only_changed_sources_are_validated_again(dataset: Path, store_spec: str) -> None:
    assert _ingest(str(dataset), "--store", store_spec)[0] == 0
    result = run_cli("-v", "ingest", str(dataset), "--store", store_spec)
    assert result.code == 0 and summary(result.stdout)["outcome"] == "unchanged"
    assert "3 source(s) unchanged since the last run" in result.stderr
    csv = dataset / "extra.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("low", "medium", 1), encoding="utf-8")
    result = run_cli("-v", "ingest", str(dataset), "--store", store_spec)
    assert result.code == 0, result.stderr
    assert _outcomes(summary(result.stdout)) == {
        "chain": "unchanged",
        "extra": "changed",
        "vocab": "unchanged",
    }
    assert "2 source(s) unchanged since the last run" in result.stderr
    full = run_cli("-v", "ingest", str(dataset), "--full", "--store", store_spec)
    assert full.code == 0 and "unchanged since the last run" not in full.stderr


def test_an_unchanged_source_that_refers_to_a_renamed_entity_is_validated_again(
    feeds: tuple[Path, Path], store_spec: str
) -> None:
    data, feed = feeds
    assert _ingest(str(data), str(feed), "--store", store_spec)[0] == 0
    chain = data / "chain.yaml"
    chain.write_text(
        chain.read_text(encoding="utf-8").replace("ex-accelerator", "ex-accel"), encoding="utf-8"
    )
    # the feed still says ex-accelerator: validated again, its reference is unknown
    code, _, stderr = _ingest(str(data), str(feed), "--store", store_spec)
    assert code == 1, stderr
    assert f"{feed / 'chain.yaml'}:" in stderr
    assert "'ex-accelerator' is not the id, name or alias of any entity" in stderr


def test_an_invalid_entity_gets_one_error_not_one_per_reference(dataset: Path) -> None:
    chain = dataset / "chain.yaml"
    chain.write_text(
        chain.read_text(encoding="utf-8").replace("category: accelerator", "category: acelerator"),
        encoding="utf-8",
    )
    result = run_cli("ingest", str(dataset), "--store", "memory:")
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, errors  # the problem, and the count
    assert "field 'category': got 'acelerator'" in errors[0]


def test_an_old_store_learns_the_keys_of_its_sources(dataset: Path, store_spec: str) -> None:
    assert _ingest(str(dataset), "--store", store_spec)[0] == 0
    with open_store(store_spec) as store:
        store.update(
            "DELETE WHERE { GRAPH <https://w3id.org/stackgraph/graph/meta> {"
            " ?g <https://w3id.org/stackgraph/ns#sourceKey> ?k } }"
        )
    code, report, stderr = _ingest(str(dataset), "--store", store_spec)
    assert code == 0 and report["outcome"] == "unchanged", stderr
    with open_store(store_spec, read_only=True) as store:
        keys = store.select(
            "SELECT ?k WHERE { GRAPH <https://w3id.org/stackgraph/graph/meta> {"
            " ?g <https://w3id.org/stackgraph/ns#sourceKey> ?k } } ORDER BY ?k"
        )
    assert [str(k) for (k,) in keys] == [
        "sources/chain.yaml",
        "sources/extra.csv",
        "sources/vocab.ttl",
    ]


def test_no_source_takes_the_metadata_graph(dataset: Path, store_spec: str) -> None:
    """A file named meta.yaml gets its folder-qualified name; the provenance of every run stays."""
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    (dataset / "meta.yaml").write_text(
        "entities:\n  - {id: ex-meta-thing, type: Product, name: Meta thing, layer: compute,"
        " category: accelerator, source: 'https://example.org/x', as_of: 2025,"
        " confidence: medium}\n"
    )
    result = run_cli("ingest", str(dataset), "--store", store_spec)
    assert result.code == 0, result.stderr
    graphs = {s["source"].rsplit("/", 1)[-1]: s["graph"] for s in summary(result.stdout)["sources"]}
    assert graphs["meta.yaml"].endswith("/graph/sources/meta"), graphs
    with open_store(store_spec) as store:
        runs = store.select(
            "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH <https://w3id.org/stackgraph/graph/meta>"
            " { ?r a <http://www.w3.org/ns/prov#Activity> } }"
        )
    assert int(str(runs[0][0])) == 2


def test_a_file_name_is_data_not_syntax(dataset: Path, store_spec: str) -> None:
    """Spaces and `>` in a file name become part of a valid graph name."""
    (dataset / "chain.yaml").rename(dataset / "my chain>1.yaml")
    result = run_cli("ingest", str(dataset), "--store", store_spec)
    assert result.code == 0, result.stderr
    graphs = {s["graph"].rsplit("/graph/", 1)[1] for s in summary(result.stdout)["sources"]}
    assert "my-chain-1" in graphs, graphs
