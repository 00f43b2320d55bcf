"""Read source files (YAML, CSV, Turtle, N-Triples, JSON-LD) into raw records with line numbers."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml
from rdflib import Graph

from ingest.problems import Problem

__all__ = [
    "RDF_FORMATS",
    "SECTIONS",
    "RawRecord",
    "SourceFile",
    "discover",
    "read_source",
]

SECTIONS: dict[str, str | None] = {
    "entities": None,  # the class comes from each record's `type`
    "requirements": "Requirement",
    "supplies": "Supply",
    "capacities": "Capacity",
    "deals": "Deal",
    "claims": "Claim",
}
_HEADER_KEYS = {"title", "description"}
RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
TABLE_FORMATS = {".yaml", ".yml", ".csv"}
CSV_LIST_SEPARATOR = "|"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class _LineDict(dict[str, Any]):
    """A YAML mapping that remembers where it and each of its keys stand."""

    line: int = 0
    key_lines: dict[str, int]
    duplicate_keys: list[tuple[str, int]]


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    out.duplicate_keys = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            out.duplicate_keys.append((str(key), line))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[str(key)] = line
    return out


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    pass


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text: the record models check them (and name the field) instead of the YAML parser.
_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass
class RawRecord:
    """One record as written, before validation."""

    cls: str | None
    data: dict[str, Any]
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)
    file: str | None = None
    """The file the record came from, when it is not the source's own (folder sources)."""

    def line_of(self, key: str | None) -> int:
        return self.key_lines.get(key, self.line) if key else self.line


@dataclass
class SourceFile:
    """A source file read from disk: raw records (tables) or an RDF graph."""

    path: Path
    display: str
    name: str
    input_hash: str
    title: str = ""
    records: list[RawRecord] = field(default_factory=list)
    rdf: Graph | None = None
    """RDF sources: the triples of typed subjects, the part the SHACL gate looks at."""
    triples: list[ox.Triple] | None = None
    """RDF sources: every triple, as parsed."""
    problems: list[Problem] = field(default_factory=list)


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Source files under the given paths, sorted; and the paths that do not exist."""
    found: list[Path] = []
    missing: list[str] = []
    supported = TABLE_FORMATS | set(RDF_FORMATS)
    from ingest.eto import is_eto_folder

    for path in paths:
        if is_eto_folder(path):
            found.append(path)
        elif path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix in supported and not p.name.startswith(".")
            )
        elif path.is_file():
            found.append(path)
        else:
            missing.append(str(path))
    return found, missing


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


def _decode(raw: bytes, display: str) -> tuple[str | None, Problem | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        return None, Problem(
            display,
            line,
            f"byte 0x{bad} at column {column} is not valid UTF-8; save the file as UTF-8",
        )


def read_source(path: Path, *, max_bytes: int) -> SourceFile:
    """Read one source file; problems are collected on the result, never raised."""
    display = _display(path)
    if path.is_dir():
        from ingest.eto import read_eto

        return read_eto(path, display, max_bytes=max_bytes)
    size = path.stat().st_size
    name = path.stem.lower().replace("_", "-").replace(".", "-")
    source = SourceFile(path=path, display=display, name=name, input_hash="")
    if size > max_bytes:
        source.problems.append(
            Problem(
                display,
                None,
                f"file is {size / 2**20:.1f} MiB, over the limit of {max_bytes / 2**20:.1f} MiB;"
                " split it or raise --max-file-mb",
            )
        )
        return source
    raw = path.read_bytes()
    source.input_hash = hashlib.sha256(raw).hexdigest()
    text, problem = _decode(raw, display)
    if problem or text is None:
        source.problems.append(problem or Problem(display, None, "cannot decode"))
        return source
    if path.suffix in RDF_FORMATS:
        _read_rdf(source, text, RDF_FORMATS[path.suffix])
    elif path.suffix == ".csv":
        _read_csv(source, text)
    else:
        _read_yaml(source, text)
    return source


def _read_rdf(source: SourceFile, text: str, fmt: ox.RdfFormat) -> None:
    # pyoxigraph parses fast and says where a syntax error is; rdflib gets the result for SHACL.
    try:
        triples = [q.triple for q in ox.parse(text.encode("utf-8"), format=fmt)]
    except SyntaxError as exc:
        source.problems.append(
            Problem(source.display, exc.lineno, f"not valid {fmt.name}: {exc.msg}")
        )
        return
    typed = {t.subject for t in triples if t.predicate == _RDF_TYPE}
    graph = Graph()
    data = ox.serialize([t for t in triples if t.subject in typed], format=ox.RdfFormat.N_TRIPLES)
    if data:
        graph.parse(data=data.decode("utf-8"), format="nt")
    source.rdf = graph
    source.triples = triples


def _read_yaml(source: SourceFile, text: str) -> None:
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None:
            problem += f" ({context} that starts at line {start.line + 1})"
        source.problems.append(Problem(source.display, line, f"not valid YAML: {problem}"))
        return
    if doc is None:
        return
    if not isinstance(doc, dict):
        source.problems.append(
            Problem(source.display, 1, "expected a mapping with sections " + ", ".join(SECTIONS))
        )
        return
    source.title = str(doc.get("title", ""))
    for key in doc:
        if key not in SECTIONS and key not in _HEADER_KEYS:
            line = doc.key_lines.get(str(key)) if isinstance(doc, _LineDict) else None
            expected = ", ".join([*sorted(_HEADER_KEYS), *SECTIONS])
            source.problems.append(
                Problem(
                    source.display, line, f"unknown section {key!r}; expected one of {expected}"
                )
            )
    for section, cls in SECTIONS.items():
        items = doc.get(section)
        if items is None:
            continue
        section_line = doc.key_lines.get(section) if isinstance(doc, _LineDict) else None
        if not isinstance(items, list):
            source.problems.append(
                Problem(
                    source.display, section_line, f"section {section!r} must be a list of records"
                )
            )
            continue
        for index, item in enumerate(items):
            if not isinstance(item, _LineDict):
                source.problems.append(
                    Problem(
                        source.display,
                        section_line,
                        f"{section}[{index}] must be a mapping of fields, got {type(item).__name__}",
                    )
                )
                continue
            for key, line in item.duplicate_keys:
                source.problems.append(
                    Problem(source.display, line, "field given twice in one record", field=key)
                )
            record_cls = cls if cls is not None else item.get("type")
            data = {k: v for k, v in item.items() if not (cls is None and k == "type")}
            source.records.append(
                RawRecord(
                    cls=record_cls if isinstance(record_cls, str) else None,
                    data=data,
                    line=item.line,
                    key_lines=item.key_lines,
                )
            )


def _read_csv(source: SourceFile, text: str) -> None:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "record" not in reader.fieldnames:
        source.problems.append(
            Problem(
                source.display,
                1,
                "a CSV source needs a header row with a 'record' column naming the class "
                "(Organization, Product, Facility, Requirement, Supply, Capacity, Deal, Claim)",
            )
        )
        return
    for row in reader:
        line = reader.line_num
        if None in row:
            source.problems.append(Problem(source.display, line, "more cells than header columns"))
            continue
        cls = (row.pop("record") or "").strip()
        data: dict[str, Any] = {}
        for key, value in row.items():
            if value is None or value.strip() == "":
                continue
            data[key] = value.strip()
        source.records.append(RawRecord(cls=cls or None, data=data, line=line))
