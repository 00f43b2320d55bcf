"""The SHACL gate: a candidate graph is swapped in only if it conforms to the schema's shapes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pyshacl import validate
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

__all__ = ["Violation", "check"]

SHAPES_FILE = Path(__file__).resolve().parent.parent / "schema" / "shapes.ttl"


@cache
def shapes() -> Graph:
    """The committed SHACL shapes (parsed once per process)."""
    g = Graph()
    g.parse(SHAPES_FILE, format="turtle")
    return g


class Violation:
    """One SHACL result: the node, the property path and the message."""

    def __init__(self, focus: str, path: str | None, value: str | None, message: str) -> None:
        self.focus = focus
        self.path = path
        self.value = value
        self.message = message

    def __str__(self) -> str:
        path = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        return f"<{self.focus}>{path}{value}: {self.message}"


def check(data: Graph, focus: list[str | URIRef] | None = None) -> list[Violation]:
    """Validate a data graph against the shapes; return the violations (empty when it conforms).

    Args:
        data: the candidate graph plus whatever it references (at least their rdf:type).
        focus: validate only these nodes (the candidate's own subjects).
    """
    if focus is not None and not focus:
        return []
    conforms, report, _ = validate(
        data,
        shacl_graph=shapes(),
        inference=None,
        abort_on_first=False,
        allow_warnings=True,
        focus_nodes=focus,
    )
    if conforms:
        return []
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        out.append(
            Violation(
                focus=str(report.value(result, SH.focusNode)),
                path=_opt(report.value(result, SH.resultPath)),
                value=_opt(report.value(result, SH.value)),
                message=str(report.value(result, SH.resultMessage) or "does not conform"),
            )
        )
    return sorted(out, key=str)


def _opt(term: object) -> str | None:
    return None if term is None else str(term)
