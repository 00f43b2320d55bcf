"""Connector for the ETO "Advanced Semiconductor Supply Chain" dataset (CSV files in one folder).

The dataset (CC BY-NC, not bundled) is a folder of five CSV files; the user downloads it and runs
``stackgraph ingest FOLDER``. The mapping onto our schema:

- ``inputs.csv`` (input_id, input_name, type, stage_name, stage_id, description, year, ...)
  -> one Product per input: tools are `equipment`, materials `material`, processes
  `process-step`, design resources `software`, the ultimate output a `die`; the stage gives the
  layer (design -> compute, fabrication -> foundry, assembly/test/packaging -> packaging);
- ``providers.csv`` (provider_name, alias, provider_id, provider_type, country) -> one
  Organization per organization provider, a design partner when it provides design resources
  and an equipment vendor (tools, materials) otherwise (countries are providers in the dataset too: their
  shares become claims on the input, not suppliers, so that national and company shares of the
  same input are not added up);
- ``sequence.csv`` (input_id, goes_into_id, is_type_of_id, ...) -> `goes_into` becomes a
  Requirement (the downstream input needs this one); `is_type_of` a claim on the input;
- ``provision.csv`` (provider_id, provided_id, share_provided, year, source) -> a qualified
  Supply with the share (percentages become fractions, estimated), or a claim for a country;
- ``stages.csv`` (stage_id, stage_name, description) names the stages.

Every record gets the dataset's documentation page as its source unless the row names its own
URL, the row's year (else the dataset's release year) as its as-of date, and medium confidence.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.problems import Problem
from ingest.readers import RawRecord, SourceFile, register_folder_reader

__all__ = ["DATASET_URL", "ETO_FILES", "is_eto_folder", "read_eto"]

DATASET_URL = "https://eto.tech/dataset-docs/chipexplorer/"
RELEASE_YEAR = "2022"  # the dataset's 2022 release, per its documentation page
ETO_FILES: dict[str, tuple[str, ...]] = {
    "inputs.csv": ("input_id", "input_name", "type"),
    "providers.csv": ("provider_name", "provider_id", "provider_type"),
    "provision.csv": ("provider_id", "provided_id", "share_provided"),
    "sequence.csv": ("input_id", "goes_into_id"),
    "stages.csv": ("stage_id", "stage_name"),
}
_CATEGORY = {
    "tool": "equipment",
    "tool_resource": "equipment",
    "material": "material",
    "material_resource": "material",
    "process": "process-step",
    "design_resource": "software",
    "ultimate_output": "die",
}
_LAYER = {"design": "compute", "fabrication": "foundry", "atp": "packaging"}
_COUNTRIES = {
    "usa": "US",
    "united states": "US",
    "china": "CN",
    "taiwan": "TW",
    "japan": "JP",
    "south korea": "KR",
    "korea": "KR",
    "netherlands": "NL",
    "germany": "DE",
    "uk": "GB",
    "united kingdom": "GB",
    "france": "FR",
    "switzerland": "CH",
    "israel": "IL",
    "singapore": "SG",
    "belgium": "BE",
    "austria": "AT",
    "canada": "CA",
    "ireland": "IE",
    "italy": "IT",
    "india": "IN",
    "malaysia": "MY",
    "sweden": "SE",
    "finland": "FI",
    "norway": "NO",
    "denmark": "DK",
    "russia": "RU",
    "australia": "AU",
    "hong kong": "HK",
}


def is_eto_folder(path: Path) -> bool:
    """Whether a folder looks like the ETO dataset (it has providers, provision and sequence).

    Examples:
        >>> is_eto_folder(Path("no/such/folder"))
        False
    """
    return path.is_dir() and all(
        (path / name).exists() for name in ("providers.csv", "provision.csv", "sequence.csv")
    )


def _slug(kind: str, value: str) -> str:
    """An id in the dataset's own namespace.

    >>> _slug("input", "N12 ")
    'eto-input-n12'
    """
    text = re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")
    return f"eto-{kind}-{text}" if text else ""


def _share(raw: str) -> float | None:
    """A share as a fraction: the dataset writes 0.4, 40 or 40%, and words for unknown ones.

    >>> [_share("0.4"), _share("40"), _share("40%"), _share("negligible")]
    [0.4, 0.4, 0.4, None]
    """
    text = raw.strip().rstrip("%").strip()
    if not text or text.lower() in ("negligible", "n/a", "na", "unknown"):
        return None
    value = float(text)
    return value / 100 if value > 1 or raw.strip().endswith("%") else value


class _Table:
    """One CSV file of the folder, with its problems attributed to file and line."""

    def __init__(self, source: SourceFile, folder: Path, name: str, max_bytes: int) -> None:
        self.name = name
        self.display = f"{source.display}/{name}"
        self.rows: list[tuple[int, dict[str, str]]] = []
        self._problems = source.problems
        text = self._text(folder / name, max_bytes)
        self.ok = text is not None and self._parse(text)

    def _problem(self, line: int | None, message: str) -> None:
        self._problems.append(Problem(self.display, line, message))

    def _text(self, path: Path, max_bytes: int) -> str | None:
        if not path.exists():
            self._problem(
                None,
                f"missing file; an ETO folder needs {', '.join(ETO_FILES)}"
                f" and {self.name} needs the columns {', '.join(ETO_FILES[self.name])}",
            )
            return None
        raw = path.read_bytes()
        if len(raw) > max_bytes:
            self._problem(None, f"file is over the limit of {max_bytes} bytes")
            return None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self._problem(line, "not valid UTF-8; save the file as UTF-8")
            return None

    def _parse(self, text: str) -> bool:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in ETO_FILES[self.name] if c not in (reader.fieldnames or [])]
        if missing:
            self._problem(
                1,
                f"header lacks the column(s) {', '.join(missing)};"
                f" found {', '.join(reader.fieldnames or []) or 'no header'}",
            )
            return False
        try:
            for row in reader:
                if None in row:
                    self._problem(reader.line_num, "more cells than header columns")
                    continue
                self.rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
        except csv.Error as exc:
            self._problem(reader.line_num, f"malformed CSV: {exc}")
            return False
        return True


def _prov(row: dict[str, str], *, estimated: bool = False) -> dict[str, Any]:
    url = row.get("source", "")
    year = row.get("year", "")
    return {
        "source": url if url.startswith(("http://", "https://")) else DATASET_URL,
        "as_of": year if re.fullmatch(r"\d{4}", year) else RELEASE_YEAR,
        "confidence": "medium",
        "estimated": estimated,
    }


@dataclass
class _Mapping:
    """The source being filled, and the ids of the dataset mapped so far."""

    source: SourceFile
    tables: dict[str, _Table]
    inputs: dict[str, str] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)

    def rows(self, table: str) -> list[tuple[int, dict[str, str]]]:
        return self.tables[table].rows

    def add(self, table: str, line: int, cls: str, data: dict[str, Any]) -> None:
        clean = {k: v for k, v in data.items() if v not in ("", None)}
        self.source.records.append(
            RawRecord(cls=cls, data=clean, line=line, file=f"{self.source.display}/{table}")
        )

    def input(self, input_id: str) -> str:
        return self.inputs.get(input_id, _slug("input", input_id))


@register_folder_reader(
    is_eto_folder, what="an ETO folder (providers.csv, provision.csv, sequence.csv, ...)"
)
def read_eto(folder: Path, display: str, *, max_bytes: int) -> SourceFile:
    """Turn an ETO folder into one source of raw records (validated like any other source).

    The files are mapped in the order their references need: inputs become products,
    providers organizations (countries are kept aside), the sequence requirements and
    ``is_type_of`` claims, the provision supplies and country-share claims.

    Args:
        folder: the downloaded dataset folder.
        display: how messages name the folder.
        max_bytes: the size limit of each CSV file.

    Returns:
        The source, with one problem per missing file or column, malformed row or bad share.
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
        title="ETO Advanced Semiconductor Supply Chain dataset",
    )
    tables = {name: _Table(source, folder, name, max_bytes) for name in ETO_FILES}
    if not all(t.ok for t in tables.values()):
        return source
    mapping = _Mapping(source, tables)
    _map_inputs(mapping)
    _map_providers(mapping)
    _map_sequence(mapping)
    _map_provision(mapping)
    return source


def _map_inputs(m: _Mapping) -> None:
    """inputs.csv: one Product per input, its layer from its stage."""
    stages = {row["stage_id"]: row["stage_name"] for _, row in m.rows("stages.csv")}
    for line, row in m.rows("inputs.csv"):
        slug = _slug("input", row["input_id"])
        m.inputs[row["input_id"]] = slug
        stage = (stages.get(row.get("stage_id", ""), "") or row.get("stage_name", "")).lower()
        layer = next((v for k, v in _LAYER.items() if k in stage.replace(",", "")), "foundry")
        if "assembly" in stage or "packaging" in stage:
            layer = "packaging"
        data = {
            "id": slug,
            "name": f"{row['input_name']} ({row['input_id']})",
            "layer": layer,
            "category": _CATEGORY.get(row["type"].strip().lower(), row["type"]),
            **_prov(row),
        }
        if row.get("description"):
            data["description"] = row["description"][:500]
        m.add("inputs.csv", line, "Product", data)


def _roles(m: _Mapping) -> dict[str, set[str]]:
    """The roles of each provider: design partner for design resources, else equipment vendor."""
    input_type = {row["input_id"]: row["type"].strip().lower() for _, row in m.rows("inputs.csv")}
    roles: dict[str, set[str]] = {}
    for _, row in m.rows("provision.csv"):
        kind = input_type.get(row["provided_id"], "")
        role = "design-partner" if kind.startswith("design") else "equipment-vendor"
        roles.setdefault(row["provider_id"], set()).add(role)
    return roles


def _map_providers(m: _Mapping) -> None:
    """providers.csv: one Organization per organization; countries are kept for their shares."""
    roles = _roles(m)
    for line, row in m.rows("providers.csv"):
        if row["provider_type"].strip().lower() == "country":
            m.countries[row["provider_id"]] = row["provider_name"]
            continue
        slug = _slug("provider", row["provider_id"])
        m.organizations[row["provider_id"]] = slug
        data = {
            "id": slug,
            "name": row["provider_name"],
            "layer": "foundry",
            "roles": sorted(roles.get(row["provider_id"], {"equipment-vendor"})),
            **_prov(row),
        }
        aliases = [a.strip() for a in re.split(r"[;|]", row.get("alias", "")) if a.strip()]
        if aliases:
            data["aliases"] = [
                a for a in aliases if a.casefold() != row["provider_name"].casefold()
            ]
        code = _COUNTRIES.get(row.get("country", "").strip().lower())
        if code:
            data["country"] = code
        m.add("providers.csv", line, "Organization", data)


def _map_sequence(m: _Mapping) -> None:
    """sequence.csv: `goes_into` becomes a Requirement, `is_type_of` a claim on the input."""
    for line, row in m.rows("sequence.csv"):
        if row.get("goes_into_id"):
            requirement = {
                "item": m.input(row["goes_into_id"]),
                "input": m.input(row["input_id"]),
                **_prov(row),
            }
            m.add("sequence.csv", line, "Requirement", requirement)
        if row.get("is_type_of_id"):
            claim = {
                "subject": m.input(row["input_id"]),
                "property": "is_type_of",
                "value": m.input(row["is_type_of_id"]),
                **_prov(row),
            }
            m.add("sequence.csv", line, "Claim", claim)


def _map_provision(m: _Mapping) -> None:
    """provision.csv: a Supply with its share, or a country-share claim for a country."""
    for line, row in m.rows("provision.csv"):
        try:
            share = _share(row["share_provided"])
        except ValueError:
            m.source.problems.append(
                Problem(
                    f"{m.source.display}/provision.csv",
                    line,
                    f"got {row['share_provided']!r}; expected a share like 0.4, 40 or 40%",
                    field="share_provided",
                    value=row["share_provided"],
                )
            )
            continue
        provided = m.input(row["provided_id"])
        if row["provider_id"] in m.countries:
            if share is not None:
                claim = {
                    "subject": provided,
                    "property": "country_share",
                    "value": f"{m.countries[row['provider_id']]}: {share:g}",
                    **_prov(row, estimated=True),
                }
                m.add("provision.csv", line, "Claim", claim)
            continue
        supplier = m.organizations.get(row["provider_id"], _slug("provider", row["provider_id"]))
        data = {"input": provided, "supplier": supplier, **_prov(row, estimated=share is not None)}
        if share is not None:
            data["share"] = share
        m.add("provision.csv", line, "Supply", data)
