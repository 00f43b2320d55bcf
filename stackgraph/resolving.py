"""`stackgraph resolve`: the matches of external sources' organizations, for a person to decide."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stackgraph.ingest.resolve import ResolutionReport

__all__ = ["register", "resolution_report"]


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], bundled: Callable[[], Path]
) -> None:
    """Add the `resolve` command; `bundled` gives the folder read when no path is given."""
    p = sub.add_parser(
        "resolve",
        help="match the organizations of external sources (such as ETO) to the graph's and list"
        " the matches a person must confirm or reject",
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders, as given to ingest (default: bundled data); a folder's"
        " resolutions.yaml holds the decisions",
    )
    p.add_argument("--store", help="store spec (default: STACKGRAPH_STORE or var/store)")
    p.add_argument("--all", action="store_true", help="list the merged and new ones too")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.set_defaults(func=_cmd_resolve, bundled=bundled)


def resolution_report(paths: list[Path], store: str | None = None) -> ResolutionReport:
    """The resolution report of the external sources among `paths`, against the store's
    entities (outside the graphs of `paths`) and the other sources of `paths`; writes nothing.

    Raises:
        UsageError: a path does not exist, or there are no sources.
        InvalidInputError: the decision files have problems.
    """
    from stackgraph.graph.errors import StoreUnavailableError
    from stackgraph.graph.namespace import graph_iri
    from stackgraph.graph.store import default_store_spec, open_store
    from stackgraph.ingest.problems import InvalidInputError, UsageError
    from stackgraph.ingest.readers import discover, read_source
    from stackgraph.ingest.resolutions import read_decisions
    from stackgraph.ingest.resolve import resolve_external

    files, missing = discover(paths)
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if not files:
        raise UsageError("no source files under the given paths")
    decisions, problems = read_decisions(paths)
    if problems:
        raise InvalidInputError(problems)
    sources = [read_source(f, max_bytes=64 * 2**20) for f in files]
    spec = store or default_store_spec()
    try:
        target = open_store(spec, read_only=spec.startswith("oxigraph:"))
    except StoreUnavailableError:
        target = open_store("memory:")
    try:
        skip = {str(graph_iri(s.name)) for s in sources}
        report = resolve_external(sources, target, skip, decisions)
    finally:
        target.close()
    for s in sources:
        if s.problems:
            raise InvalidInputError(s.problems)
    return report


def _cmd_resolve(args: argparse.Namespace) -> int:
    import sys

    from stackgraph.ingest.problems import InvalidInputError

    paths = [Path(p) for p in args.paths] or [args.bundled()]
    try:
        report = resolution_report(paths, args.store)
    except InvalidInputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        raise
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
    else:
        print(report.text(everything=args.all))
    return 0
