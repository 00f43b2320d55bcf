"""Deployable capacity: how many units of the targets the recorded capacities allow, and which
capacity binds.

A linear program over the AND/OR graph, per period:

- every item ``j`` reached from the targets through requirements with a quantity gets an
  output ``x_j`` (units per period); a unit of item ``i`` consumes ``c_r`` of the input of each
  of its requirements ``r`` (the quantity, converted to the input's unit by the caller), so
  ``x_j >= sum_r c_r x_i`` over the requirements on ``j``;
- the sources of a requirement carry what it consumes: flows ``f_k >= 0`` over its source
  edges with ``sum_k f_k = c_r x_i``. With fixed shares (``substitution=False``) a source with
  a known share carries exactly that share, the sources without one carry the rest between them
  in any proportion; with ``substitution=True`` any source can carry any part. A flow counts in
  its supplier's output (a vendor's HBM3E is made, and consumes what it needs, like any item);
- an item's output is at most its capacity, and a supplier's flows of one input at most the
  capacity it holds of that input (``source_capacity``);
- the targets are made in a fixed mix: ``x_t >= w_t * mixes + (what other items consume)``, and
  the program maximises ``mixes``.

The program is assembled as sparse matrices and solved with HiGHS (`scipy.optimize.linprog`).
The dual value of each capacity is its shadow price: the extra mixes one more unit of that
capacity per period would allow, while the same capacities bind. An item reached through
quantities that has neither a capacity nor a quantified requirement of its own bounds nothing:
it is listed in `Deployable.unbounded`, and the requirements without a quantity (whose inputs
are not counted at all) in `Deployable.unquantified`, so that no input is silently infinite.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix

from stackgraph.graph.analysis._layout import F64, I64, gather_segments
from stackgraph.graph.analysis.errors import UnknownNodeError
from stackgraph.graph.analysis.model import DependencyGraph

__all__ = ["CapacityUse", "Deployable", "deployable"]

_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class CapacityUse:
    """One capacity of the program: of `item` (held by `supplier`, None for the item's whole
    output), how much of it the optimum uses, and its shadow price (extra mixes of the targets
    per extra unit of capacity a period). `binding` when it is used up and its price is
    positive: raising it raises the answer."""

    item: str
    supplier: str | None
    capacity: float
    used: float
    utilisation: float
    shadow_price: float
    binding: bool


@dataclass(frozen=True)
class Deployable:
    """Result of :func:`deployable`.

    Attributes:
        status: ``"optimal"``, or ``"unbounded"`` when no capacity bounds the targets.
        mixes: Mixes of the targets per period (None when unbounded).
        units: Units per period of each target: its weight times `mixes` (None when unbounded).
        constraints: Every capacity on the targets' quantified closure, binding ones first (by
            shadow price), then by utilisation.
        unbounded: Inputs (and targets) reached through quantities that have neither a
            capacity nor a quantified requirement: nothing bounds them. Suppliers are not
            listed: what bounds a supplier is the capacity it holds of an input.
        unquantified: Requirements of reached items without a quantity whose input is not
            reached through another: those inputs are not counted.
        output: Output per period of every reached item at the optimum (zeros left out).
        reached: Every item reached from the targets through quantities.
    """

    status: str
    mixes: float | None
    units: dict[str, float | None]
    constraints: tuple[CapacityUse, ...]
    unbounded: tuple[str, ...]
    unquantified: tuple[str, ...]
    output: dict[str, float] = field(repr=False)
    reached: tuple[str, ...] = field(default=(), repr=False)

    @property
    def binding(self) -> list[CapacityUse]:
        """The capacities that bind, highest shadow price first."""
        return [c for c in self.constraints if c.binding]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per capacity, for ``pandas.DataFrame``."""
        return [
            {
                "item": c.item,
                "supplier": c.supplier,
                "capacity": c.capacity,
                "used": c.used,
                "utilisation": c.utilisation,
                "shadow_price": c.shadow_price,
                "binding": c.binding,
            }
            for c in self.constraints
        ]


def _per_item(g: DependencyGraph, values: Mapping[str, float] | npt.ArrayLike, what: str) -> F64:
    if isinstance(values, Mapping):
        out = np.full(g.n_items, np.nan)
        for key, v in values.items():
            out[g.index(key)] = float(v)
    else:
        out = np.array(values, dtype=np.float64)
        if out.shape != (g.n_items,):
            raise ValueError(f"{what}: expected {g.n_items} values, one per item, got {out.shape}")
    if np.any(out < 0):
        raise ValueError(f"{what} must not be negative")
    return out


def _coefficients(g: DependencyGraph, quantities: Mapping[str, float] | None) -> F64:
    coef = g._lay.req_quantity.astype(np.float64)
    if quantities:
        ids = {g.requirement_id(r): r for r in range(g.n_requirements)}
        for rid, q in quantities.items():
            if rid not in ids:
                raise UnknownNodeError(rid)
            coef[ids[rid]] = math.nan if q is None else float(q)
    if np.any(coef < 0):
        raise ValueError("quantities must not be negative")
    return coef


def _closure(g: DependencyGraph, starts: I64, coef: F64) -> tuple[I64, I64, I64]:
    """Items reached from `starts` through quantified requirements and their sources; with the
    quantified requirements and the source edges of the reached items."""
    lay = g._lay
    seen = np.zeros(g.n_items, dtype=bool)
    seen[starts] = True
    frontier = starts
    reqs: list[I64] = []
    while frontier.size:
        r = gather_segments(lay.item_req_ptr, frontier)
        r = r[~np.isnan(coef[r])]
        reqs.append(r)
        s = gather_segments(lay.req_src_ptr, r)
        nxt = np.unique(np.concatenate([lay.req_input[r], lay.src_item[s]]).astype(np.int64))
        frontier = nxt[~seen[nxt]]
        seen[frontier] = True
    req = np.sort(np.concatenate(reqs)) if reqs else np.empty(0, dtype=np.int64)
    return np.flatnonzero(seen), req, gather_segments(lay.req_src_ptr, req)


def deployable(
    g: DependencyGraph,
    targets: Mapping[str, float] | Sequence[str],
    capacity: Mapping[str, float] | npt.ArrayLike,
    *,
    source_capacity: Mapping[tuple[str, str], float] | None = None,
    quantities: Mapping[str, float] | None = None,
    substitution: bool = False,
) -> Deployable:
    """The most units of `targets` per period that the capacities allow (module docstring).

    Args:
        g: The dependency graph.
        targets: Target ids, made one each per mix, or id -> units per mix (the demand mix).
        capacity: Item id -> output per period at most (or one value per item in `g.ids`
            order, NaN for none).
        source_capacity: ``(supplier, input)`` -> what the supplier can provide of the input per
            period, over all its flows of that input.
        quantities: Requirement id -> units of the input per unit of the item, overriding the
            graph's quantities (None or NaN: unknown, the input is not counted).
        substitution: Whether any source may carry any part of a requirement, whatever its share.

    Returns:
        The optimum, its capacities with their shadow prices, and what bounds nothing.

    Raises:
        UnknownNodeError: A target, an item or a requirement is not in the graph.
        ValueError: No target, a weight that is not positive, or a negative capacity or quantity.

    Examples:
        A rack needs 72 accelerators, each 1/16 of a packaging wafer; 1,000 packaging wafers and
        2,000 accelerators a period:

        >>> from stackgraph.graph.analysis import DependencyGraph
        >>> g = DependencyGraph.from_arrays(
        ...     ["rack", "gpu", "wafer"], [0, 1], [1, 2], [], [], req_quantity=[72, 1 / 16])
        >>> d = deployable(g, ["rack"], {"wafer": 1000, "gpu": 2000})
        >>> round(d.units["rack"], 3), [(c.item, c.binding) for c in d.constraints]
        (27.778, [('gpu', True), ('wafer', False)])
        >>> round(d.constraints[0].shadow_price, 6)  # racks per extra accelerator
        0.013889

    Notes:
        Building the program is linear in the requirements and sources reached; HiGHS' dual
        simplex is in practice near linear on these layered, sparse programs.
    """
    mix = dict.fromkeys(targets, 1.0) if not isinstance(targets, Mapping) else dict(targets)
    if not mix:
        raise ValueError("give at least one target")
    if any(not w > 0 for w in mix.values()):
        raise ValueError("every target's units per mix must be positive")
    p = _program(g, mix, capacity, source_capacity, quantities, substitution)
    res = linprog(
        p.objective,
        A_ub=p.a_ub,
        b_ub=p.b_ub,
        A_eq=p.a_eq,
        b_eq=None if p.a_eq is None else np.zeros(p.a_eq.shape[0]),
        bounds=np.column_stack([np.zeros(len(p.upper)), p.upper]),
        method="highs",
        # The objective is one column (`mixes`) beside outputs in the millions: its reduced
        # costs fall under HiGHS' default dual tolerance (1e-7) and the dual simplex stops
        # short of the optimum (by 10 % on the 10k-item benchmark, against CBC and HiGHS' IPM).
        options={"dual_feasibility_tolerance": 1e-10},
    )
    return _result(g, p, res)


@dataclass(frozen=True)
class _Program:
    """The assembled program of :func:`deployable` and what reading its solution needs.

    Columns: 0 is `mixes`, ``1 .. n_x`` the outputs of the reached items (``col``), then one
    flow per free source edge (``flow_col``). A source edge with a weight carries a fixed part
    of its requirement: its flow is that part of the item's output, written straight into its
    supplier's row instead of a column of its own. Rows of ``a_ub``: one balance per reached
    item, then one per held capacity (``held``).
    """

    mix: dict[str, float]
    items: I64
    req: I64
    col: I64
    t_idx: I64
    cap: F64
    coef: F64
    objective: F64
    a_ub: csr_matrix
    b_ub: F64
    a_eq: csr_matrix | None
    upper: F64
    held: list[tuple[str, str, float]]


def _program(
    g: DependencyGraph,
    mix: dict[str, float],
    capacity: Mapping[str, float] | npt.ArrayLike,
    source_capacity: Mapping[tuple[str, str], float] | None,
    quantities: Mapping[str, float] | None,
    substitution: bool,
) -> _Program:
    """Assemble the program as sparse matrices (module docstring)."""
    lay = g._lay
    cap = _per_item(g, capacity, "capacity")
    coef = _coefficients(g, quantities)
    t_idx = np.array([g.index(t) for t in mix], dtype=np.int64)
    items, req, src = _closure(g, t_idx, coef)
    n_x = len(items)
    col = np.full(g.n_items, -1, dtype=np.int64)
    col[items] = np.arange(1, n_x + 1)
    req_item, src_req = g._req_item(), g._src_req()
    c_r = coef[req]
    x_item = col[req_item[req]]
    pos = np.searchsorted(req, src_req[src])  # each source edge's requirement, in `req`

    # the weights impact uses (`stackgraph.graph.analysis._layout.source_shares`): known shares kept
    # (scaled to 1 when they sum above it), the sources without one carrying the rest together
    shares = g._shares()
    free = np.zeros(g.n_sources, dtype=bool)
    rest = np.zeros(g.n_sources)
    free[shares.unknown] = True
    rest[shares.unknown] = shares.rest
    if substitution:
        free[:] = True
        rest[:] = 1.0
    fixed, loose = np.flatnonzero(~free[src]), np.flatnonzero(free[src])
    flow_col = np.full(g.n_sources, -1, dtype=np.int64)
    flow_col[src[loose]] = np.arange(1 + n_x, 1 + n_x + len(loose))
    n_var = 1 + n_x + len(loose)
    part = shares.known[src[fixed]] * c_r[pos[fixed]]  # per unit of the item's output

    # balances: what consumers and flows take, plus w * mixes, minus the item's output <= 0
    rows = [col[lay.req_input[req]] - 1, col[lay.src_item[src[fixed]]] - 1]
    cols = [x_item, x_item[pos[fixed]]]
    vals = [c_r, part]
    rows += [col[lay.src_item[src[loose]]] - 1, np.arange(n_x), col[t_idx] - 1]
    cols += [flow_col[src[loose]], col[items], np.zeros(len(t_idx), dtype=np.int64)]
    vals += [np.ones(len(loose)), -np.ones(n_x), np.array(list(mix.values()))]

    # the free sources of a requirement carry together what the weighted ones leave
    groups, first = np.unique(pos[loose], return_inverse=True)
    left = np.zeros(len(req))
    left[pos[loose]] = rest[src[loose]]
    a_eq = None
    if len(groups):
        a_eq = coo_matrix(
            (
                np.concatenate([np.ones(len(loose)), -left[groups] * c_r[groups]]),
                (
                    np.concatenate([first, np.arange(len(groups))]),
                    np.concatenate([flow_col[src[loose]], x_item[groups]]),
                ),
            ),
            shape=(len(groups), n_var),
        ).tocsr()

    # held capacities: what one supplier provides of one input, over all its flows <= amount
    held: list[tuple[str, str, float]] = []
    for (supplier, inp), amount in (source_capacity or {}).items():
        if amount < 0:
            raise ValueError(f"capacity of {inp!r} held by {supplier!r} must not be negative")
        s_i, in_i = g.index(supplier), g.index(inp)
        mine = (lay.src_item[src] == s_i) & (lay.req_input[src_req[src]] == in_i)
        if not mine.any():
            continue
        row = n_x + len(held)
        held.append((inp, supplier, float(amount)))
        on_fixed, on_loose = mine[fixed], mine[loose]
        rows += [np.full(int(on_fixed.sum()), row), np.full(int(on_loose.sum()), row)]
        cols += [x_item[pos[fixed[on_fixed]]], flow_col[src[loose[on_loose]]]]
        vals += [part[on_fixed], np.ones(int(on_loose.sum()))]
    a_ub = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_x + len(held), n_var),
    ).tocsr()
    upper = np.full(n_var, np.inf)
    upper[1 : n_x + 1] = np.where(np.isnan(cap[items]), np.inf, cap[items])
    objective = np.zeros(n_var)
    objective[0] = -1.0
    b_ub = np.concatenate([np.zeros(n_x), [h[2] for h in held]])
    return _Program(
        mix, items, req, col, t_idx, cap, coef, objective, a_ub, b_ub, a_eq, upper, held
    )


def _result(g: DependencyGraph, p: _Program, res: Any) -> Deployable:
    """Read the solution: capacities with their use and shadow prices, and what bounds nothing."""
    lay = g._lay
    items, cap, n_x = p.items, p.cap, len(p.items)
    has_req = np.zeros(g.n_items, dtype=bool)
    has_req[g._req_item()[p.req]] = True
    has_held = np.zeros(g.n_items, dtype=bool)
    has_held[[g.index(h[0]) for h in p.held]] = True
    is_input = np.zeros(g.n_items, dtype=bool)
    is_input[lay.req_input[p.req]] = True
    is_input[p.t_idx] = True
    leaves = items[is_input[items] & np.isnan(cap[items]) & ~has_req[items] & ~has_held[items]]
    unbounded = tuple(sorted(lay.ids[i] for i in leaves.tolist()))
    reached_reqs = gather_segments(lay.item_req_ptr, items)
    # a link without a quantity whose input is counted through another link is not a gap
    in_closure = np.zeros(g.n_items, dtype=bool)
    in_closure[items] = True
    blind = reached_reqs[np.isnan(p.coef[reached_reqs]) & ~in_closure[lay.req_input[reached_reqs]]]
    unquantified = tuple(sorted(g.requirement_id(int(r)) for r in blind))
    reached = tuple(lay.ids[i] for i in items.tolist())
    if res.status == 3:
        return Deployable(
            "unbounded", None, dict.fromkeys(p.mix), (), unbounded, unquantified, {}, reached
        )
    if res.status != 0:
        raise RuntimeError(f"the solver failed: {res.message}")
    x = res.x
    mixes = float(x[0])
    activity = p.a_ub @ x
    # what the optimum takes of each item: its balance row without its own output
    taken = activity[:n_x] + x[1 : n_x + 1]
    bound_price = -np.asarray(res.upper.marginals)
    uses = [
        _use(lay.ids[items[i]], None, cap[items[i]], taken[i], bound_price[p.col[items[i]]])
        for i in np.flatnonzero(~np.isnan(cap[items])).tolist()
    ]
    row_price = -np.asarray(res.ineqlin.marginals)
    for j, (inp, supplier, amount) in enumerate(p.held):
        uses.append(_use(inp, supplier, amount, activity[n_x + j], row_price[n_x + j]))
    uses.sort(key=lambda u: (not u.binding, -u.shadow_price, -u.utilisation, u.item))
    output = {lay.ids[i]: float(x[p.col[i]]) for i in items.tolist() if x[p.col[i]] > _TOL}
    return Deployable(
        "optimal",
        mixes,
        {t: w * mixes for t, w in p.mix.items()},
        tuple(uses),
        unbounded,
        unquantified,
        output,
        reached,
    )


def _use(item: str, supplier: str | None, cap: float, used: float, price: float) -> CapacityUse:
    price = float(price) if price > _TOL else 0.0
    used = min(max(float(used), 0.0), cap)
    utilisation = used / cap if cap > 0 else 1.0
    binding = bool(price > _TOL and utilisation > 1 - 1e-7)
    return CapacityUse(item, supplier, float(cap), used, utilisation, price, binding)
