"""Every exit of `stackgraph ingest` ends with its JSON line, as the README promises a scheduler:
usage errors (2), a busy or unreachable store (75; busy: tests/ingest/test_lock.py), an interrupted
run (130)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from stackgraph.cli import INTERRUPTED as _INTERRUPTED
from tests.conftest import free_port, run_cli
from tests.ingest._cli import big_source, start_ingest, summary, wait_for


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["nowhere"], "no such file or folder: nowhere"),
        (["--store", "postgres://x"], "store"),
    ],
    ids=["unknown-option", "missing-path", "bad-store-spec"],
)
def test_a_usage_error_exits_2_with_its_line(dataset: Path, args: list[str], says: str) -> None:
    result = run_cli("ingest", *args, *([] if "nowhere" in args else [str(dataset)]))
    assert result.code == 2, result.stderr
    line = summary(result.stdout)
    assert line["outcome"] == "usage-error" and says in line["error"], line


def test_an_unreachable_store_exits_75_with_its_line(dataset: Path) -> None:
    spec = f"sparql:http://127.0.0.1:{free_port()}"
    result = run_cli("ingest", str(dataset), "--store", spec)
    assert result.code == 75
    assert summary(result.stdout)["outcome"] == "unavailable"


def test_an_interrupted_run_exits_130_with_its_line_and_writes_nothing(
    tmp_path: Path, store_spec: str
) -> None:
    source = tmp_path / "big.nt"
    big_source(source, 100_000, "a")
    proc = start_ingest(source, store_spec)
    wait_for(proc, "read 1 source file")
    proc.send_signal(signal.SIGINT)
    stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 130
    assert summary(stdout) == {
        "outcome": "interrupted",
        "error": _INTERRUPTED,
        "store": store_spec,
    }
    check = run_cli("export", "--store", store_spec, "--format", "nt")
    assert "example.org/a/" not in check.stdout


def test_verbose_log_lines_are_json_with_time_and_memory(dataset: Path, tmp_path: Path) -> None:
    result = run_cli("-v", "ingest", str(dataset), "--store", f"oxigraph:{tmp_path / 'store'}")
    assert result.code == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(line["message"].startswith("read ") for line in lines)
    assert any(line["message"].startswith("writing ") for line in lines)
    for line in lines:
        assert {"time", "level", "message", "seconds", "peak_mib"} <= line.keys()
        assert line["seconds"] >= 0 and line["peak_mib"] > 0


@pytest.mark.slow
def test_a_damaged_store_is_exit_74_with_its_json_line(dataset: Path, store_spec: str) -> None:
    assert run_cli("ingest", str(dataset), "--store", store_spec).code == 0
    folder = Path(store_spec.split(":", 1)[1])
    for table in folder.glob("*.sst"):
        table.unlink()
    result = run_cli("ingest", str(dataset), "--store", store_spec)
    assert result.code == 74, result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["outcome"] == "damaged"
    search = run_cli("search", "ex", "--store", store_spec)
    assert search.code == 74 and search.stderr.startswith("error: "), search.stderr
    serve = run_cli("serve", "--store", store_spec, "--port", str(free_port()))
    assert serve.code == 74 and serve.stderr.startswith("error: "), serve.stderr


def test_serve_without_a_store_is_one_line_and_exit_75(tmp_path: Path) -> None:
    """A supervisor gets "try again" and the reason, not a traceback from the server's start."""
    result = run_cli(
        "serve", "--store", f"oxigraph:{tmp_path / 'none'}", "--port", str(free_port())
    )
    assert result.code == 75, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: there is no store at "), result.stderr
