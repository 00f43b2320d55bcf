"""Sources as a registry: which named graph each source file writes, kept in the store.

A source's **key** says which file it is, independent of where the checkout or feed folder sits:
the name of the folder given on the command line and the file's path inside it
(``data/memory.yaml``, ``feeds/memory.yaml``); a file given on its own counts as inside its
parent folder. The metadata graph records each graph's key (``sg:sourceKey``), so the registry
survives moving a deployment to a new release folder.

A source's graph is named by its file's stem (``memory`` → ``…/graph/memory``) unless another
key already holds that name, in the store or earlier in the run; then it is qualified by its
folder (``…/graph/feeds/memory``). Names never move once given: the holder of a name keeps it in
every later run. A graph whose key has no source in a run is **absent**: the run reports it and
keeps it, unless ``--prune`` removes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from stackgraph.graph.namespace import GRAPH, META_GRAPH, SG
from stackgraph.graph.store import Store
from stackgraph.ingest.problems import Problem
from stackgraph.ingest.readers import SourceFile, display_name, graph_name

__all__ = ["Registered", "assign_names", "registered", "source_key", "unchanged_source"]


@dataclass(frozen=True)
class Registered:
    """A graph the store holds from an earlier run: its source's key (None in stores written
    before keys), its file as that run displayed it, the hashes of its input and content, and
    its triple count."""

    graph: str
    key: str | None
    file: str | None
    input_hash: str | None = None
    content_hash: str | None = None
    triples: int = 0


def source_key(path: Path, roots: list[Path]) -> str:
    """The key of a source file: the folder it was found under, by name, and its path in it.

    Examples:
        >>> source_key(Path("/srv/feeds/a/memory.yaml"), [Path("data"), Path("/srv/feeds")])
        'feeds/a/memory.yaml'
        >>> source_key(Path("/tmp/x/extra.csv"), [Path("/tmp/x/extra.csv")])
        'x/extra.csv'
    """
    resolved = path.resolve()
    for root in roots:
        top = root.resolve()
        if top in resolved.parents:
            return f"{top.name}/{resolved.relative_to(top).as_posix()}"
    return f"{resolved.parent.name}/{resolved.name}"


def registered(store: Store) -> dict[str, Registered]:
    """Every graph with a content hash in the metadata graph, by graph IRI."""
    rows = store.select(
        f"SELECT ?g ?k ?f ?i ?h ?n WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{SG.contentHash}> ?h ."
        f" OPTIONAL {{ ?g <{SG.sourceKey}> ?k }} OPTIONAL {{ ?g <{SG.sourceFile}> ?f }}"
        f" OPTIONAL {{ ?g <{SG.inputHash}> ?i }} OPTIONAL {{ ?g <{SG.tripleCount}> ?n }} }} }}"
    )
    return {
        str(g): Registered(
            str(g),
            _opt(k),
            _opt(f),
            _opt(i),
            _opt(h),
            0 if n is None else int(str(n)),
        )
        for g, k, f, i, h, n in rows
    }


def _opt(term: object) -> str | None:
    return None if term is None else str(term)


RESERVED = frozenset({str(META_GRAPH).rsplit("/", 1)[-1]})
"""Graph names no source may take: the metadata graph's."""


def assign_names(sources: list[SourceFile], held: dict[str, Registered]) -> list[Problem]:
    """Give each source its graph name, stable across runs (see the module).

    Returns:
        A problem for a file given twice, and for a source that finds no free name.
    """
    owner = {_name(g): r.key for g, r in held.items()}
    by_key = {r.key: _name(g) for g, r in held.items() if r.key is not None}
    taken: dict[str, str] = {}
    problems: list[Problem] = []
    for source in sources:
        if source.key in taken.values():
            problems.append(Problem(source.display, None, "this file is given twice"))
            continue
        name = by_key.get(source.key) or _free(source, owner, taken)
        if name is None:
            problems.append(
                Problem(
                    source.display,
                    None,
                    f"no free graph name: {source.name!r} and its folder-qualified names are"
                    f" held by other files ({', '.join(sorted(set(taken.values())))}); rename"
                    " the file",
                )
            )
            continue
        source.name = name
        taken[name] = source.key
    return problems


def _free(source: SourceFile, owner: dict[str, str | None], taken: dict[str, str]) -> str | None:
    """The first name no other key holds: the source's own, then under ever more folders."""
    folders = [_slug(p) for p in source.key.split("/")[:-1]]
    candidates = [source.name] + [
        "/".join([*folders[len(folders) - d :], source.name]) for d in range(1, len(folders) + 1)
    ]
    for name in candidates:
        if name in RESERVED:
            continue
        if name not in taken and owner.get(name, source.key) in (None, source.key):
            return name
    return None


def unchanged_source(path: Path, key: str, made: dict[str, tuple[str, str]]) -> SourceFile | None:
    """The source of a file whose bytes are those the stored graph of its key was made from
    (``made``: key -> (input hash, graph)), unread; None when it must be read. A file of a key
    the store does not hold is not even hashed here."""
    if key not in made or not path.is_file():
        return None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    held, graph = made[key]
    if digest != held:
        return None
    return SourceFile(path, display_name(path), _name(graph), digest, key=key, unchanged=True)


def _slug(part: str) -> str:
    return graph_name(part)


def _name(graph: str) -> str:
    return graph[len(str(GRAPH)) :] if graph.startswith(str(GRAPH)) else graph
