"""A person's decisions on the matches of ``stackgraph resolve``, kept as data.

``resolutions.yaml`` in a folder given to ingest (the bundled one is ``data/resolutions.yaml``)
holds a list ``decisions``; each says that a record of an external source (``source``, the name
of its graph, and ``external``, the record's id in its dataset) is the same as the entity
``entity`` (``decision: same``) or is a company of its own (``decision: different``), with a
``note`` saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from stackgraph.ingest.problems import Problem
from stackgraph.ingest.readers import NOT_SOURCES

__all__ = ["DECISIONS", "Decision", "decision_files", "read_decisions"]

DECISIONS = "resolutions.yaml"
assert DECISIONS in NOT_SOURCES
_FIELDS = {"source", "external", "decision", "entity", "note", "name", "decided"}


@dataclass(frozen=True)
class Decision:
    """That the record `external` of `source` is `entity` (same) or no known entity (different)."""

    source: str
    external: str
    decision: str
    entity: str | None
    note: str
    where: str
    """File and line of the decision, for messages."""


def decision_files(paths: list[Path]) -> list[Path]:
    """The decision files among or directly inside the given paths.

    >>> decision_files([Path("no/such/folder")])
    []
    """
    out = []
    for path in paths:
        candidate = path / DECISIONS if path.is_dir() else path
        if candidate.name == DECISIONS and candidate.is_file():
            out.append(candidate)
    return out


def read_decisions(
    paths: list[Path],
) -> tuple[dict[tuple[str, str], Decision], list[Problem]]:
    """Every decision of the decision files of `paths`, by (source, external id), and the
    problems of those files (each with its file, line, field and what was expected)."""
    found: dict[tuple[str, str], Decision] = {}
    problems: list[Problem] = []
    for path in decision_files(paths):
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), None, f"not readable YAML: {exc}"))
            continue
        items = _items(root)
        if items is None:
            problems.append(Problem(str(path), 1, "expected a mapping with a list 'decisions'"))
            continue
        for node in items:
            decision, problem = _decision(path, node)
            if problem is not None:
                problems.append(problem)
            elif decision is not None:
                key = (decision.source, decision.external)
                if key in found:
                    problems.append(
                        Problem(
                            decision.where.rsplit(":", 1)[0],
                            node.start_mark.line + 1,
                            f"a second decision on {key[0]} {key[1]}, also at {found[key].where}",
                            field="external",
                            value=key[1],
                        )
                    )
                found[key] = decision
    return found, problems


def _items(root: yaml.Node | None) -> list[yaml.Node] | None:
    if not isinstance(root, yaml.MappingNode):
        return [] if root is None else None
    for key, value in root.value:
        if key.value == "decisions" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return None


def _decision(path: Path, node: yaml.Node) -> tuple[Decision | None, Problem | None]:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        return None, Problem(str(path), line, "expected a mapping (source, external, decision)")
    data = {k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode)}
    for name in data:
        if name not in _FIELDS:
            expected = ", ".join(sorted(_FIELDS))
            return None, Problem(str(path), line, f"not a field; expected {expected}", field=name)
    for name in ("source", "external", "decision"):
        if not data.get(name):
            return None, Problem(str(path), line, "is required but missing", field=name)
    if data["decision"] not in ("same", "different"):
        message = f"got {data['decision']!r}; expected same or different"
        return None, Problem(str(path), line, message, field="decision", value=data["decision"])
    if data["decision"] == "same" and not data.get("entity"):
        message = "is required with decision 'same': the id of the entity it is"
        return None, Problem(str(path), line, message, field="entity")
    return (
        Decision(
            source=str(data["source"]),
            external=str(data["external"]),
            decision=str(data["decision"]),
            entity=str(data["entity"]) if data.get("entity") else None,
            note=str(data.get("note", "")),
            where=f"{path}:{line}",
        ),
        None,
    )
