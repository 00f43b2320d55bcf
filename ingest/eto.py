"""Connector for ETO's Chip Explorer dataset ("Advanced Semiconductor Supply Chain"), a CSV folder.

The dataset (CC BY-NC 4.0, so not bundled) is published as the ``data/`` folder of the
``georgetown-cset/eto-chip-explorer`` repository; the user downloads it and runs
``stackgraph ingest data/ path/to/eto/data``. Its files, as ETO documents them
(``data/README.md``, ``data/technical_notes.md``), and how they map onto our schema
(``ingest/_eto_mapping.py`` does the mapping):

- ``inputs.csv`` (input_id, input_name, type, stage_id, description, year, market-size columns):
  one Product per input. ETO's types give the category (tool_resource -> equipment,
  material_resource -> material, process -> process-step, design_resource -> software,
  ultimate_output -> die) and, with the stage, the layer: a process takes its stage's layer
  (design -> compute, fabrication -> foundry, assembly/test/packaging -> packaging); a tool,
  material or design resource takes the layer of the first stage it goes into (ETO gives them no
  stage of their own); design resources are compute.
- ``stages.csv`` (stage_id, stage_name, description): one Product per stage, which requires the
  processes of that stage; shares ETO gives for a whole stage become claims on the stage.
- ``providers.csv`` (provider_name, alias, provider_id, provider_type, country): one row per
  alias, so a provider id repeats; one Organization per id with every alias. ``country`` is an
  ISO 3166-1 alpha-3 code (``USA``, ``TWN``; ``EUR`` for Europe) and becomes alpha-2. Country
  providers (``provider_type`` country, named by their alpha-3 code) are not suppliers: their
  shares become ``country_share_<cc>`` claims on what they provide ("Various countries":
  ``country_share_other``). ETO's "Various companies" (the rest of a market) stays one
  organization without a country.
- ``provision.csv`` (provider_id, provided_id, share_provided, year, source): a Supply of an
  organization with its share, or a country-share claim. ``share_provided`` is a percentage:
  ``1.0`` is 1%, ``100.0`` all of it; ETO rounds shares between 0 and 1% up to 1%, so totals may
  pass 100% a little. An empty share is a provider ETO names without a figure (a range in the
  analyses).
- ``sequence.csv`` (input_id, goes_into_id, is_type_of_id): ``goes_into`` is a Requirement (the
  downstream input needs this one); ``is_type_of`` makes the type an input of its category
  (EUV lithography tools of Lithography tools), so that an outage of a tool or material type
  reaches the processes and the chip. This reads every type as needed, the conservative
  reading: ETO does not say which types a given chip uses.

Every record carries ETO's documentation page (or the URL its row cites) as its source, the
row's year (else the release's latest) as its as-of date, medium confidence, the licence
CC BY-NC 4.0 and ETO's version: the commit and date of the folder when it is a git checkout,
else the files' content hash. Organizations are matched to the entities already in the graph
by ``ingest/resolve.py`` before they are added.
"""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
from pathlib import Path

from stackgraph.ingest._eto_mapping import Mapping, map_all
from stackgraph.ingest.problems import Problem
from stackgraph.ingest.readers import SourceFile, register_folder_reader

__all__ = ["DATASET_URL", "ETO_FILES", "LICENSE", "eto_version", "is_eto_folder", "read_eto"]

DATASET_URL = "https://eto.tech/dataset-docs/chipexplorer/"
LICENSE = "https://creativecommons.org/licenses/by-nc/4.0/"
ETO_FILES: dict[str, tuple[str, ...]] = {
    "inputs.csv": ("input_id", "input_name", "type"),
    "providers.csv": ("provider_name", "provider_id", "provider_type"),
    "provision.csv": ("provider_id", "provided_id", "share_provided"),
    "sequence.csv": ("input_id", "goes_into_id"),
    "stages.csv": ("stage_id", "stage_name"),
}
"""Every table of the release, with the columns the connector needs."""


def is_eto_folder(path: Path) -> bool:
    """Whether a folder looks like the ETO dataset (it has providers, provision and sequence).

    Examples:
        >>> is_eto_folder(Path("no/such/folder"))
        False
    """
    return path.is_dir() and all(
        (path / name).exists() for name in ("providers.csv", "provision.csv", "sequence.csv")
    )


def eto_version(folder: Path, digest: str) -> str:
    """ETO's version of the folder: the last commit touching it, with its date, when the folder
    is in a git checkout of ETO's repository; else the hash of its files.

    >>> eto_version(Path("/no/such/folder"), "0123456789abcdef")
    'files sha256:0123456789ab'
    """
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "log", "-1", "--format=%H %cs", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        done = None
    parts = done.stdout.split() if done is not None and done.returncode == 0 else []
    if len(parts) == 2:
        return f"commit {parts[0]} ({parts[1]})"
    return f"files sha256:{digest[:12]}"


class Table:
    """One CSV file of the folder, with its problems attributed to file, line and field."""

    def __init__(self, source: SourceFile, folder: Path, name: str, max_bytes: int) -> None:
        self.name = name
        self.display = f"{source.display}/{name}"
        self.rows: list[tuple[int, dict[str, str]]] = []
        self._problems = source.problems
        text = self._text(folder / name, max_bytes)
        self.ok = text is not None and self._parse(text)

    def problem(
        self, line: int | None, message: str, field: str | None = None, value: str | None = None
    ) -> None:
        """Report a problem of this file."""
        self._problems.append(Problem(self.display, line, message, field=field, value=value))

    def _text(self, path: Path, max_bytes: int) -> str | None:
        if not path.exists():
            self.problem(
                None,
                f"missing file; an ETO folder needs {', '.join(ETO_FILES)}"
                f" and {self.name} needs the columns {', '.join(ETO_FILES[self.name])}",
            )
            return None
        raw = path.read_bytes()
        if len(raw) > max_bytes:
            self.problem(None, f"file is over the limit of {max_bytes} bytes")
            return None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.problem(line, "not valid UTF-8; save the file as UTF-8")
            return None

    def _parse(self, text: str) -> bool:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in ETO_FILES[self.name] if c not in (reader.fieldnames or [])]
        if missing:
            self.problem(
                1,
                f"header lacks the column(s) {', '.join(missing)};"
                f" found {', '.join(reader.fieldnames or []) or 'no header'}",
            )
            return False
        try:
            for row in reader:
                if None in row:
                    self.problem(reader.line_num, "more cells than header columns")
                    continue
                self.rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
        except csv.Error as exc:
            self.problem(reader.line_num, f"malformed CSV: {exc}")
            return False
        return True


@register_folder_reader(
    is_eto_folder, what="an ETO folder (providers.csv, provision.csv, sequence.csv, ...)"
)
def read_eto(folder: Path, display: str, *, max_bytes: int) -> SourceFile:
    """Turn an ETO folder into one source of raw records (validated like any other source).

    Args:
        folder: the downloaded dataset folder.
        display: how messages name the folder.
        max_bytes: the size limit of each CSV file.

    Returns:
        The source, marked external (its organizations are matched to the graph's), with one
        problem per missing file or column, malformed row, unknown id or bad share.
    """
    digest = hashlib.sha256()
    for name in sorted(ETO_FILES):
        if (folder / name).exists():
            digest.update(name.encode() + (folder / name).read_bytes())
    source = SourceFile(
        path=folder,
        display=display,
        name="eto",
        input_hash=digest.hexdigest(),
        title="ETO Chip Explorer (Advanced Semiconductor Supply Chain) dataset",
        external=True,
    )
    tables = {name: Table(source, folder, name, max_bytes) for name in ETO_FILES}
    if not all(t.ok for t in tables.values()):
        return source
    provenance = {
        "license": LICENSE,
        "source_version": eto_version(folder, source.input_hash),
    }
    map_all(Mapping(source, tables, DATASET_URL, provenance))
    return source
