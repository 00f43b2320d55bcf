"""How the tables of ETO's Chip Explorer folder become records (the mapping `stackgraph.ingest.eto` documents)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stackgraph.ingest.countries import alpha2
from stackgraph.ingest.readers import RawRecord, SourceFile

if TYPE_CHECKING:
    from stackgraph.ingest.eto import Table

__all__ = ["Mapping", "map_all", "percent", "slug"]

_CATEGORY = {
    "tool_resource": "equipment",
    "material_resource": "material",
    "process": "process-step",
    "design_resource": "software",
    "ultimate_output": "die",
}
_ROLE = {
    "tool_resource": "equipment-vendor",
    "material_resource": "material-vendor",
    "design_resource": "designer",
}
_DESIGN_SERVICES = re.compile(r"design automation|intellectual property|\bEDA\b|core ip", re.I)
_VARIOUS = "various countries"
_URL = re.compile(r"https?://[^\s)\]>\"']+")


def slug(kind: str, value: str) -> str:
    """An id in the dataset's own namespace.

    >>> slug("input", "N12 "), slug("provider", "P9")
    ('eto-input-n12', 'eto-provider-p9')
    """
    text = re.sub(r"[^a-z0-9]+", "-", value.strip().lower()).strip("-")
    return f"eto-{kind}-{text}" if text else ""


def percent(raw: str) -> float | None:
    """A share from ETO's ``share_provided``, a percentage (``1.0`` is 1%), as a fraction.

    An empty cell is a provider ETO names without a figure (None).

    Raises:
        ValueError: not a number, or outside 0 to 100.

    >>> [percent("100.0"), percent("1.0"), percent("0.1"), percent("37%"), percent("")]
    [1.0, 0.01, 0.001, 0.37, None]
    """
    text = raw.strip().rstrip("%").strip()
    if not text:
        return None
    value = float(text)
    if not 0 <= value <= 100:
        raise ValueError(f"{value:g} is not a percentage")
    return round(value / 100, 6)


def _layer_of_stage(name: str) -> str:
    low = name.lower()
    if "design" in low:
        return "compute"
    if "assembly" in low or "packaging" in low or "test" in low:
        return "packaging"
    return "foundry"


@dataclass
class Mapping:
    """The source being filled, the tables read, and the dataset's ids mapped so far."""

    source: SourceFile
    tables: dict[str, Table]
    url: str
    extra: dict[str, str]
    """Provenance every record carries (licence, version)."""
    inputs: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    layers: dict[str, str] = field(default_factory=dict)
    stages: dict[str, str] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    release_year: str = ""

    def rows(self, table: str) -> list[tuple[int, dict[str, str]]]:
        return self.tables[table].rows

    def add(self, table: str, line: int, cls: str, data: dict[str, Any]) -> None:
        clean = {k: v for k, v in data.items() if v not in ("", None, [])}
        self.source.records.append(
            RawRecord(cls=cls, data=clean, line=line, file=f"{self.source.display}/{table}")
        )

    def prov(self, row: dict[str, str], *, estimated: bool = False) -> dict[str, Any]:
        """The provenance of a record made from `row`: its cited URL or ETO's page, its year."""
        cited = row.get("source", "")
        url = _URL.search(cited)
        year = row.get("year", "")
        out: dict[str, Any] = {
            "source": url.group(0).rstrip(".,;") if url else self.url,
            "as_of": year if re.fullmatch(r"\d{4}", year) else self.release_year,
            "confidence": "medium",
            "estimated": estimated,
            **self.extra,
        }
        if cited and not cited.startswith(("http://", "https://")):
            out["note"] = f"ETO cites: {cited[:300]}"
        return out

    def known(self, table: str, line: int, column: str, value: str, ids: dict[str, str]) -> bool:
        """Whether `value` is an id of `ids`; reports the row when it is not."""
        if value in ids:
            return True
        what = "a stage_id of stages.csv" if table == "stages.csv" else "an id of inputs.csv"
        if column == "provider_id":
            what = "a provider_id of providers.csv"
        self.tables[table].problem(
            line, f"got {value!r}, which no table defines; expected {what}", column, value
        )
        return False


def map_all(m: Mapping) -> None:
    """Map every table, in the order their references need."""
    years = [r.get("year", "") for _, r in m.rows("provision.csv")]
    m.release_year = max((y for y in years if re.fullmatch(r"\d{4}", y)), default="2022")
    _map_stages(m)
    _map_inputs(m)
    _map_providers(m)
    _map_sequence(m)
    _map_provision(m)


def _map_stages(m: Mapping) -> None:
    """stages.csv: a Product per stage, which requires the processes of that stage."""
    for line, row in m.rows("stages.csv"):
        ident = slug("stage", row["stage_id"])
        m.stages[row["stage_id"]] = ident
        m.layers[row["stage_id"]] = _layer_of_stage(row["stage_name"])
        data = {
            "id": ident,
            "name": row["stage_name"],
            "layer": m.layers[row["stage_id"]],
            "category": "process-step",
            "description": row.get("description", "")[:500],
            **m.prov(row),
        }
        m.add("stages.csv", line, "Product", data)


def _downstream(m: Mapping) -> dict[str, list[str]]:
    """What each input goes into or is a type of, from sequence.csv."""
    up: dict[str, list[str]] = defaultdict(list)
    for _, row in m.rows("sequence.csv"):
        for column in ("goes_into_id", "is_type_of_id"):
            if row.get(column):
                up[row["input_id"]].append(row[column])
    return up


def _input_layers(m: Mapping, stage_of: dict[str, str]) -> dict[str, str]:
    """The layer of each input: its stage's, else that of the first stage it goes into."""
    up = _downstream(m)
    order = list(m.stages)
    out: dict[str, str] = {}
    for ident, kind in m.types.items():
        if kind in ("design_resource", "ultimate_output"):
            out[ident] = "compute"
            continue
        seen, todo, found = {ident}, [ident], []
        while todo:  # bounded by the number of inputs: each is visited once
            node = todo.pop()
            if stage_of.get(node) in m.stages:
                found.append(stage_of[node])
                continue
            for nxt in up.get(node, []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        first = min(found, key=order.index) if found else None
        out[ident] = m.layers[first] if first else "foundry"
    return out


def _map_inputs(m: Mapping) -> None:
    """inputs.csv: one Product per input, its category and layer from ETO's type and stage."""
    stage_of: dict[str, str] = {}
    lines: dict[str, int] = {}
    table = m.tables["inputs.csv"]
    for line, row in m.rows("inputs.csv"):
        ident, kind = row["input_id"], row["type"].strip().lower()
        if ident in lines:
            table.problem(
                line, f"duplicate input id, also at line {lines[ident]}", "input_id", ident
            )
            continue
        if kind not in _CATEGORY:
            table.problem(
                line, f"got {kind!r}; expected one of {', '.join(_CATEGORY)}", "type", row["type"]
            )
            continue
        stage = row.get("stage_id", "")
        if stage and not m.known("inputs.csv", line, "stage_id", stage, m.stages):
            continue
        lines[ident] = line
        m.inputs[ident] = slug("input", ident)
        m.types[ident] = kind
        stage_of[ident] = row.get("stage_id", "")
    layers = _input_layers(m, stage_of)
    m.layers.update(layers)
    for line, row in m.rows("inputs.csv"):
        ident = row["input_id"]
        if lines.get(ident) != line:
            continue
        data = {
            "id": m.inputs[ident],
            "name": row["input_name"],
            "layer": layers[ident],
            "category": _CATEGORY[m.types[ident]],
            "description": row.get("description", "")[:500],
            **m.prov(row),
        }
        m.source.native_ids[m.inputs[ident]] = ident
        m.add("inputs.csv", line, "Product", data)
        if stage_of[ident]:
            requirement = {"item": m.stages[stage_of[ident]], "input": m.inputs[ident]}
            m.add("inputs.csv", line, "Requirement", {**requirement, **m.prov(row)})


def _roles(m: Mapping) -> dict[str, tuple[set[str], Counter[str]]]:
    """The roles of each provider and the layers of what it provides."""
    names = {row["input_id"]: row["input_name"] for _, row in m.rows("inputs.csv")}
    found: dict[str, tuple[set[str], Counter[str]]] = {}
    for _, row in m.rows("provision.csv"):
        provided = row["provided_id"]
        roles, layers = found.setdefault(row["provider_id"], (set(), Counter()))
        kind = m.types.get(provided, "")
        if provided in m.stages:
            layer = m.layers[provided]
            roles.add({"compute": "designer", "foundry": "foundry"}.get(layer, "osat"))
            layers[layer] += 1
        elif kind:
            role = _ROLE.get(kind, "equipment-vendor")
            if _DESIGN_SERVICES.search(names.get(provided, "")):
                role = "design-partner"
            roles.add(role)
            layers[m.layers.get(provided, "foundry")] += 1
    return found


def _map_providers(m: Mapping) -> None:
    """providers.csv: one Organization per provider id (a row per alias); countries kept aside."""
    table = m.tables["providers.csv"]
    first: dict[str, tuple[int, dict[str, str]]] = {}
    aliases: dict[str, list[str]] = defaultdict(list)
    for line, row in m.rows("providers.csv"):
        ident, kind = row["provider_id"], row["provider_type"].strip().lower()
        if kind not in ("organization", "country"):
            expected = f"got {kind!r}; expected organization or country"
            table.problem(line, expected, "provider_type", kind)
            continue
        if ident in first:
            seen = first[ident][1]
            for column in ("provider_name", "provider_type", "country"):
                if row.get(column, "") != seen.get(column, ""):
                    table.problem(
                        line,
                        f"got {row.get(column, '')!r}, but line {first[ident][0]} gives"
                        f" {seen.get(column, '')!r} for the same provider_id {ident};"
                        " expected the rows of one provider to differ only in alias",
                        column,
                        row.get(column, ""),
                    )
        else:
            first[ident] = (line, row)
        if row.get("alias"):
            aliases[ident].append(row["alias"])
    roles = _roles(m)
    for ident, (line, row) in first.items():
        if row["provider_type"].strip().lower() == "country":
            _country(m, line, row)
            continue
        m.organizations[ident] = slug("provider", ident)
        m.source.native_ids[m.organizations[ident]] = ident
        own, layers = roles.get(ident, ({"equipment-vendor"}, Counter()))
        name = row["provider_name"]
        data: dict[str, Any] = {
            "id": m.organizations[ident],
            "name": name,
            "aliases": sorted({a for a in aliases[ident] if a.casefold() != name.casefold()}),
            "layer": layers.most_common(1)[0][0] if layers else "foundry",
            "roles": sorted(own),
            **m.prov(row),
        }
        cell = row.get("country", "")
        code = alpha2(cell) if cell else None
        if code:
            data["country"] = code
        elif cell and cell.casefold() != _VARIOUS:
            table.problem(
                line,
                f"got {cell!r}; expected an ISO 3166-1 alpha-3 country code such as USA or TWN"
                " (or EUR, or 'Various countries')",
                "country",
                cell,
            )
        m.add("providers.csv", line, "Organization", data)


def _country(m: Mapping, line: int, row: dict[str, str]) -> None:
    """A country provider: named by its alpha-3 code (or 'Various countries')."""
    name = row["provider_name"]
    code = alpha2(name) or alpha2(row.get("country", ""))
    if code is None and name.casefold() != _VARIOUS:
        m.tables["providers.csv"].problem(
            line,
            f"got {name!r}; expected a country provider named by its ISO 3166-1 alpha-3 code"
            " (USA, TWN, EUR) or 'Various countries'",
            "provider_name",
            name,
        )
        return
    m.countries[row["provider_id"]] = code.lower() if code else "other"


def _map_sequence(m: Mapping) -> None:
    """sequence.csv: `goes_into` a Requirement; `is_type_of` makes the type an input of its
    category, with an `is_type_of` claim naming the category."""
    for line, row in m.rows("sequence.csv"):
        if not m.known("sequence.csv", line, "input_id", row["input_id"], m.inputs):
            continue
        part = m.inputs[row["input_id"]]
        if row.get("goes_into_id") and m.known(
            "sequence.csv", line, "goes_into_id", row["goes_into_id"], m.inputs
        ):
            data = {"item": m.inputs[row["goes_into_id"]], "input": part, **m.prov(row)}
            m.add("sequence.csv", line, "Requirement", data)
        category = row.get("is_type_of_id", "")
        if category and m.known("sequence.csv", line, "is_type_of_id", category, m.inputs):
            note = "ETO lists it as a type of this input; read as needed by it"
            data = {"item": m.inputs[category], "input": part, **m.prov(row), "note": note}
            m.add("sequence.csv", line, "Requirement", data)
            claim = {"subject": part, "property": "is_type_of", "value": m.inputs[category]}
            m.add("sequence.csv", line, "Claim", {**claim, **m.prov(row)})


def _map_provision(m: Mapping) -> None:
    """provision.csv: a Supply with its share, or a country-share claim for a country."""
    table = m.tables["provision.csv"]
    targets = {**m.inputs, **m.stages}
    seen: dict[tuple[str, str], int] = {}
    for line, row in m.rows("provision.csv"):
        provider, provided = row["provider_id"], row["provided_id"]
        providers = {**m.organizations, **m.countries}
        if not (
            m.known("provision.csv", line, "provider_id", provider, providers)
            and m.known("provision.csv", line, "provided_id", provided, targets)
        ):
            continue
        if (provider, provided) in seen:
            table.problem(
                line,
                f"{provider} provides {provided} again (also at line {seen[provider, provided]});"
                " expected one row per provider and input",
                "provided_id",
                provided,
            )
            continue
        seen[provider, provided] = line
        try:
            share = percent(row["share_provided"])
        except ValueError:
            table.problem(
                line,
                f"got {row['share_provided']!r}; expected a percentage from 0 to 100"
                " (ETO writes 1% as 1.0) or an empty cell",
                "share_provided",
                row["share_provided"],
            )
            continue
        if provider in m.countries:
            if share is not None:
                claim = {
                    "subject": targets[provided],
                    "property": f"country_share_{m.countries[provider]}",
                    "value": f"{share:g}",
                    **m.prov(row, estimated=True),
                }
                m.add("provision.csv", line, "Claim", claim)
            continue
        data = {
            "input": targets[provided],
            "supplier": m.organizations[provider],
            "share": share,
            **m.prov(row, estimated=share is not None),
        }
        m.add("provision.csv", line, "Supply", data)
