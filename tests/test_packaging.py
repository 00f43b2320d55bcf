"""`pip install .` into a fresh environment outside the checkout gives a working `stackgraph`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_installed_command_finds_bundled_schema_and_data(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        timeout=600,
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    # The fresh environment borrows the dependencies, never the checkout.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("stackgraph-*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "--quiet",
            str(wheel),
        ],
        check=True,
        timeout=600,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("STACKGRAPH_STORE", "PYTHONPATH")}
    env["HOME"] = str(tmp_path / "home")
    command = str(venv / "bin" / "stackgraph")

    dry = subprocess.run(
        [command, "ingest", "--dry-run"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert dry.returncode == 0, dry.stderr[-2000:]
    summary = json.loads(dry.stdout.strip().splitlines()[-1])
    assert summary["outcome"] == "dry-run" and len(summary["sources"]) >= 5

    real = subprocess.run(
        [command, "ingest"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300
    )
    assert real.returncode == 0, real.stderr[-2000:]
    assert (tmp_path / "home" / ".local" / "share" / "stackgraph" / "store").is_dir()
    impact = subprocess.run(
        [command, "impact", "cowos-l=0", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert impact.returncode == 0, impact.stderr[-2000:]
    assert any(r["id"] == "b200" for r in json.loads(impact.stdout)["rows"])
    imported = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import stackgraph.graph as g; print(g.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(ROOT) not in imported.stdout
    shipped = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "stackgraph.api.assets", "check"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert shipped.returncode == 0, f"the pages' files are not in the wheel: {shipped.stderr}"
    page = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from stackgraph.api.explorer import explorer_page as p; print(p()[0])",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert page.returncode == 0, (
        f"the explorer's page does not render when installed: {page.stderr}"
    )
    assert '"foundry"' in page.stdout and "/static/explorer.js" in page.stdout
