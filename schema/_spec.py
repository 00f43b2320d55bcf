"""Read `stackgraph.yaml` into plain dataclasses that the generators and the runtime share."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

SCHEMA_FILE = Path(__file__).with_name("stackgraph.yaml")

PREFIXES = {
    "sg": "https://w3id.org/stackgraph/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
}

SCALAR_TYPES = ("string", "integer", "float", "date", "boolean", "uri")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@dataclass(frozen=True)
class Slot:
    name: str
    type: str
    description: str = ""
    required: bool = False
    multivalued: bool = False
    identifier: bool = False
    key: bool = False
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    iri: str | None = None

    # Cached: the ingest asks each slot of each record (millions of times at scale).
    @cached_property
    def is_ref(self) -> bool:
        return self.type.startswith("ref:")

    @cached_property
    def is_enum(self) -> bool:
        return self.type.startswith("enum:")

    @cached_property
    def target(self) -> str:
        """Class of a reference or name of an enum."""
        return self.type.split(":", 1)[1]

    @cached_property
    def curie(self) -> str:
        return self.iri or f"sg:{camel(self.name)}"

    @cached_property
    def uri(self) -> str:
        prefix, local = self.curie.split(":", 1)
        return PREFIXES[prefix] + local


@dataclass(frozen=True)
class Enum:
    name: str
    description: str
    values: dict[str, str]


@dataclass(frozen=True)
class Class:
    name: str
    description: str
    abstract: bool
    parent: str | None
    slots: tuple[Slot, ...]
    own_slots: tuple[Slot, ...] = field(default=())

    @property
    def uri(self) -> str:
        return PREFIXES["sg"] + self.name

    @property
    def key_slots(self) -> tuple[Slot, ...]:
        return tuple(s for s in self.slots if s.key)

    @property
    def is_entity(self) -> bool:
        return self.parent == "Entity"

    def slot(self, name: str) -> Slot:
        for s in self.slots:
            if s.name == name:
                return s
        raise KeyError(name)


@dataclass(frozen=True)
class Schema:
    name: str
    version: str
    namespace: str
    entity_namespace: str
    graph_namespace: str
    enums: dict[str, Enum]
    mixins: dict[str, tuple[Slot, ...]]
    classes: dict[str, Class]

    @property
    def layer_namespace(self) -> str:
        return self.namespace.rstrip("#") + "/layer/"

    def concrete(self) -> list[Class]:
        return [c for c in self.classes.values() if not c.abstract]

    def entity_classes(self) -> list[Class]:
        return [c for c in self.classes.values() if c.is_entity]

    def subclasses(self, name: str) -> list[str]:
        """The class and every class below it."""
        out = [name]
        for c in self.classes.values():
            if c.parent == name:
                out.extend(self.subclasses(c.name))
        return out


def _slot(name: str, raw: dict[str, Any]) -> Slot:
    kind = raw.get("type", "string")
    if kind not in SCALAR_TYPES and not kind.startswith(("ref:", "enum:")):
        raise ValueError(f"slot {name!r}: unknown type {kind!r}")
    return Slot(
        name=name,
        type=kind,
        description=raw.get("description", ""),
        required=bool(raw.get("required", False)),
        multivalued=bool(raw.get("multivalued", False)),
        identifier=bool(raw.get("identifier", False)),
        key=bool(raw.get("key", False)),
        pattern=raw.get("pattern"),
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        default=raw.get("default"),
        iri=raw.get("iri"),
    )


@cache
def load(path: Path = SCHEMA_FILE) -> Schema:
    """Parse the schema file (cached: it is read once per process)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    enums = {
        n: Enum(n, e.get("description", ""), dict(e["values"])) for n, e in raw["enums"].items()
    }
    mixins = {
        n: tuple(_slot(s, v) for s, v in m["slots"].items()) for n, m in raw["mixins"].items()
    }
    classes: dict[str, Class] = {}
    for cname, c in raw["classes"].items():
        own = tuple(_slot(s, v) for s, v in c.get("slots", {}).items())
        inherited: tuple[Slot, ...] = ()
        parent = c.get("is_a")
        if parent:
            inherited = classes[parent].slots
        mixed = tuple(s for m in c.get("mixins", []) for s in mixins[m])
        slots = inherited + own + mixed
        classes[cname] = Class(
            name=cname,
            description=c.get("description", ""),
            abstract=bool(c.get("abstract", False)),
            parent=parent,
            slots=slots,
            own_slots=own,
        )
    for c in classes.values():
        for s in c.slots:
            if s.is_ref and s.target not in classes:
                raise ValueError(f"{c.name}.{s.name}: unknown class {s.target!r}")
            if s.is_enum and s.target not in enums:
                raise ValueError(f"{c.name}.{s.name}: unknown enum {s.target!r}")
    return Schema(
        name=raw["name"],
        version=str(raw["version"]),
        namespace=raw["namespace"],
        entity_namespace=raw["entity_namespace"],
        graph_namespace=raw["graph_namespace"],
        enums=enums,
        mixins=mixins,
        classes=classes,
    )
