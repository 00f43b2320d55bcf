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
from pathlib import Path
from typing import Any

from ingest.problems import Problem
from ingest.readers import RawRecord, SourceFile

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
    """Whether a folder looks like the ETO dataset (it has providers, provision and sequence)."""
    return path.is_dir() and all(
        (path / name).exists() for name in ("providers.csv", "provision.csv", "sequence.csv")
    )


def _slug(kind: str, value: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")
    return f"eto-{kind}-{text}" if text else ""


def _share(raw: str) -> float | None:
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
        self.ok = False
        path = folder / name
        required = ETO_FILES[name]
        if not path.exists():
            source.problems.append(
                Problem(
                    self.display,
                    None,
                    f"missing file; an ETO folder needs {', '.join(ETO_FILES)}"
                    f" and {name} needs the columns {', '.join(required)}",
                )
            )
            return
        raw = path.read_bytes()
        if len(raw) > max_bytes:
            source.problems.append(
                Problem(self.display, None, f"file is over the limit of {max_bytes} bytes")
            )
            return
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            source.problems.append(
                Problem(self.display, line, "not valid UTF-8; save the file as UTF-8")
            )
            return
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            source.problems.append(
                Problem(
                    self.display,
                    1,
                    f"header lacks the column(s) {', '.join(missing)};"
                    f" found {', '.join(reader.fieldnames or []) or 'no header'}",
                )
            )
            return
        try:
            for row in reader:
                if None in row:
                    source.problems.append(
                        Problem(self.display, reader.line_num, "more cells than header columns")
                    )
                    continue
                self.rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
        except csv.Error as exc:
            source.problems.append(Problem(self.display, reader.line_num, f"malformed CSV: {exc}"))
            return
        self.ok = True


def _prov(row: dict[str, str], *, estimated: bool = False) -> dict[str, Any]:
    url = row.get("source", "")
    year = row.get("year", "")
    return {
        "source": url if url.startswith(("http://", "https://")) else DATASET_URL,
        "as_of": year if re.fullmatch(r"\d{4}", year) else RELEASE_YEAR,
        "confidence": "medium",
        "estimated": estimated,
    }


def read_eto(folder: Path, display: str, *, max_bytes: int) -> SourceFile:
    """Turn an ETO folder into one source of raw records (validated like any other source)."""
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
    stages = {row["stage_id"]: row["stage_name"] for _, row in tables["stages.csv"].rows}
    inputs: dict[str, str] = {}

    def add(line: int, cls: str, data: dict[str, Any], table: str) -> None:
        clean = {k: v for k, v in data.items() if v not in ("", None)}
        source.records.append(
            RawRecord(cls=cls, data=clean, line=line, file=f"{source.display}/{table}")
        )

    for line, row in tables["inputs.csv"].rows:
        slug = _slug("input", row["input_id"])
        inputs[row["input_id"]] = slug
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
        add(line, "Product", data, "inputs.csv")

    input_type = {
        row["input_id"]: row["type"].strip().lower() for _, row in tables["inputs.csv"].rows
    }
    roles: dict[str, set[str]] = {}
    for _, row in tables["provision.csv"].rows:
        kind = input_type.get(row["provided_id"], "")
        role = "design-partner" if kind.startswith("design") else "equipment-vendor"
        roles.setdefault(row["provider_id"], set()).add(role)
    organizations: dict[str, str] = {}
    countries: dict[str, str] = {}
    for line, row in tables["providers.csv"].rows:
        kind = row["provider_type"].strip().lower()
        if kind == "country":
            countries[row["provider_id"]] = row["provider_name"]
            continue
        slug = _slug("provider", row["provider_id"])
        organizations[row["provider_id"]] = slug
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
        add(line, "Organization", data, "providers.csv")

    for line, row in tables["sequence.csv"].rows:
        if row.get("goes_into_id"):
            add(
                line,
                "Requirement",
                {
                    "item": inputs.get(row["goes_into_id"], _slug("input", row["goes_into_id"])),
                    "input": inputs.get(row["input_id"], _slug("input", row["input_id"])),
                    **_prov(row),
                },
                "sequence.csv",
            )
        if row.get("is_type_of_id"):
            add(
                line,
                "Claim",
                {
                    "subject": inputs.get(row["input_id"], _slug("input", row["input_id"])),
                    "property": "is_type_of",
                    "value": inputs.get(row["is_type_of_id"], _slug("input", row["is_type_of_id"])),
                    **_prov(row),
                },
                "sequence.csv",
            )

    for line, row in tables["provision.csv"].rows:
        try:
            share = _share(row["share_provided"])
        except ValueError:
            source.problems.append(
                Problem(
                    f"{source.display}/provision.csv",
                    line,
                    f"got {row['share_provided']!r}; expected a share like 0.4, 40 or 40%",
                    field="share_provided",
                    value=row["share_provided"],
                )
            )
            continue
        provided = inputs.get(row["provided_id"], _slug("input", row["provided_id"]))
        if row["provider_id"] in countries:
            if share is not None:
                add(
                    line,
                    "Claim",
                    {
                        "subject": provided,
                        "property": "country_share",
                        "value": f"{countries[row['provider_id']]}: {share:g}",
                        **_prov(row, estimated=True),
                    },
                    "provision.csv",
                )
            continue
        data = {
            "input": provided,
            "supplier": organizations.get(
                row["provider_id"], _slug("provider", row["provider_id"])
            ),
            **_prov(row, estimated=share is not None),
        }
        if share is not None:
            data["share"] = share
        add(line, "Supply", data, "provision.csv")
    return source
