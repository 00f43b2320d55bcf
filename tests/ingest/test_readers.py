"""The reader registry: which reader reads a path, what discovery finds, and refusals by name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from stackgraph.ingest.eto import read_eto
from stackgraph.ingest.readers import (
    SourceFile,
    discover,
    folder_reader,
    read_source,
    register_reader,
    suffixes,
)
from tests.conftest import run_cli
from tests.ingest._cli import export_nt

_LIMIT = 2**20


def test_registry_picks_the_eto_folder_reader(eto: Path) -> None:
    assert folder_reader(eto) is read_eto
    assert discover([eto]) == ([eto], [])

    source = read_source(eto, max_bytes=_LIMIT)

    assert source.name == "eto" and not source.problems
    assert {r.cls for r in source.records} >= {"Product", "Organization", "Supply"}


def test_a_folder_without_the_eto_files_is_searched_instead(eto: Path) -> None:
    (eto / "providers.csv").unlink()
    assert folder_reader(eto) is None
    found, _ = discover([eto])
    assert [p.name for p in found] == ["inputs.csv", "provision.csv", "sequence.csv", "stages.csv"]


def test_discover_finds_registered_suffixes_only(tmp_path: Path) -> None:
    for name in ["b.yaml", "a/c.ttl", "a/.hidden.yaml", "notes.txt", "d.nt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")

    found, missing = discover([tmp_path, tmp_path / "nowhere"])

    assert [str(p.relative_to(tmp_path)) for p in found] == ["a/c.ttl", "b.yaml", "d.nt"]
    assert missing == [str(tmp_path / "nowhere")]


@pytest.mark.parametrize(
    ("name", "says"),
    [("notes.txt", "no reader for files ending in '.txt'"), ("README", "no suffix")],
    ids=["unknown-suffix", "no-suffix"],
)
def test_file_no_reader_reads_is_named(tmp_path: Path, name: str, says: str) -> None:
    path = tmp_path / name
    path.write_text("entities: []\n")

    source = read_source(path, max_bytes=_LIMIT)

    [problem] = source.problems
    assert problem.file == str(path)
    assert says in problem.message
    assert ", ".join(suffixes()) in problem.message and "an ETO folder" in problem.message


def test_file_named_on_the_command_line_with_unknown_suffix_exits_1(
    tmp_path: Path, store_spec: str
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("entities: []\n")
    result = run_cli("ingest", str(path), "--store", store_spec)
    assert result.code == 1
    assert "notes.txt: no reader for files ending in '.txt'" in result.stderr


def test_input_hash_is_the_hash_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"title: A\n")
    assert (
        read_source(path, max_bytes=_LIMIT).input_hash == hashlib.sha256(b"title: A\n").hexdigest()
    )


def test_source_name_is_the_stem_as_a_slug(tmp_path: Path) -> None:
    path = tmp_path / "My_Sources.v2.yaml"
    path.write_text("")
    assert read_source(path, max_bytes=_LIMIT).name == "my-sources-v2"


def test_non_utf8_byte_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"title: ok\nname: caf\xe9\n")
    [problem] = read_source(path, max_bytes=_LIMIT).problems
    assert (problem.line, problem.message.split(";")[0]) == (
        2,
        "byte 0xe9 at column 10 is not valid UTF-8",
    )


def test_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * 2000 + b"\n")
    source = read_source(path, max_bytes=1000)
    assert source.input_hash == "" and source.records == []
    assert (
        "over the limit of 0.0 MiB; split it or raise --max-file-mb" in source.problems[0].message
    )


def test_very_large_file_is_refused(dataset: Path, ingested: str) -> None:
    before = export_nt(ingested, "--with-meta")
    big = dataset / "huge.yaml"
    with open(big, "wb") as handle:
        handle.write(b"claims:\n")
        handle.truncate(65 * 2**20)

    result = run_cli("ingest", str(dataset), "--store", ingested)

    assert result.code == 1
    assert "huge.yaml" in result.stderr and "over the limit of 64.0 MiB" in result.stderr
    assert export_nt(ingested, "--with-meta") == before


def _never(source: SourceFile, text: str, /) -> None:
    raise AssertionError("a refused reader must not be registered")


@pytest.mark.parametrize(
    ("suffix", "message"),
    [
        (("csv",), "needs its leading dot"),
        ((".new-format", ".csv"), ".csv files already have a reader"),
    ],
    ids=["no-dot", "taken"],
)
def test_refused_registration_changes_nothing(suffix: tuple[str, ...], message: str) -> None:
    before = suffixes()
    with pytest.raises(ValueError, match=message):
        register_reader(*suffix)(_never)
    assert suffixes() == before
