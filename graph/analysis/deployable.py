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

from graph.analysis._layout import F64, I64, gather_segments
from graph.analysis.errors import UnknownNodeError
from graph.analysis.model import DependencyGraph

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

        >>> from graph.analysis import DependencyGraph
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
    lay = g._lay
    cap = _per_item(g, capacity, "capacity")
    coef = _coefficients(g, quantities)
    t_idx = np.array([g.index(t) for t in mix], dtype=np.int64)
    items, req, src = _closure(g, t_idx, coef)

    n_x = len(items)
    col = np.full(g.n_items, -1, dtype=np.int64)
    col[items] = np.arange(1, n_x + 1)  # column 0 is `mixes`
    f0 = 1 + n_x
    n_f = len(src)
    src_col = np.full(g.n_sources, -1, dtype=np.int64)
    src_col[src] = np.arange(f0, f0 + n_f)
    n_var = f0 + n_f
    req_item = g._req_item()
    src_req = g._src_req()
    c_r = coef[req]
    x_item = col[req_item[req]]

    # balance rows, one per reached item: consumption + flows + w*mixes - x_j <= 0
    rows = [col[lay.req_input[req]] - 1, col[lay.src_item[src]] - 1, np.arange(n_x), col[t_idx] - 1]
    cols = [x_item, src_col[src], col[items], np.zeros(len(t_idx), dtype=np.int64)]
    vals = [c_r, np.ones(n_f), -np.ones(n_x), np.array(list(mix.values()), dtype=np.float64)]

    # source rows: the flows of a requirement carry what it consumes, by share unless substituting
    eq_rows: list[I64] = []
    eq_cols: list[I64] = []
    eq_vals: list[F64] = []
    n_eq = 0
    if n_f:
        # the weights impact uses (`graph.analysis._layout.source_shares`): known shares kept
        # (scaled to 1 when they sum above it), the sources without one carrying the rest
        shares = g._shares()
        free = np.zeros(g.n_sources, dtype=bool)
        free[shares.unknown] = True
        rest = np.zeros(g.n_sources)
        rest[shares.unknown] = shares.rest
        if substitution:
            free[:] = True
            rest[:] = 1.0
        pos = np.searchsorted(req, src_req[src])
        # a source with a weight: f_k - w_k c_r x_i = 0 (one row each)
        k = np.flatnonzero(~free[src])
        n_k = len(k)
        eq_rows += [np.arange(n_k), np.arange(n_k)]
        eq_cols += [src_col[src[k]], x_item[pos[k]]]
        eq_vals += [np.ones(n_k), -shares.known[src[k]] * c_r[pos[k]]]
        # the free sources of a requirement: together what the weighted ones leave
        u = np.flatnonzero(free[src])
        groups, first = np.unique(pos[u], return_inverse=True)
        left = np.zeros(len(req))
        left[pos[u]] = rest[src[u]]
        eq_rows += [n_k + first, n_k + np.arange(len(groups))]
        eq_cols += [src_col[src[u]], x_item[groups]]
        eq_vals += [np.ones(len(u)), -left[groups] * c_r[groups]]
        n_eq = n_k + len(groups)

    # supplier capacities: the flows of one input by one supplier <= what it holds
    ub_extra: list[tuple[str, str, float, I64]] = []
    for (supplier, inp), amount in (source_capacity or {}).items():
        if amount < 0:
            raise ValueError(f"capacity of {inp!r} held by {supplier!r} must not be negative")
        s_i, in_i = g.index(supplier), g.index(inp)
        mine = src[(lay.src_item[src] == s_i) & (lay.req_input[src_req[src]] == in_i)]
        if mine.size:
            ub_extra.append((inp, supplier, float(amount), src_col[mine]))
    n_ub = n_x + len(ub_extra)
    for j, (_, _, _, fcols) in enumerate(ub_extra):
        rows.append(np.full(len(fcols), n_x + j))
        cols.append(fcols)
        vals.append(np.ones(len(fcols)))
    a_ub = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_ub, n_var)
    ).tocsr()
    b_ub = np.concatenate([np.zeros(n_x), [e[2] for e in ub_extra]])
    a_eq: csr_matrix | None = None
    if n_eq:
        a_eq = coo_matrix(
            (np.concatenate(eq_vals), (np.concatenate(eq_rows), np.concatenate(eq_cols))),
            shape=(n_eq, n_var),
        ).tocsr()
    upper = np.full(n_var, np.inf)
    upper[1 : n_x + 1] = np.where(np.isnan(cap[items]), np.inf, cap[items])
    objective = np.zeros(n_var)
    objective[0] = -1.0
    res = linprog(
        objective,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=np.zeros(n_eq) if n_eq else None,
        bounds=np.column_stack([np.zeros(n_var), upper]),
        method="highs",
    )
    has_req = np.zeros(g.n_items, dtype=bool)
    has_req[req_item[req]] = True
    has_supplier_cap = np.zeros(g.n_items, dtype=bool)
    has_supplier_cap[[g.index(e[0]) for e in ub_extra]] = True
    is_input = np.zeros(g.n_items, dtype=bool)
    is_input[lay.req_input[req]] = True
    is_input[t_idx] = True
    leaves = items[
        is_input[items] & np.isnan(cap[items]) & ~has_req[items] & ~has_supplier_cap[items]
    ]
    unbounded = tuple(sorted(lay.ids[i] for i in leaves.tolist()))
    reached_reqs = gather_segments(lay.item_req_ptr, items)
    # a link without a quantity whose input is counted through another link is not a gap
    in_closure = np.zeros(g.n_items, dtype=bool)
    in_closure[items] = True
    blind = reached_reqs[np.isnan(coef[reached_reqs]) & ~in_closure[lay.req_input[reached_reqs]]]
    unquantified = tuple(sorted(g.requirement_id(int(r)) for r in blind))
    if res.status == 3:
        reached = tuple(lay.ids[i] for i in items.tolist())
        return Deployable(
            "unbounded", None, dict.fromkeys(mix), (), unbounded, unquantified, {}, reached
        )
    if res.status != 0:
        raise RuntimeError(f"the solver failed: {res.message}")
    x = res.x
    mixes = float(x[0])
    uses: list[CapacityUse] = []
    bound_price = -np.asarray(res.upper.marginals)
    # what the optimum takes of each item: its balance row without its own output
    taken = a_ub[:n_x] @ x + x[1 : n_x + 1]
    for i in np.flatnonzero(~np.isnan(cap[items])).tolist():
        c = col[items[i]]
        uses.append(_use(lay.ids[items[i]], None, cap[items[i]], taken[i], bound_price[c]))
    row_price = -np.asarray(res.ineqlin.marginals)
    for j, (inp, supplier, amount, fcols) in enumerate(ub_extra):
        uses.append(_use(inp, supplier, amount, float(x[fcols].sum()), row_price[n_x + j]))
    uses.sort(key=lambda u: (not u.binding, -u.shadow_price, -u.utilisation, u.item))
    output = {lay.ids[i]: float(x[col[i]]) for i in items.tolist() if x[col[i]] > _TOL}
    return Deployable(
        "optimal",
        mixes,
        {t: w * mixes for t, w in mix.items()},
        tuple(uses),
        unbounded,
        unquantified,
        output,
        tuple(lay.ids[i] for i in items.tolist()),
    )


def _use(item: str, supplier: str | None, cap: float, used: float, price: float) -> CapacityUse:
    price = float(price) if price > _TOL else 0.0
    used = min(max(float(used), 0.0), cap)
    utilisation = used / cap if cap > 0 else 1.0
    binding = bool(price > _TOL and utilisation > 1 - 1e-7)
    return CapacityUse(item, supplier, float(cap), used, utilisation, price, binding)
