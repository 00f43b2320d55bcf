"""The `stackgraph` command: ingest, export, serve and the analyses.

Exit codes, for schedulers: 0 done (changed or unchanged), 1 invalid input (store unchanged),
2 usage error, 75 store busy or unavailable (retry later).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from stackgraph.graph.analysis import AnalysisError
from stackgraph.graph.errors import (
    StackgraphError,
    StoreBusyError,
    StoreDamagedError,
    StoreSpecError,
    StoreUnavailableError,
    UnknownEntityError,
)

__all__ = [
    "EXIT_BUSY",
    "EXIT_DAMAGED",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "INTERRUPTED",
    "main",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_DAMAGED = 74  # EX_IOERR: the store's files are damaged; retrying will not help
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
INTERRUPTED = (
    "interrupted: the store holds its graphs from before the run, or those of the run if its"
    " one transaction had committed; never a mix"
)

log = logging.getLogger("stackgraph")


def bundled_data() -> Path:
    """The bundled dataset: `data/` in a checkout, or the copy inside an installed wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "data", here / "_bundled" / "data"):
        if candidate.is_dir():
            return candidate
    raise StackgraphError("the bundled data folder is missing from this installation")


def _store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="SPEC",
        default=None,
        help="memory:, oxigraph:PATH or sparql:URL (default: $STACKGRAPH_STORE, else the "
        "embedded store under var/store)",
    )


def _ingest_exit(outcome: str, code: int, error: str, store: str | None) -> int:
    """Every exit of `stackgraph ingest` ends with its JSON line on stdout, errors too."""
    if error:
        print(f"error: {error}", file=sys.stderr)
    print(json.dumps({"outcome": outcome, "error": error, "store": store}, sort_keys=True))
    return code


def _cmd_ingest(args: argparse.Namespace) -> int:
    from stackgraph.ingest.problems import UsageError

    try:
        return _ingest(args)
    except UsageError as exc:
        return _ingest_exit("usage-error", EXIT_USAGE, str(exc), args.store)
    except StoreBusyError as exc:
        return _ingest_exit("busy", EXIT_BUSY, str(exc), args.store)
    except StoreUnavailableError as exc:
        return _ingest_exit("unavailable", EXIT_BUSY, str(exc), args.store)
    except StoreDamagedError as exc:
        return _ingest_exit("damaged", EXIT_DAMAGED, str(exc), args.store)
    except StoreSpecError as exc:
        return _ingest_exit("usage-error", EXIT_USAGE, str(exc), args.store)
    except KeyboardInterrupt:
        return _ingest_exit(
            "interrupted",
            EXIT_INTERRUPTED,
            INTERRUPTED,
            args.store,
        )


def _ingest(args: argparse.Namespace) -> int:
    from stackgraph.ingest.problems import InvalidInputError
    from stackgraph.ingest.run import IngestOptions, ingest

    paths = [Path(p) for p in args.paths] or [bundled_data()]
    options = IngestOptions(
        paths=paths,
        store=args.store,
        dry_run=args.dry_run,
        max_file_bytes=int(args.max_file_mb * 2**20),
        progress=sys.stderr.isatty() and not args.quiet,
        prune=args.prune,
        full=args.full,
    )
    try:
        report = ingest(options, log=log.info)
    except InvalidInputError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(
            f"error: {len(exc.problems)} problem(s); nothing was written to the store",
            file=sys.stderr,
        )
        summary = exc.report.to_dict() if exc.report else {"outcome": "invalid"}
        summary["outcome"] = "invalid"
        summary["problems"] = [p.to_dict() for p in exc.problems[:200]]
        print(json.dumps(summary, sort_keys=True))
        return EXIT_INVALID
    for source in report.sources:
        print(
            f"{source.outcome:>9}  {source.source}  ({source.triples} triples, "
            f"+{source.added} -{source.removed})",
            file=sys.stderr,
        )
    for file, graph in report.absent:
        print(f"   absent  {file}  (graph {graph} kept; --prune removes it)", file=sys.stderr)
    verdict = {
        "changed": "store updated",
        "unchanged": "unchanged: nothing to do",
        "dry-run": "dry run: valid, nothing written",
    }[report.outcome]
    print(verdict, file=sys.stderr)
    print(json.dumps(report.to_dict(), sort_keys=True))
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from stackgraph.graph.export import export

    text = export(args.store, args.format, with_meta=args.with_meta)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from stackgraph.api.app import create_app
    from stackgraph.api.settings import Settings
    from stackgraph.knowledge import KnowledgeGraph

    settings = Settings.from_env(store=args.store)
    # A store that cannot be opened is one line and an exit code a supervisor can act on (75: try
    # again, 74: damaged), not a traceback from inside the server's start.

    def check() -> int:
        KnowledgeGraph.open(settings.store).close()
        return EXIT_OK

    if args.workers > 1:
        # Workers forked from this process once it has built the app: they share its pages.
        # The store is opened only in them (and for the check, in a child of its own).
        from stackgraph.api.workers import in_child, serve_workers

        code = in_child(lambda: _guarded(args, check))
        if code != EXIT_OK:
            return code
        app = create_app(settings)
        return serve_workers(
            app, host=args.host, port=args.port, workers=args.workers, log_level=args.log_level
        )
    check()
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return EXIT_OK


def _cmd_audit(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from stackgraph.ingest.audit import findings, measures, report
    from stackgraph.knowledge import KnowledgeGraph

    with KnowledgeGraph.open(args.store) as kg:
        found, measured = findings(kg), measures(kg)
    if args.json:
        print(
            json.dumps(
                {
                    "findings": [asdict(f) for f in found],
                    "measures": [asdict(m) | {"percent": round(m.percent, 1)} for m in measured],
                },
                indent=2,
            )
        )
    else:
        print(report(found, measured))
    return EXIT_INVALID if found else EXIT_OK


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


class _UsageExit(Exception):
    """argparse refused the command line; the message says why."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise _UsageExit(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stackgraph",
        description="A knowledge graph of the AI-infrastructure supply chain.",
        epilog="exit codes: 0 ok, 1 invalid input (store unchanged), 2 usage error, "
        "75 store busy or unavailable (retry later)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    p = sub.add_parser("ingest", help="validate sources and swap them into the store")
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: bundled data)"
    )
    _store_arg(p)
    p.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    p.add_argument(
        "--max-file-mb", type=float, default=64.0, help="refuse larger files (default 64)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--prune",
        action="store_true",
        help="remove the graphs of sources no longer among the inputs (without it they are"
        " kept and listed as absent)",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="validate every source, also those unchanged since the last run",
    )
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("export", help="write the graph out")
    _store_arg(p)
    p.add_argument("--format", choices=["ttl", "nt", "trig", "jsonld"], default="ttl")
    p.add_argument("--with-meta", action="store_true", help="include the ingest-run metadata graph")
    p.add_argument("-o", "--output", help="file to write (default: stdout)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("serve", help="serve the GraphQL API")
    _store_arg(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--workers",
        type=_at_least_one,
        default=1,
        help="server processes, forked from one that has built the app: they share its pages"
        " and the graph's projection file; one that dies is replaced (default 1)",
    )
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser(
        "audit",
        help="check the quality gates of the data in the store and measure its coverage"
        " (exit 1 when a gate fails)",
    )
    _store_arg(p)
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.set_defaults(func=_cmd_audit)

    for extra in _EXTRA_COMMANDS:
        extra(sub)
    return parser


def _register_analyses(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from stackgraph.analyses import register

    register(sub)


def _register_resolve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from stackgraph.resolving import register

    register(sub, bundled_data)


_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _register_analyses,
    _register_resolve,
]


class _JsonLines(logging.Formatter):
    """One JSON object per log line: time, level, logger, message, seconds since the start
    and the process's peak memory, for a scheduler's log collector."""

    def format(self, record: logging.LogRecord) -> str:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "seconds": round(record.relativeCreated / 1000, 3),
            "peak_mib": round(peak),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(given)
    except _UsageExit as exc:
        if "ingest" in given:  # the scheduler still gets its line
            print(json.dumps({"error": str(exc), "outcome": "usage-error", "store": None}))
        return EXIT_USAGE
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonLines())
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[handler])
    return _guarded(args, lambda: args.func(args))


def _guarded(args: argparse.Namespace, work: Callable[[], int]) -> int:
    """`work()`'s exit code, or the code of what it raised, after one line saying what."""
    try:
        return work()
    except BrokenPipeError:
        # The reader went away (`stackgraph ... | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (StoreBusyError, StoreUnavailableError) as exc:
        return _failed(args, exc, EXIT_BUSY)
    except StoreDamagedError as exc:
        return _failed(args, exc, EXIT_DAMAGED)
    except (StoreSpecError, UnknownEntityError, ValueError) as exc:
        return _failed(args, exc, EXIT_USAGE)
    except AnalysisError as exc:  # the data cannot answer this question (a cycle under it)
        return _failed(args, exc, EXIT_INVALID)
    except StackgraphError as exc:
        from stackgraph.ingest.problems import UsageError

        return _failed(args, exc, EXIT_USAGE if isinstance(exc, UsageError) else EXIT_INVALID)


def _failed(args: argparse.Namespace, exc: Exception, code: int) -> int:
    """One line on stderr, and with --json one JSON error object on stdout; the exit code."""
    print(f"error: {exc}", file=sys.stderr)
    if getattr(args, "json", False) and args.command != "ingest":
        print(json.dumps({"error": str(exc), "kind": type(exc).__name__, "exit": code}))
    return code


if __name__ == "__main__":
    sys.exit(main())
