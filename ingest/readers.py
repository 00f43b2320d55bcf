"""Read sources into raw records with line numbers, through a registry of readers.

A reader registers itself for the file suffixes it reads (``register_reader``) or for the folders
it recognises (``register_folder_reader``); ``read_source`` picks the reader of a path from the
registry, so this module imports no reader of a format or a dataset. The built-in formats
(``ingest/formats.py``) and dataset readers (``ingest/eto.py``) register themselves; the
``ingest`` package imports them once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import Graph

from stackgraph.ingest.problems import Problem

__all__ = [
    "NOT_SOURCES",
    "FolderReader",
    "RawRecord",
    "SourceFile",
    "TextReader",
    "discover",
    "display_name",
    "folder_reader",
    "graph_name",
    "read_source",
    "register_folder_reader",
    "register_reader",
    "suffixes",
]


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
    key: str = ""
    """Which file this is, wherever its folder sits (``stackgraph.ingest.registry.source_key``)."""
    unchanged: bool = False
    """Not read: its bytes are those the store's graph of ``name`` was made from."""
    external: bool = False
    """An external dataset: its organizations are matched to the graph's (``stackgraph.ingest.resolve``)
    before they are added, so that one company stays one entity."""
    native_ids: dict[str, str] = field(default_factory=dict)
    """External sources: the dataset's own id of each entity record, by our slug."""


class TextReader(Protocol):
    """Fills a source from the decoded text of its file: records or RDF, problems on the source."""

    def __call__(self, source: SourceFile, text: str, /) -> None: ...


class FolderReader(Protocol):
    """Reads a folder it recognises into one source; problems are collected, never raised."""

    def __call__(self, folder: Path, display: str, *, max_bytes: int) -> SourceFile: ...


NOT_SOURCES = frozenset({"resolutions.yaml"})
"""File names in a data folder that the run reads but that are not sources: the decisions a
person made on the matches of ``stackgraph resolve`` (``stackgraph.ingest.resolve``)."""
_BY_SUFFIX: dict[str, TextReader] = {}
_FOLDERS: list[tuple[Callable[[Path], bool], FolderReader, str]] = []


def register_reader(*suffix: str) -> Callable[[TextReader], TextReader]:
    """Register the decorated function as the reader of files ending in these suffixes.

    Args:
        *suffix: file suffixes with their dot, such as ``".yaml"``.

    Returns:
        A decorator that registers the function and returns it unchanged.

    Raises:
        ValueError: a suffix without its leading dot, or one that another reader already reads.
    """
    for one in suffix:
        if not one.startswith(".") or len(one) < 2:
            raise ValueError(f"suffix {one!r} needs its leading dot, like '.csv'")

    def register(reader: TextReader) -> TextReader:
        for one in suffix:
            other = _BY_SUFFIX.get(one)
            if other is not None and other is not reader:
                raise ValueError(f"{one} files already have a reader: {other!r}")
        _BY_SUFFIX.update(dict.fromkeys(suffix, reader))
        return reader

    return register


def register_folder_reader(
    recognises: Callable[[Path], bool], *, what: str
) -> Callable[[FolderReader], FolderReader]:
    """Register the decorated function as the reader of the folders that `recognises` accepts.

    A recognised folder is one source (one named graph); folders no reader recognises are
    searched for source files instead.

    Args:
        recognises: whether a folder is a source of this reader (for example, it holds the
            dataset's CSV files).
        what: the folders it reads, for messages (``"an ETO folder (providers.csv, ...)"``).

    Returns:
        A decorator that registers the function and returns it unchanged.
    """

    def register(reader: FolderReader) -> FolderReader:
        if all(r is not reader for _, r, _ in _FOLDERS):
            _FOLDERS.append((recognises, reader, what))
        return reader

    return register


def suffixes() -> list[str]:
    """The file suffixes that have a reader, in the order they were registered.

    Examples:
        >>> suffixes()
        ['.yaml', '.yml', '.csv', '.ttl', '.nt', '.jsonld']
    """
    return list(_BY_SUFFIX)


def folder_reader(path: Path) -> FolderReader | None:
    """The reader of a folder that a registered folder reader recognises, else None.

    Examples:
        >>> folder_reader(Path("no/such/folder")) is None
        True
    """
    return next((reader for recognises, reader, _ in _FOLDERS if recognises(path)), None)


def discover(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Source files under the given paths, sorted; and the paths that do not exist.

    A folder that a folder reader recognises is one source; any other folder is searched for
    files with a registered suffix (hidden files and `NOT_SOURCES` left out). A file named on
    its own is a source whatever its suffix (``read_source`` names it when no reader reads it),
    unless it is one of `NOT_SOURCES`.
    """
    found: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if folder_reader(path) is not None:
            found.append(path)
        elif path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix in _BY_SUFFIX
                and not p.name.startswith(".")
                and p.name not in NOT_SOURCES
            )
        elif path.is_file():
            if path.name not in NOT_SOURCES:  # read by the run, not as a source
                found.append(path)
        else:
            missing.append(str(path))
    return found, missing


def display_name(path: Path) -> str:
    """The path relative to the working folder, or whole when outside it (two feeds' files of
    one name must not read alike)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


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


def _no_reader(path: Path) -> str:
    if path.is_dir():
        what = "no reader recognises this folder"
    else:
        what = f"no reader for files ending in {path.suffix!r}" if path.suffix else "no suffix"
    folders = "".join(f", or {folder}" for _, _, folder in _FOLDERS)
    return f"{what}; a source is a file ending in {', '.join(suffixes())}{folders}"


def graph_name(text: str) -> str:
    """A file or folder name as a part of a graph IRI: lower case, and every run of characters
    other than letters, digits and ``-`` one ``-`` (a space or ``>`` in a file name is data).

    >>> graph_name("My Chain>1.v2")
    'my-chain-1-v2'
    """
    return re.sub(r"[^a-z0-9-]+", "-", text.lower().replace("_", "-")).strip("-") or "source"


def read_source(path: Path, *, max_bytes: int) -> SourceFile:
    """Read one source with the reader registered for it; problems are collected, never raised.

    Args:
        path: a file, or a folder that a folder reader recognises.
        max_bytes: files over this size are refused unread.

    Returns:
        The source: its raw records or RDF, its input hash, and its problems (a file no reader
        reads, one over the size limit or not UTF-8, a syntax error, a misshapen record).
    """
    display = display_name(path)
    if path.is_dir():
        read_folder = folder_reader(path)
        if read_folder is not None:
            return read_folder(path, display, max_bytes=max_bytes)
    name = graph_name(path.stem)
    source = SourceFile(path=path, display=display, name=name, input_hash="")
    reader = None if path.is_dir() else _BY_SUFFIX.get(path.suffix)
    if reader is None:
        source.problems.append(Problem(display, None, _no_reader(path)))
        return source
    size = path.stat().st_size
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
    control = _CONTROL.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        source.problems.append(
            Problem(
                display,
                line,
                f"a control character ({ord(control.group()):#04x}) in the text; a data file holds"
                " text, tabs and line breaks only",
            )
        )
        return source
    reader(source, text)
    return source


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Characters no data file needs (NUL and the other C0 controls but tab and line breaks)."""
