r"""The purchase planner: which commitments to buy, as one exact LP/MILP over hourly rows.

Inputs. Eligible usage is a set of groups g (one per provider, region and family: what one
size-flexible reservation can cover), each with an hourly profile u[g,h] ≥ 0 over H hours of
the lookback, in on-demand money per hour, measured after the commitments already owned are
applied (only what is still paid on demand). Scopes form a tree: a group's own node n(g)
(RI / EC2 Instance SP / reservation / resource CUD for that family and region) under its
provider's root (Compute SP / Azure savings plan / GCP flexible CUD). Each node n offers
options j (product, term, payment) with an effective discount d_j off on-demand (upfront
amortised over the term) and a unit v_j: one instance (or vCPU) of a reference type worth v_j
of on-demand per hour for counted products, v_j = 1 (one unit of on-demand spend per hour)
for savings plans and flexible CUDs.

Variables. k_j ≥ 0 units of option j (integer for counted products: RIs, reservations,
resource CUDs; continuous for savings plans); e[n,h] ≥ 0 the usage left uncovered after node
n in hour h.

Rows (one per node and hour):

    e[n,h] + Σ_{j at n} v_j · k_j  ≥  Σ_{g: n(g)=n} u[g,h] + Σ_{m child of n} e[m,h]

Objective (money over the window):

    min  Σ_j H · (1 − d_j) · v_j · k_j  +  Σ_{n a root} Σ_h e[n,h]  (+ usage no option covers)

A node's commitments cover its own usage and whatever its children left; what a root leaves
is paid on demand. Covering the narrowest scope first is how AWS applies RIs before savings
plans, and with nested (laminar) scopes it is also an optimal allocation, so the model is exact
for free allocation too. Fees are paid whether used or not: an unused unit costs its fee.

The d-quantile. For one product with discount d over one profile, the cost of commitment c is

    cost(c) = Σ_h [ (1 − d) · c + max(0, u_h − c) ],   cost'(c) = (1 − d)·H − #{h : u_h > c}

so cost falls while more than (1 − d)·H hours exceed c: the minimum is the d-quantile of u_h
(the ⌈d·H⌉-th smallest value; any point between it and the next when d·H is whole). Buying
more than the d-quantile loses money in the hours below it faster than it saves above.

Solved with HiGHS (highspy) on arrays built in one pass: at 200 groups × 2,160 hours the
model has ~440k columns and rows, which HiGHS takes in seconds where building it term by term
in Python would not.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from lepton_cli.commitments.model import CommitmentScope, Payment, Product
from lepton_cli.errors import LeptonError

Array = npt.NDArray[np.float64]


class PlannerError(LeptonError):
    """The solver failed on a purchase problem (a bug or a time limit with no solution)."""


@dataclass(frozen=True)
class Option:
    """One product a node can buy: ``discount`` off on-demand, in units worth ``unit_value``."""

    product: Product
    term_months: int
    payment: Payment
    discount: float
    unit_value: float = 1.0
    unit_type: str | None = None  # counted products: the reference type the count is in
    unit: str = "USD/hour"
    integer: bool = False  # bought in whole units (instances, vCPUs)


@dataclass
class Node:
    key: str
    scope: CommitmentScope
    provider: str
    parent: str | None = None
    options: list[Option] = field(default_factory=list)


@dataclass
class Group:
    """Eligible usage of one (provider, region, family): on-demand money per hour, per hour."""

    key: str
    node: str | None  # the lowest node with options that may cover it; None: nothing can
    usage: Array


@dataclass
class PurchaseProblem:
    nodes: list[Node]
    groups: list[Group]
    hours: int

    def node_usage(self) -> dict[str, Array]:
        out = {n.key: np.zeros(self.hours) for n in self.nodes}
        for g in self.groups:
            if g.node is not None:
                out[g.node] = out[g.node] + g.usage
        return out

    def uncovered_usage(self) -> float:
        return float(sum(g.usage.sum() for g in self.groups if g.node is None))

    def baseline(self) -> float:
        """What the window costs with no new commitments: all of it on demand."""
        return float(sum(g.usage.sum() for g in self.groups))


@dataclass(frozen=True)
class SolveResult:
    units: dict[tuple[str, int], float]  # (node key, option index) -> k_j
    cost: float  # money over the window
    bound: float
    gap: float
    status: str
    seconds: float


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """HiGHS writes its banner to fd 1 with C stdio; machine-readable stdout must stay clean."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).fflush(None)
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _order(problem: PurchaseProblem) -> list[Node]:
    """Nodes children first (a child's residual flows into its parent's row)."""
    depth: dict[str, int] = {}
    by_key = {n.key: n for n in problem.nodes}

    def level(n: Node) -> int:
        if n.key not in depth:
            depth[n.key] = 0 if n.parent is None else 1 + level(by_key[n.parent])
        return depth[n.key]

    return sorted(problem.nodes, key=lambda n: (-level(n), n.key))


@dataclass
class _Arrays:
    cost: list[Array] = field(default_factory=list)
    upper: list[Array] = field(default_factory=list)
    integer: list[Array] = field(default_factory=list)
    rows: list[Array] = field(default_factory=list)
    cols: list[Array] = field(default_factory=list)
    vals: list[Array] = field(default_factory=list)
    ncols: int = 0

    def column_block(self, cost: Array, upper: Array, integer: bool) -> int:
        first = self.ncols
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(np.full(len(cost), 1.0 if integer else 0.0))
        self.ncols += len(cost)
        return first

    def entries(self, rows: Array, cols: Array, vals: Array) -> None:
        self.rows.append(rows)
        self.cols.append(cols)
        self.vals.append(vals)


def _build(problem: PurchaseProblem) -> tuple[_Arrays, Array, list[tuple[str, int, int]]]:
    """Columns, matrix entries and row lower bounds; the k_j columns as (node, option, col)."""
    hours, nodes = problem.hours, _order(problem)
    row_of = {n.key: i * hours for i, n in enumerate(nodes)}
    usage = problem.node_usage()
    a, index = _Arrays(), np.arange(hours, dtype=np.float64)
    k_cols: list[tuple[str, int, int]] = []
    for n in nodes:
        peak = float(usage[n.key].max(initial=0.0))
        for j, opt in enumerate(n.options):
            upper = np.array([np.inf if peak == 0 else peak / opt.unit_value * 4 + 1])
            fee = np.array([hours * (1 - opt.discount) * opt.unit_value])
            col = a.column_block(fee, upper, opt.integer)
            k_cols.append((n.key, j, col))
            a.entries(row_of[n.key] + index, np.full(hours, col), np.full(hours, opt.unit_value))
        root_cost = 1.0 if n.parent is None else 0.0
        first = a.column_block(np.full(hours, root_cost), np.full(hours, np.inf), False)
        a.entries(row_of[n.key] + index, first + index, np.ones(hours))
        if n.parent is not None:
            a.entries(row_of[n.parent] + index, first + index, -np.ones(hours))
    lower = np.concatenate([usage[n.key] for n in nodes]) if nodes else np.zeros(0)
    return a, lower, k_cols


def solve(
    problem: PurchaseProblem, time_limit: float = 60.0, gap: float = 1e-4, threads: int = 1
) -> SolveResult:
    """The optimal purchase (within relative ``gap``) and what the window then costs.

    The LP relaxation gives a lower bound; rounding its whole-unit purchases and improving
    them one unit at a time (each root's spend-based commitment re-set to the quantile of what
    reaches it) gives a purchase whose cost is within the bound's gap. Only when that gap is
    wider than asked does the MILP run, warm-started from it, in the time left."""
    started = time.perf_counter()
    if not any(n.options for n in problem.nodes):
        cost = problem.baseline()
        return SolveResult({}, cost, cost, 0.0, "optimal", 0.0)
    a, lower, k_cols = _build(problem)
    const = problem.uncovered_usage()
    values, objective, _, status = _run_highs(a, lower, time_limit, gap, threads, relax=True)
    lp_units = {(node, j): _clean(values[col]) for node, j, col in k_cols}
    bound = objective + const
    if not any(block.any() for block in a.integer):
        return SolveResult(lp_units, bound, bound, 0.0, status, time.perf_counter() - started)
    deadline = started + time_limit
    units, cost = _incumbent(problem, lp_units, deadline)
    left = deadline - time.perf_counter()
    if _gap(cost, bound) > gap and left > 0.5:
        start = {col: units.get((node, j), 0.0) for node, j, col in k_cols}
        got = _run_highs(a, lower, left, gap, threads, start=start)
        mip_units = {(node, j): _clean(got[0][col]) for node, j, col in k_cols}
        bound = max(bound, got[2] + const)
        if got[1] + const < cost:
            units, cost = mip_units, evaluate(problem, mip_units).cost
    within = _gap(cost, bound)
    label = "optimal" if within <= gap else "time limit"
    return SolveResult(units, cost, bound, within, label, time.perf_counter() - started)


def _gap(cost: float, bound: float) -> float:
    return max(0.0, cost - bound) / max(abs(cost), 1e-9)


def _clean(value: float) -> float:
    near = round(value)
    return float(near) if abs(value - near) < 1e-6 else float(value)


def _incumbent(
    problem: PurchaseProblem, lp_units: dict[tuple[str, int], float], deadline: float
) -> tuple[dict[tuple[str, int], float], float]:
    """Round the LP's whole-unit purchases, then move each by ±1 while that lowers the cost."""
    by_key = {n.key: n for n in problem.nodes}
    integer = [k for k in sorted(lp_units) if by_key[k[0]].options[k[1]].integer]
    units = dict(lp_units)
    for k in integer:
        units[k] = float(round(units[k]))
    units = tune_roots(problem, units)
    cost = evaluate(problem, units).cost
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for k in integer:
            for step in (1.0, -1.0):
                if units[k] + step < 0:
                    continue
                trial = tune_roots(problem, {**units, k: units[k] + step})
                trial_cost = evaluate(problem, trial).cost
                if trial_cost < cost - 1e-9:
                    units, cost, improved = trial, trial_cost, True
                    break
    return units, cost


def tune_roots(
    problem: PurchaseProblem, units: dict[tuple[str, int], float]
) -> dict[tuple[str, int], float]:
    """Each root's best continuous option set to the d-quantile of the demand reaching it
    (its own optimum given everything below it); the root's other options to zero."""
    out = dict(units)
    demand = _root_demand(problem, units)
    for n in problem.nodes:
        if n.parent is not None or not n.options or any(o.integer for o in n.options):
            continue
        j = max(range(len(n.options)), key=lambda i: n.options[i].discount)
        for i in range(len(n.options)):
            out[n.key, i] = 0.0
        level = quantile_array(demand[n.key], n.options[j].discount)
        out[n.key, j] = level / n.options[j].unit_value
    return out


def _root_demand(problem: PurchaseProblem, units: dict[tuple[str, int], float]) -> dict[str, Array]:
    """What reaches each root before its own commitments: its usage plus its children's rest."""
    tree = _tree(problem)
    residual: dict[str, Array] = {}
    demand: dict[str, Array] = {}
    for n in tree.order:
        d = tree.usage[n.key] + sum((residual[c] for c in tree.children[n.key]), tree.zero)
        demand[n.key] = d
        cap = sum(units.get((n.key, j), 0.0) * o.unit_value for j, o in enumerate(n.options))
        residual[n.key] = np.maximum(d - cap, 0.0)
    return demand


def quantile_array(values: Array, share: float) -> float:
    """:func:`quantile` on an array (nearest rank), in linear time."""
    n = len(values)
    rank = max(1, math.ceil(share * n - 1e-9))
    return float(np.partition(values, min(rank, n) - 1)[min(rank, n) - 1])


def _run_highs(
    a: _Arrays,
    lower: Array,
    time_limit: float,
    gap: float,
    threads: int,
    relax: bool = False,
    start: dict[int, float] | None = None,
) -> tuple[Array, float, float, str]:
    import highspy

    with _silenced():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
        h.setOptionValue("mip_rel_gap", float(gap))
        h.setOptionValue("threads", int(threads))
        h.passModel(_lp(highspy, a, lower, relax))
        if start:
            cols = np.array(sorted(start), dtype=np.int32)
            h.setSolution(len(cols), cols, np.array([start[c] for c in cols], dtype=np.float64))
        h.run()
    status = h.modelStatusToString(h.getModelStatus()).lower()
    info = h.getInfo()
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    if len(values) != a.ncols or not np.isfinite(info.objective_function_value):
        raise PlannerError(f"the purchase model was not solved: {status}")
    is_mip = not relax and any(block.any() for block in a.integer)
    bound = info.mip_dual_bound if is_mip else info.objective_function_value
    if not np.isfinite(bound):
        bound = info.objective_function_value
    return values, float(info.objective_function_value), float(bound), status


def _lp(highspy: Any, a: _Arrays, lower: Array, relax: bool) -> Any:
    start, index, value = _csc(a)
    model = highspy.HighsModel()
    lp = model.lp_
    lp.num_col_, lp.num_row_ = a.ncols, len(lower)
    lp.col_cost_ = np.concatenate(a.cost)
    lp.col_lower_ = np.zeros(a.ncols)
    lp.col_upper_ = np.concatenate(a.upper)
    lp.row_lower_ = lower
    lp.row_upper_ = np.full(len(lower), np.inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    integer = np.concatenate(a.integer)
    if integer.any() and not relax:
        kinds = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in integer
        ]
        lp.integrality_ = kinds
    return model


def _csc(a: _Arrays) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], Array]:
    """Column-wise (start, index, value) arrays of the matrix entries."""
    rows = np.concatenate(a.rows).astype(np.int64)
    cols = np.concatenate(a.cols).astype(np.int64)
    vals = np.concatenate(a.vals)
    order = np.lexsort((rows, cols))
    counts = np.bincount(cols, minlength=a.ncols)
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return start, rows[order].astype(np.int32), vals[order]


# ------------------------------------------------------------------ evaluation


@dataclass(frozen=True)
class Evaluation:
    """What a set of commitments does over a profile (narrowest scope first)."""

    cost: float  # fees + on-demand remainder, over the window
    fees: float
    covered: dict[tuple[str, int], float]  # on-demand value each option covered
    capacity: dict[tuple[str, int], float]  # on-demand value each option could cover


def evaluate(
    problem: PurchaseProblem, units: dict[tuple[str, int], float], scale: float = 1.0
) -> Evaluation:
    """Cost of holding ``units`` over ``problem``'s profile with usage × ``scale``.

    Each node covers min(capacity, its usage + its children's remainder) every hour; a node's
    options share what it covers in proportion to their capacity."""
    tree = _tree(problem)
    hours = problem.hours
    residual: dict[str, Array] = {}
    covered: dict[tuple[str, int], float] = {}
    capacity: dict[tuple[str, int], float] = {}
    fees = 0.0
    for n in tree.order:
        demand = tree.usage[n.key] * scale + sum(
            (residual[c] for c in tree.children[n.key]), tree.zero
        )
        caps = [units.get((n.key, j), 0.0) * o.unit_value for j, o in enumerate(n.options)]
        total = sum(caps)
        used = np.minimum(demand, total)
        residual[n.key] = demand - used
        for j, opt in enumerate(n.options):
            share = caps[j] / total if total else 0.0
            covered[n.key, j] = float(used.sum()) * share
            capacity[n.key, j] = caps[j] * hours
            fees += hours * (1 - opt.discount) * caps[j]
    remainder = sum(float(residual[n.key].sum()) for n in problem.nodes if n.parent is None)
    cost = fees + remainder + problem.uncovered_usage() * scale
    return Evaluation(cost, fees, covered, capacity)


@dataclass
class _Tree:
    order: list[Node]
    children: dict[str, list[str]]
    usage: dict[str, Array]
    zero: Array


_TREES: dict[int, tuple[PurchaseProblem, _Tree]] = {}


def _tree(problem: PurchaseProblem) -> _Tree:
    """Children-first order, children and usage per node, computed once per problem."""
    cached = _TREES.get(id(problem))
    if cached and cached[0] is problem:
        return cached[1]
    children: dict[str, list[str]] = {n.key: [] for n in problem.nodes}
    for n in problem.nodes:
        if n.parent is not None:
            children[n.parent].append(n.key)
    tree = _Tree(_order(problem), children, problem.node_usage(), np.zeros(problem.hours))
    _TREES.clear()
    _TREES[id(problem)] = (problem, tree)
    return tree


def quantile(values: Sequence[float], share: float) -> float:
    """The ⌈share·n⌉-th smallest value (nearest rank): the optimum of one product."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered) - 1e-9))
    return float(ordered[min(rank, len(ordered)) - 1])
