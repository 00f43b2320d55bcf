"""CLI commands for lookups and analyses, one word each as in Python and GraphQL: impact,
critical-path, single-points-of-failure, chokepoints, dependencies, dependents, capacities,
deployable, entity, search."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from typing import Any

from stackgraph import _format as fmt
from stackgraph._capacity_text import capacity_text
from stackgraph.graph.units import KINDS
from stackgraph.knowledge import KnowledgeGraph
from stackgraph.results import Table, plain

__all__ = ["register"]

_IMPACT_COLUMNS = ["id", "name", "layer", "status", "low", "high", "chain"]


def _open(args: argparse.Namespace) -> KnowledgeGraph:
    return KnowledgeGraph.open(args.store)


def _width(args: argparse.Namespace) -> int | None:
    """The terminal's width ($COLUMNS, else 100 when not a terminal); None with --wide."""
    return None if args.wide else shutil.get_terminal_size((100, 24)).columns


def _emit(
    args: argparse.Namespace, table: Table, columns: list[str] | None = None, footer: str = ""
) -> int:
    if args.json:
        print(
            json.dumps(
                {"title": table.title, "summary": table.summary, "rows": table.to_dicts()},
                default=str,
                sort_keys=True,
            )
        )
    else:
        print(table.to_text(columns, limit=args.limit, width=_width(args)))
        if footer:
            print(footer)
    return 0


def _impact(args: argparse.Namespace) -> int:
    if args.target is not None:
        return _impact_on(args)
    with _open(args) as kg:
        table = kg.impact(args.shortages, substitution=args.substitution)
    counts = table.summary["counts"]
    footer = (
        f"\n{counts.get('BLOCKED', 0)} blocked, {counts.get('CONSTRAINED', 0)} constrained, "
        f"{counts.get('POSSIBLY_CONSTRAINED', 0)} possibly constrained (a range: shares not"
        f" sourced), {counts.get('OK', 0)} ok"
    )
    if table.summary["cycles"]:
        footer += f"; cycles: {table.summary['cycles']}"
    if args.explain and not args.json:
        lines = [footer, ""]
        for row in table.rows[: args.limit]:
            lines += fmt.explanation(row)
        footer = "\n".join(lines)
    return _emit(args, table, _IMPACT_COLUMNS, footer)


def _impact_on(args: argparse.Namespace) -> int:
    """One item under the scenario, and under each of several shortages alone."""
    with _open(args) as kg:
        table = kg.impact(args.shortages, substitution=args.substitution, target=args.target)
        alone = []
        if len(table.summary["shortages"]) > 1:
            for ref, value in table.summary["shortages"].items():
                one = kg.impact({ref: value}, substitution=args.substitution, target=args.target)
                alone.append((f"{ref}={value:g}", one[0]))
    if args.json:
        answer = {"title": table.title, "summary": table.summary, "rows": table.to_dicts()}
        answer["alone"] = {shortage: plain(row) for shortage, row in alone}
        print(json.dumps(answer, default=str, sort_keys=True))
        return 0
    scenario = ", ".join(f"{k}={v:g}" for k, v in table.summary["shortages"].items())
    print(table.title)
    print("\n".join(fmt.target_view(table[0], scenario, alone, _width(args))))
    return 0


def _critical_path(args: argparse.Namespace) -> int:
    with _open(args) as kg:
        table = kg.critical_path(args.id)
    s = table.summary
    steps = list(table)
    footer = f"\nlead time (days): {s['total_days']}"
    if steps and steps[0]["kind"] == "quoted":
        footer += f", the quoted lead time of {steps[0]['node']} (its inputs included)"
    elif steps:
        quote = next((r["node"] for r in steps if r["kind"] == "quoted"), None)
        stage = "its stage time plus " if steps[0]["lead_time_known"] else ""
        footer += f", {stage}its slowest inputs" + (
            f", down to the quoted lead time of {quote}" if quote else ""
        )
    footer += (
        "\nkind: quoted = order-to-delivery time of an item, its inputs included (the path ends"
        " there); stage = an item's own step once its inputs are there; requirement, source ="
        " waits on that link"
    )
    if s["missing_on_path"] or s["missing_in_closure_count"]:
        footer += (
            f"\ntime unknown (counted as 0, so the lead time is a lower bound) for"
            f" {len(s['missing_on_path'])} step(s) on the path and"
            f" {s['missing_in_closure_count']} in the whole closure"
        )
    weak = [r["node"] for r in table if r["weak"]]
    if weak:
        footer += (
            f"\nresting on a weak fact (low confidence, or a secondary source): {', '.join(weak)}"
        )
    columns = ["node", "kind", "days", "cumulative", "lead_time_known", "weak"]
    return _emit(args, table, columns, footer)


def _deprecated(args: argparse.Namespace, old: str, new: str) -> None:
    if args.command == old:
        print(f"stackgraph {old} is deprecated; use stackgraph {new}", file=sys.stderr)


def _single_points_of_failure(args: argparse.Namespace) -> int:
    _deprecated(args, "spof", "single-points-of-failure")
    with _open(args) as kg:
        table = kg.single_points_of_failure(args.id)
    weak = sum(1 for r in table if r["weak"])
    footer = (
        f"\n{weak} of {len(table)} rest on a weak fact (low confidence, or a secondary source):"
        " see their facts (--json)"
        if weak
        else ""
    )
    return _emit(args, table, ["id", "name", "layer", "path", "weak"], footer)


def _chokepoints(args: argparse.Namespace) -> int:
    with _open(args) as kg:
        table = kg.chokepoints(args.top, categories=args.category or None)
    return _emit(args, table, ["id", "name", "layer", "end_products_blocked"])


def _closure(args: argparse.Namespace) -> int:
    with _open(args) as kg:
        fn = kg.dependents if args.command == "dependents" else kg.dependencies
        table = fn(args.id, depth=args.depth, layers=args.layer, categories=args.category)
    return _emit(args, table, ["id", "name", "layer", "depth", "path"])


def _capacities(args: argparse.Namespace) -> int:
    """Every figure in its canonical unit, with its kind and source; without --kind, the
    capacity figures first and every other kind (shipments, demand, backlog ...) listed apart,
    so that no such figure reads as a capacity."""
    _deprecated(args, "capacity", "capacities")
    with _open(args) as kg:
        table = kg.capacities(args.id, year=args.year, kind=args.kind)
    if not args.json:
        print(capacity_text(table, apart=not args.kind, limit=args.limit, width=_width(args)))
    elif args.kind:
        return _emit(args, table)
    else:
        answer = {
            "title": table.title,
            "summary": table.summary,
            "rows": [plain(r) for r in table if r["kind"] == "capacity"],
            "apart": [plain(r) for r in table if r["kind"] != "capacity"],
        }
        print(json.dumps(answer, default=str, sort_keys=True))
    return 0


def _deployable(args: argparse.Namespace) -> int:
    with _open(args) as kg:
        table = kg.deployable(
            args.targets,
            year=args.year,
            per=args.per,
            shortages=args.shortage,
            substitution=args.substitution,
            allocation=args.allocation,
        )
    s = table.summary
    lines = [""]
    for t, u in s["units"].items():
        lines.append(f"{t}: {fmt.units(u)} units per {s['per']} in {s['year']}")
        if t in s.get("lost", {}):
            lines.append(
                f"  baseline {fmt.units(s['baseline'][t])}, lost {fmt.units(s['lost'][t])}"
            )
    for r in table:
        if r["binding"]:
            per = f" a {r['per']}" if r["per"] else ""
            gain = r["shadow_price_low"] * 1000
            lines.append(
                f"binds: {r['layer']} - {r['id']}{' of ' + r['holder'] if r['holder'] else ''}"
                f" ({fmt.number(r['capacity_low'])} to {fmt.number(r['capacity_high'])} {r['unit']}{per},"
                f" {r['utilisation']:.0%} used): +1,000 {r['unit']}{per} gives +{fmt.number(gain)}"
                f" units per {s['per']}"
            )
            lines += [f"    source: {fmt.fact(f)}" for f in r["facts"]]
    for rid, facts in s["conversions"].items():
        lines.append(f"per wafer, for {rid}:")
        lines += [f"    source: {fmt.fact(f)}" for f in facts]
    if s["weak"]:
        lines.append(
            "rests on weak facts only (low confidence or a secondary source):"
            f" {', '.join(s['weak'])}"
        )
    if s["unbounded"]:
        names = ", ".join(u["id"] for u in s["unbounded"])
        lines.append(f"unbounded by the data (no capacity figure for {s['year']}): {names}")
    if s["gaps"]:
        lines.append("quantities no fact converts (not counted):")
        lines += [f"  {g['requirement']}: needs {g['missing']}" for g in s["gaps"]]
    if s["unquantified"]:
        lines.append(
            f"{len(s['unquantified'])} requirements on the path have no quantity: their inputs"
            " are not counted (--json lists them)"
        )
    for r in s.get("recovery", []):
        recover = (
            f"{r['time_to_recover_days']} days" if r["time_to_recover_days"] is not None else "?"
        )
        survive = r["survive_basis"] or "?"
        lines.append(f"{r['item']} out: time to recover {recover}, time to survive {survive}")
        if r["missing"]:
            lines.append(f"  missing: {'; '.join(r['missing'])}")
    if not s["allocation"]:
        lines.append(
            "the targets take all of every capacity on their path: give several targets to share"
            " them, or --allocation ORG to cap them at an organisation's recorded allocations"
        )
    columns = ["id", "layer", "holder", "unit", "per", "capacity_low", "capacity_high", "used"]
    columns += ["utilisation", "shadow_price_low", "binding"]
    return _emit(args, table, columns, "\n".join(lines))


def _search(args: argparse.Namespace) -> int:
    with _open(args) as kg:
        table = kg.search(args.text, layer=args.layer, category=args.category, limit=args.limit)
    return _emit(args, table, ["id", "name", "types", "layer", "category"])


def _entity(args: argparse.Namespace) -> int:
    _deprecated(args, "show", "entity")
    with _open(args) as kg:
        entity: dict[str, Any] = kg.entity(args.id)
    print(json.dumps(entity, indent=2, default=str, sort_keys=True))
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store", metavar="SPEC", default=None, help="store spec (default: the embedded store)"
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument("--limit", type=int, default=50, help="most rows to print (default 50)")
    p.add_argument(
        "--wide",
        action="store_true",
        help="print every cell on one line (default: wrap long cells to the terminal's width)",
    )


def register(sub: Any) -> None:
    """Add the analysis commands to the `stackgraph` parser."""
    p = sub.add_parser("impact", help="what shortages block or constrain, and why")
    p.add_argument(
        "shortages",
        nargs="+",
        metavar="ID[=AVAILABILITY]",
        help="entity id, name or alias; availability in [0, 1] (default 0)",
    )
    p.add_argument(
        "--substitution",
        action="store_true",
        help="any one qualified source can replace the others",
    )
    p.add_argument("--explain", action="store_true", help="print each chain with its sources")
    p.add_argument(
        "--target",
        metavar="ID",
        help="look at one item: its status, range and the chain that explains it, with sources",
    )
    _common(p)
    p.set_defaults(func=_impact)

    p = sub.add_parser("critical-path", help="the lead-time path of an item, in days")
    p.add_argument("id")
    _common(p)
    p.set_defaults(func=_critical_path)

    p = sub.add_parser(
        "single-points-of-failure",
        aliases=["spof"],
        help="items whose loss alone blocks an item (spof: the old name)",
    )
    p.add_argument("id")
    _common(p)
    p.set_defaults(func=_single_points_of_failure)

    p = sub.add_parser("chokepoints", help="items that alone block the most end products")
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--category", action="append", help="count only end products of this category")
    _common(p)
    p.set_defaults(func=_chokepoints)

    for name, text in (
        ("dependencies", "what an item needs"),
        ("dependents", "what needs an item"),
    ):
        p = sub.add_parser(name, help=text + ", transitively")
        p.add_argument("id")
        p.add_argument("--depth", type=int, default=None)
        p.add_argument(
            "--layer", action="append", help="list only items of this layer (repeatable)"
        )
        p.add_argument(
            "--category",
            action="append",
            help="list only items of this category, e.g. accelerator (repeatable)",
        )
        _common(p)
        p.set_defaults(func=_closure)

    p = sub.add_parser(
        "capacities",
        aliases=["capacity"],
        help="sourced capacity figures of an item, or held by one (capacity: the old name)",
    )
    p.add_argument("id")
    p.add_argument("--year", type=int, default=None, help="only figures for this year")
    p.add_argument(
        "--kind",
        action="append",
        choices=KINDS,
        help="only figures of this kind (repeatable); without it, capacity figures first and"
        " the other kinds listed apart",
    )
    _common(p)
    p.set_defaults(func=_capacities)

    p = sub.add_parser(
        "deployable", help="how many units of targets the capacities allow, and what binds"
    )
    p.add_argument("targets", nargs="+", metavar="TARGET", help="entity id, name or alias")
    p.add_argument("--year", type=int, default=None, help="year of the capacities (default: now)")
    p.add_argument("--per", choices=["month", "quarter", "year"], default="quarter")
    p.add_argument(
        "--shortage",
        action="append",
        metavar="ID=FACTOR|ID=AMOUNT UNIT",
        help="scale a capacity (cowos-l=0.8) or set it per month (cowos-l=50000 wafers)",
    )
    p.add_argument(
        "--substitution", action="store_true", help="any qualified source can carry any part"
    )
    p.add_argument(
        "--allocation",
        metavar="ORG",
        help="cap capacities at ORG's recorded allocations of the year (nvidia's CoWoS share)",
    )
    _common(p)
    p.set_defaults(func=_deployable)

    p = sub.add_parser("search", help="find entities by name or alias")
    p.add_argument("text", nargs="?", default="")
    p.add_argument("--layer", help="only entities of this layer, e.g. memory")
    p.add_argument("--category", help="only entities of this category, e.g. accelerator")
    _common(p)
    p.set_defaults(func=_search)

    p = sub.add_parser(
        "entity", aliases=["show"], help="everything known about one entity, as JSON"
    )
    p.add_argument("id")
    p.add_argument("--store", metavar="SPEC", default=None)
    p.set_defaults(func=_entity)
