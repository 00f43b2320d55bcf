"""Validation rules that bound a query before it runs: depth, aliases and estimated cost.

The cost is an estimate of how many fields a query resolves: each field costs 1 (analyses
more, see `FIELD_WEIGHTS`), and everything below a list counts once per element expected:
`first` where the field or its connection takes it (a variable counts as the largest page),
`LIST_SIZES` or `DEFAULT_LIST_SIZE` for other lists. Fragments are measured once each, so a document that
spreads fragments exponentially is measured in linear time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
)

__all__ = ["DEFAULT_LIST_SIZE", "FIELD_WEIGHTS", "LIST_SIZES", "Measure", "limit_rules", "measure"]

log = logging.getLogger("stackgraph.api")

DEFAULT_LIST_SIZE = 10
LIST_SIZES: Mapping[str, int] = {
    "facts": 3,
    "via": 5,
    "sources": 5,
    "claims": 5,
    "explanation": 8,
    "shares": 3,
    "capacities": 20,
    # the most any chokepoint has on the bundled data (tsmc: 55; the top 15 have 46-55, the
    # mean over the top 100 is 20): at 20, chokepoints(first: 12) { endProducts { dependencies
    # (first: 100) { totalCount } } } was priced 48,352 and made 591 walks, 2.1 s (bench/cost.py)
    "endProducts": 55,
}
"""Expected lengths of lists that take no `first` and are usually short."""
FIELD_WEIGHTS: Mapping[str, int] = {
    "impact": 100,
    # a linear program per call: 30 aliased with different arguments took 0.89 s (29 ms each,
    # cold, bundled data; bench/cost.py), 6 times the time per cost unit of the rest; at 2,000 a
    # request holds at most 24, in line with the walks below
    "deployable": 2000,
    "chokepoints": 100,
    "criticalPath": 50,
    "singlePointsOfFailure": 50,
    # a walk of the graph per call: nested under a list, hundreds of them (a closure at 1M items
    # takes milliseconds; 2,000 nested under chokepoints took 4 s on the bundled data). The walk
    # also builds the path of each of its first `first` items, even for `totalCount` alone: cold,
    # a walk from an end product took 0.9 ms with first: 1, 1.3 ms with 20 and 3.6 ms with 100
    # (bench/cost.py), so the weight prices first: 100; at 50,000 that is 166 walks, about 0.6 s
    "dependencies": 300,
    "dependents": 300,
    "search": 10,
    "graphInfo": 10,
    "attributes": 2,
    "claims": 2,
}


@dataclass(frozen=True)
class Measure:
    """Depth, alias count and estimated cost of a selection set."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0


class _Meter:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        max_page: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.max_page = max_page
        self.memo: dict[tuple[str, int | None], Measure] = {}
        self.active: set[str] = set()

    def _first(self, field: FieldNode, default: object) -> int | None:
        for arg in field.arguments or ():
            if arg.name.value != "first":
                continue
            if isinstance(arg.value, IntValueNode):
                return max(0, int(arg.value.value))
            if isinstance(arg.value, VariableNode):
                return self.max_page
            return None
        return default if isinstance(default, int) else None

    def selection_set(
        self, node: SelectionSetNode | None, parent: GraphQLNamedType | None, page: int | None
    ) -> Measure:
        if node is None:
            return Measure()
        depth = aliases = cost = 0
        for sel in node.selections or ():
            if isinstance(sel, FieldNode):
                m = self.field(sel, parent, page)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition
                target = self.schema.get_type(cond.name.value) if cond else parent
                m = self.selection_set(sel.selection_set, target, page)
            elif isinstance(sel, FragmentSpreadNode):
                m = self.spread(sel.name.value, page)
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            depth = max(depth, m.depth)
            aliases += m.aliases
            cost += m.cost
        return Measure(depth, aliases, cost)

    def spread(self, name: str, page: int | None) -> Measure:
        key = (name, page)
        if key in self.memo:
            return self.memo[key]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.active:
            return Measure()  # unknown fragments and cycles are other rules' business
        self.active.add(name)
        try:
            target = self.schema.get_type(fragment.type_condition.name.value)
            result = self.selection_set(fragment.selection_set, target, page)
        finally:
            self.active.discard(name)
        self.memo[key] = result
        return result

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None) -> Measure:
        name = node.name.value
        alias = 1 if node.alias is not None else 0
        if name.startswith("__"):
            return Measure(0, alias, 1)  # introspection: bounded by the token limit
        definition = parent.fields.get(name) if isinstance(parent, GraphQLObjectType) else None
        if definition is None:
            return Measure(1, alias, 1)
        ftype = definition.type
        if isinstance(ftype, GraphQLNonNull):
            ftype = ftype.of_type
        is_list = isinstance(ftype, GraphQLList)
        while isinstance(ftype, GraphQLList | GraphQLNonNull):
            ftype = ftype.of_type
        first = None
        if "first" in definition.args:
            first = self._first(node, definition.args["first"].default_value)
            if first is None:
                first = self.max_page
        if is_list:
            size = first if first is not None else (page or LIST_SIZES.get(name, DEFAULT_LIST_SIZE))
            child_page = None
        else:
            size = 1
            child_page = first
        below = self.selection_set(node.selection_set, ftype, child_page)
        weight = FIELD_WEIGHTS.get(name, 1)
        return Measure(1 + below.depth, alias + below.aliases, weight + size * below.cost)


def measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    max_page: int,
) -> Measure:
    """Depth, aliases and estimated cost of one operation."""
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    return _Meter(schema, fragments, max_page).selection_set(operation.selection_set, root, None)


def limit_rules(
    *, max_depth: int, max_aliases: int, max_cost: int, max_page: int
) -> list[type[ValidationRule]]:
    """The validation rules that enforce these limits (one class per set of limits)."""

    class QueryLimits(ValidationRule):
        """Rejects operations past the depth, alias or cost limits, with coded errors."""

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            try:
                m = measure(self.context.schema, node, fragments, max_page)
            except Exception:
                # Refuse rather than run a query that could not be measured; keep the cause.
                log.exception("could not measure an operation")
                self.report_error(
                    GraphQLError(
                        "the server could not estimate the cost of this query; simplify it",
                        node,
                        extensions={"code": "COST_UNKNOWN"},
                    )
                )
                return
            name = node.name.value if node.name else "the query"
            if m.depth > max_depth:
                self.report_error(
                    GraphQLError(
                        f"{name} is {m.depth} levels deep, more than the limit of {max_depth}; "
                        "nest fewer fields (use `depth:` on dependencies instead)",
                        node,
                        extensions={"code": "DEPTH_LIMIT", "depth": m.depth, "limit": max_depth},
                    )
                )
            if m.aliases > max_aliases:
                self.report_error(
                    GraphQLError(
                        f"{name} uses {m.aliases} aliases, more than the limit of {max_aliases}; "
                        "send fewer aliased fields per request",
                        node,
                        extensions={
                            "code": "ALIAS_LIMIT",
                            "aliases": m.aliases,
                            "limit": max_aliases,
                        },
                    )
                )
            if m.cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"{name} has an estimated cost of {m.cost}, more than the limit of "
                        f"{max_cost}; ask for smaller pages (`first`) or fewer nested lists",
                        node,
                        extensions={"code": "COST_LIMIT", "cost": m.cost, "limit": max_cost},
                    )
                )

    return [QueryLimits]
