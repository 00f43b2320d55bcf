"""The example notebooks: committed clean, and each runs top to bottom on the bundled data."""

from __future__ import annotations

import tempfile

import nbformat
import pytest

from tests.conftest import ROOT, run_cli

NOTEBOOKS = ROOT / "notebooks"
NAMES = ["01-tour", "02-shortages", "03-lead-times", "04-your-own-source", "05-deployable"]

# What each notebook must show once run: texts somewhere in its outputs, and at least so many
# inline pictures.
EXPECTED: dict[str, tuple[list[str], int]] = {
    "01-tour": (["hbm3e", "confidence", "packaging"], 1),
    "02-shortages": (["BLOCKED", "CONSTRAINED", "stargate-abilene", "full substitution"], 4),
    "03-lead-times": (["critical path of stargate-abilene", "lead_time_known", "datacenter"], 3),
    "04-your-own-source": (["acme-x1", "BLOCKED", "closest"], 2),
    "05-deployable": (["binding layers", "cowos-l", "lost", "time_to_recover_days"], 1),
}


def read(name: str) -> object:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def test_every_notebook_is_listed() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_committed_notebook_is_valid_and_has_no_outputs(name: str) -> None:
    book = read(name)
    nbformat.validate(book)
    for cell in book.cells:  # type: ignore[attr-defined]
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: a code cell has outputs; clear them"
            assert cell.execution_count is None, f"{name}: clear the execution counts"
    text = (NOTEBOOKS / f"{name}.ipynb").read_text()
    assert str(ROOT) not in text


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One store with the bundled data, shared by the notebooks through STACKGRAPH_STORE."""
    spec = f"oxigraph:{tmp_path_factory.mktemp('notebooks') / 'store'}"
    result = run_cli("ingest", str(ROOT / "data"), "--store", spec)
    assert result.code == 0, result.stderr
    return spec


def outputs_of(book: object) -> tuple[str, int]:
    """All text the cells printed or returned, and how many PNG pictures they showed."""
    texts: list[str] = []
    images = 0
    for cell in book.cells:  # type: ignore[attr-defined]
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{out.ename}: {out.evalue}"
            if out.output_type == "stream":
                texts.append(out.text)
            data = out.get("data", {})
            images += "image/png" in data
            texts.extend(str(data[k]) for k in ("text/plain", "text/html") if k in data)
    return "\n".join(texts), images


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES, ids=NAMES)
def test_notebook_runs_top_to_bottom(
    name: str, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbclient

    monkeypatch.setenv("STACKGRAPH_STORE", store)  # the kernel inherits it
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    book = read(name)
    client = nbclient.NotebookClient(
        book,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    text, images = outputs_of(book)
    wanted, pictures = EXPECTED[name]
    for snippet in wanted:
        assert snippet in text, f"{name}: {snippet!r} not in the outputs"
    assert images >= pictures, f"{name}: {images} pictures, expected at least {pictures}"
    # Outputs are for readers anywhere: no paths of the machine that ran them.
    for private in (str(ROOT), tempfile.gettempdir() + "/", store):
        assert private not in text, f"{name}: outputs mention {private!r}"
