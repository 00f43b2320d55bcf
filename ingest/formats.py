"""The built-in source formats: YAML and CSV tables of records, and RDF in the vocabulary.

Each reader registers itself with ``stackgraph.ingest.readers`` for its file suffixes; the ``ingest`` package
imports this module once, so that the registry knows them before any source is read.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox
import yaml
from rdflib import Graph

from stackgraph.ingest.problems import Problem
from stackgraph.ingest.readers import RawRecord, SourceFile, register_reader

__all__ = ["CSV_LIST_SEPARATOR", "RDF_FORMATS", "SECTIONS"]

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
        key: Any = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if isinstance(key, list | dict | set | tuple):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a key must be a plain name, not a list or a mapping",
                key_node.start_mark,
            )
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


class _AliasError(Exception):
    """A YAML alias in a data file, at `line`."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _load(text: str) -> Any:
    """The document of `text`, refused at its first alias before anything is built: a few
    nested aliases expand to billions of values ("billion laughs"), and data files need none."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        line = _first_alias(node)
        if line is not None:
            raise _AliasError(line)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _first_alias(root: yaml.Node) -> int | None:
    """The line of the first node met twice in the document's node graph (an alias of it)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return int(node.start_mark.line) + 1
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return None


@register_reader(".yaml", ".yml")
def _read_yaml(source: SourceFile, text: str) -> None:
    try:
        doc = _load(text)
    except yaml.YAMLError as exc:
        source.problems.append(Problem(source.display, *_yaml_error(exc)))
        return
    except _AliasError as exc:
        source.problems.append(
            Problem(
                source.display,
                exc.line,
                "YAML anchors and aliases (&name, *name, <<) are not accepted in data files:"
                " write each record out in full",
            )
        )
        return
    if doc is None:
        return
    if not isinstance(doc, _LineDict):
        source.problems.append(
            Problem(source.display, 1, "expected a mapping with sections " + ", ".join(SECTIONS))
        )
        return
    source.title = str(doc.get("title", ""))
    for key in doc:
        if key not in SECTIONS and key not in _HEADER_KEYS:
            expected = ", ".join([*sorted(_HEADER_KEYS), *SECTIONS])
            source.problems.append(
                Problem(
                    source.display,
                    doc.key_lines.get(str(key)),
                    f"unknown section {key!r}; expected one of {expected}",
                )
            )
    for section in SECTIONS:
        if doc.get(section) is not None:
            _read_section(source, doc, section)


def _yaml_error(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line and message of a YAML syntax error, with where the open construct started."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and start is not None:
        problem += f" ({context} that starts at line {start.line + 1})"
    return (mark.line + 1 if mark else None), f"not valid YAML: {problem}"


def _read_section(source: SourceFile, doc: _LineDict, section: str) -> None:
    cls, items, section_line = SECTIONS[section], doc[section], doc.key_lines.get(section)
    if not isinstance(items, list):
        source.problems.append(
            Problem(source.display, section_line, f"section {section!r} must be a list of records")
        )
        return
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


@register_reader(".csv")
def _read_csv(source: SourceFile, text: str) -> None:
    # Excel writes a byte-order mark first; it is no part of the first column's name.
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        _read_rows(source, reader)
    except csv.Error as exc:  # a cell past the csv module's size limit, a stray NUL, ...
        source.problems.append(
            Problem(source.display, reader.line_num or None, f"not a readable CSV row: {exc}")
        )


def _read_rows(source: SourceFile, reader: csv.DictReader[str]) -> None:
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


MAX_NESTING = 100
"""Deepest nesting of arrays and objects a JSON-LD source may have (its parser recurses)."""


def _too_deep(text: str) -> bool:
    """Whether JSON text nests past `MAX_NESTING` (checked without recursion; not JSON at all
    is left to the RDF parser, which says where)."""
    try:
        doc = json.loads(text)
    except RecursionError:
        return True
    except ValueError:
        return False
    stack = [(doc, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            if level > MAX_NESTING:
                return True
            stack.extend(
                (c, level + 1) for c in (item.values() if isinstance(item, dict) else item)
            )
    return False


@register_reader(*RDF_FORMATS)
def _read_rdf(source: SourceFile, text: str) -> None:
    # pyoxigraph parses fast and says where a syntax error is; rdflib gets the result for SHACL.
    fmt = RDF_FORMATS[source.path.suffix]
    if fmt == ox.RdfFormat.JSON_LD and _too_deep(text):
        source.problems.append(
            Problem(
                source.display,
                None,
                f"the JSON-LD nests deeper than {MAX_NESTING} levels; a graph's records need a few",
            )
        )
        return
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
