"""A full disk: `stackgraph ingest` exits 75 (try again) with its JSON line, the store keeps the
previous version and answers, nothing is left behind, and the same run succeeds once space is
freed. Run on a real full file system: a small tmpfs mounted in a private mount namespace
(`unshare -rm`, no root needed where user namespaces are allowed), for both ways a write goes:
one transaction (a small change) and the shadow copy (more than `shadow_above` triples)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stackgraph.graph.store import OxigraphStore
from tests.conftest import ROOT
from tests.ingest._cli import big_source, summary

# Inside the namespace: mount the tmpfs, then run this file as a script (below) on it.
_SHELL = 'mount -t tmpfs -o size="$1" tmpfs "$2" && exec "$3" "$4" "$2" "$5" "$6"'


def _namespaces() -> str | None:
    """Why a private mount namespace cannot be made here (None: it can)."""
    if shutil.which("unshare") is None:
        return "needs unshare(1) (util-linux)"
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1M tmpfs /mnt || exit 3"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return f"cannot mount a tmpfs in a user namespace here: {probe.stderr.strip()[:200]}"
    return None


_WHY_NOT = _namespaces()
pytestmark = [pytest.mark.skipif(_WHY_NOT is not None, reason=_WHY_NOT or ""), pytest.mark.slow]


def _scenario(tmp_path: Path, sources: Path, size: str, changed: str) -> dict[str, Any]:
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-c",
            _SHELL,
            "sh",
            size,
            str(mount),
            sys.executable,
            __file__,
            str(sources),
            changed,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


def _check(found: dict[str, Any], changed: str) -> None:
    first, full, after = found["first"], found["full"], found["after"]
    assert first["code"] == 0, first
    assert full["code"] == 75, full
    line = full["line"]
    assert line["outcome"] == "unavailable" and "No space left on device" in line["error"], line
    assert "Traceback" not in full["stderr"] and full["stderr"].count("\n") == 1, full["stderr"]
    assert found["kept"] is True, "the store changed, or could not be read, after the failed run"
    assert found["leftovers"] == [], found["leftovers"]
    assert after["code"] == 0 and after["line"]["outcome"] == "changed", after
    assert found["updated"] is True, f"{changed!r} is not in the store after space was freed"


def test_a_full_disk_during_one_transaction(tmp_path: Path, dataset: Path) -> None:
    _check(_scenario(tmp_path, dataset, "16M", "chain.yaml"), "chain.yaml")


def test_a_full_disk_during_a_shadow_copy(tmp_path: Path, dataset: Path) -> None:
    assert OxigraphStore.shadow_above < 150_000
    big_source(dataset / "big.nt", 150_000, "old")
    _check(_scenario(tmp_path, dataset, "400M", "big.nt"), "big.nt")


# ---------------------------------------------------------------- inside the namespace


def _ingest(sources: Path, spec: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "stackgraph.cli", "ingest", str(sources), "--store", spec],
        capture_output=True,
        text=True,
    )
    return {"code": proc.returncode, "line": summary(proc.stdout), "stderr": proc.stderr}


def _export(spec: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "stackgraph.cli", "export", "--store", spec, "--format", "nt"],
        capture_output=True,
        text=True,
    )
    return proc.stdout if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr}"


def _fill(mount: Path, leave_kib: int) -> Path:
    """Fill the file system at `mount` until `leave_kib` KiB are left."""
    stat = os.statvfs(mount)
    free = stat.f_bavail * stat.f_frsize - leave_kib * 1024
    filler = mount / "filler"
    with open(filler, "wb") as handle:
        block = b"\0" * (1 << 20)
        while free > 0:
            try:
                handle.write(block[: min(free, len(block))])
                handle.flush()
            except OSError:
                break
            free -= len(block)
    return filler


def _change(sources: Path, changed: str) -> None:
    if changed == "big.nt":
        big_source(sources / "big.nt", 150_000, "new")
    else:
        path = sources / changed
        path.write_text(
            path.read_text(encoding="utf-8").replace("Accelerator X1", "Accelerator Z9")
        )


def _run(mount: Path, sources: Path, changed: str) -> dict[str, Any]:
    spec = f"oxigraph:{mount / 'store'}"
    found: dict[str, Any] = {"first": _ingest(sources, spec)}
    before = _export(spec)
    filler = _fill(mount, leave_kib=0 if changed != "big.nt" else 8 * 1024)
    _change(sources, changed)
    found["full"] = _ingest(sources, spec)
    found["kept"] = _export(spec) == before
    found["leftovers"] = sorted(
        p.name for p in mount.iterdir() if p.name not in {"store", ".store.lock", "filler"}
    )
    filler.unlink()
    found["after"] = _ingest(sources, spec)
    found["updated"] = ("Accelerator Z9" if changed != "big.nt" else "/new/") in _export(spec)
    return found


if __name__ == "__main__":
    print(json.dumps(_run(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])))
