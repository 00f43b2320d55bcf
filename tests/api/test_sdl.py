"""The committed SDL is current, and `python -m stackgraph.api.sdl --check` says when it is not."""

from __future__ import annotations

from pathlib import Path

from stackgraph.api.sdl import SDL_PATH, main, render_sdl


def test_committed_sdl_is_current() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == render_sdl(), (
        "api/schema.graphql is stale; run `python -m stackgraph.api.sdl` and commit it"
    )
    assert main(["--check"]) == 0


def test_sdl_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text("type Query { old: Int }\n", encoding="utf-8")
    assert main(["--check", "--output", str(stale)]) == 1
    assert main(["--output", str(stale)]) == 0
    assert main(["--check", "--output", str(stale)]) == 0
