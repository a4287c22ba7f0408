r"""One workload's model as a matrix, handed to HiGHS directly (the hot path).

The rows are milp.py's (its docstring has the math); PuLP stays the modelling interface and the
reference: a test solves random workloads both ways and expects the same optimum. Building a
PuLP model costs more than HiGHS needs to solve the LP of one workload, and a fleet is 100,000
of them, so this path builds dense numpy rows instead.

Three differences from the PuLP model, none of which changes an optimum:
- spread over providers uses only ``sum_{o: p(o)=p} x[w,o] >= y[w,p]`` (a provider counts when
  it has an instance); the ``x <= U y`` rows only forbid instances on an uncounted provider,
  which never helps.
- the tie-break eps applies only when the workload runs somewhere today (ties go to keeping
  current types; with nothing current it only shifted every price), and never in the efficiency
  objective's Lagrangian subproblems, whose bound must be that of the true objective.
- the new-placement rows read ``U_o u[w,q] - x[w,o] >= 0`` with each column's own bound U_o
  (milp.py uses the one U_w for every column): the same set of integer points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer.problem import Candidate, WorkloadProblem, zones_of

TIE_BREAK = 1e-4
INF = math.inf
Array = npt.NDArray[np.float64]
SMALL_MODELS = {
    # For models of tens of columns HiGHS's root machinery (symmetry detection, restarts,
    # primal heuristics) costs more than the search itself; what is proven is unchanged.
    "mip_detect_symmetry": False,
    "mip_allow_restart": False,
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_feasibility_jump": False,
    # Measured in CPU seconds on the benchmark's all-distinct fleets: the root heuristics and
    # reliability branching cost ~35% of each solve and find nothing greedy and the rounded LP
    # have not already given.
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_zi_round": False,
    "mip_heuristic_run_shifting": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_pscost_minreliable": 0,
}


@dataclass(frozen=True)
class Matrix:
    """min cost . v  s.t.  row_lower <= A v <= row_upper, lower <= v <= upper; the first
    ``n_x`` columns are x[w,o] in candidate order, the rest spread indicators."""

    cost: Array
    a: Array
    row_lower: Array
    row_upper: Array
    lower: Array
    upper: Array
    integer: npt.NDArray[np.bool_]
    n_x: int
    # One (members, one-time cost / H) per new placement q: u[w,q] pays it when any member
    # x[w,o] is positive (the ``x <= U u`` rows).
    fixed: tuple[tuple[Array, float], ...] = ()


@dataclass(frozen=True)
class Weights:
    """min sum (price c_o - capacity k_o) x: (1, 0) is the cost objective; (rho, 1) the
    efficiency objective's Lagrangian subproblem at multiplier rho."""

    price: float = 1.0
    capacity: float = 0.0


COST = Weights()


@dataclass(frozen=True)
class Result:
    status: SolverStatus
    x: Array | None  # the x[w,o] values (None without a solution)
    objective: float | None
    bound: float | None  # a proven lower bound on the model's objective


def columns(wp: WorkloadProblem) -> tuple[Array, Array, Array]:
    """(c_o, k_o, m_o) as arrays, in candidate order."""
    cands = wp.candidates
    price = np.fromiter((float(c.monthly) for c in cands), float, len(cands))
    cap = np.fromiter((c.capacity for c in cands), float, len(cands))
    mem = np.fromiter((c.memory_gib for c in cands), float, len(cands))
    return price, cap, mem


def _mask(wp: WorkloadProblem, keep: Any) -> Array:
    return np.fromiter((1.0 if keep(c) else 0.0 for c in wp.candidates), float, len(wp.candidates))


def moves_cost(wp: WorkloadProblem, weights: Weights) -> bool:
    """Whether the new-placement rows and costs apply: only the cost objective holds one-time
    costs (the efficiency objective's budget does not)."""
    return weights == COST and (wp.move_cost > 0 or wp.per_instance > 0)


def objective(wp: WorkloadProblem, weights: Weights) -> Array:
    """sum_o (c_o + e/H [o new] + eps [o not current]) x, or rho c_o - a_w k_o."""
    price, cap, _ = columns(wp)
    obj = weights.price * price - weights.capacity * wp.priority * cap
    if moves_cost(wp, weights) and wp.per_instance > 0:
        obj += wp.per_instance / wp.horizon * _mask(wp, wp.is_new)
    if weights == COST and wp.current:
        obj += np.fromiter(
            (0.0 if c.key in wp.current else TIE_BREAK for c in wp.candidates), float
        )
    return obj


def value(m: Matrix, x: Array) -> float:
    """The model's objective at integer ``x``: the x columns, plus D_w / H for each new
    placement ``x`` uses (its u[w,q] set, as an optimum does, only when needed)."""
    total = float(m.cost[: m.n_x] @ x)
    for members, once in m.fixed:
        if float(members @ x) > 0.5:
            total += once
    return total


def tie_break_slack(wp: WorkloadProblem, weights: Weights, instances: float) -> float:
    """How far the tie-break can lift the objective above the true cost, at ``instances``
    instances at most (0 when no tie-break applies)."""
    return TIE_BREAK * instances if weights == COST and wp.current else 0.0


class _Rows:
    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[Array] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, coef: Array, lo: float, hi: float = INF) -> None:
        row = np.zeros(self.width)
        row[: len(coef)] = coef
        self.rows.append(row)
        self.lo.append(lo)
        self.hi.append(hi)


def _groups(cands: tuple[Candidate, ...], key: Any) -> dict[Any, Array]:
    out: dict[Any, Array] = {}
    for i, c in enumerate(cands):
        out.setdefault(key(c), np.zeros(len(cands)))[i] = 1.0
    return out


def build(wp: WorkloadProblem, upper: Array, weights: Weights = COST) -> Matrix:
    """The workload's matrix: capacity, memory, GPUs, replicas, spot share, spread, loss of
    provider, the capacity cap, and the new-placement rows where a move costs."""
    cands = wp.candidates
    n = len(cands)
    _, cap, mem = columns(wp)
    providers = _groups(cands, lambda c: c.provider) if wp.min_providers > 1 else {}
    regions = _groups(cands, lambda c: (c.provider, c.region)) if wp.min_zones > 1 else {}
    new = sorted({c.site for c in cands if wp.is_new(c)}) if moves_cost(wp, weights) else []
    sites = {q: _mask(wp, lambda c, q=q: wp.is_new(c) and c.site == q) for q in new}
    width = n + len(providers) + len(regions) + len(sites)
    rows = _Rows(width)
    _covering(rows, wp, cap, mem)
    _spread(rows, providers, n, wp.min_providers)
    _spread(rows, regions, n + len(providers), wp.min_zones)
    _loss(rows, wp, cap, mem)
    if wp.capacity_cap is not None:
        rows.add(cap, -INF, wp.capacity_cap)
    offset = n + len(providers) + len(regions)
    for j, q in enumerate(sorted(sites)):  # U_o u[w,q] - x[w,o] >= 0
        for i in np.nonzero(sites[q])[0]:
            row = np.zeros(width)
            row[i] = -1.0
            row[offset + j] = float(upper[i])
            rows.add(row, 0.0)
    once = wp.move_cost / wp.horizon
    zone_caps = [float(len(zones_of(p, r))) for p, r in regions]
    return Matrix(
        cost=np.concatenate(
            [objective(wp, weights), np.zeros(len(providers) + len(regions)), [once] * len(sites)]
        ),
        a=np.array(rows.rows).reshape(len(rows.rows), width),
        row_lower=np.array(rows.lo),
        row_upper=np.array(rows.hi),
        lower=np.zeros(width),
        upper=np.concatenate(
            [upper, np.ones(len(providers)), np.array(zone_caps), np.ones(len(sites))]
        ),
        integer=np.ones(width, dtype=bool),
        n_x=n,
        fixed=tuple((sites[q], once) for q in sorted(sites)) if once > 0 else (),
    )


def _covering(rows: _Rows, wp: WorkloadProblem, cap: Array, mem: Array) -> None:
    """Capacity, memory, GPUs, replicas; and what survives a spot reclaim covers (1 - s_w) of
    the capacity and memory demand."""
    n = len(wp.candidates)
    if wp.vcpu > 0:
        rows.add(cap, wp.vcpu)
    if wp.memory_gib > 0:
        rows.add(mem, wp.memory_gib)
    if wp.gpus > 0:
        rows.add(np.fromiter((float(c.gpus) for c in wp.candidates), float, n), wp.gpus)
    if wp.min_replicas > 0:
        rows.add(np.ones(n), wp.min_replicas)
    plain = _mask(wp, lambda c: not c.spot)
    if plain.sum() < n and wp.max_spot_share < 1:
        keep = 1 - wp.max_spot_share
        if wp.vcpu > 0:
            rows.add(plain * cap, keep * wp.vcpu)
        if wp.memory_gib > 0:
            rows.add(plain * mem, keep * wp.memory_gib)


def _spread(rows: _Rows, groups: dict[Any, Array], offset: int, least: int) -> None:
    """sum_{o in g} x[w,o] >= y_g per group g, sum_g y_g >= least. For zones, y_g is the
    number of zones used in region g (at most its zones): instances spread over zones freely,
    since every zone of a region offers the same types at the same prices."""
    if not groups:
        return
    total = np.zeros(rows.width)
    for j, member in enumerate(groups[g] for g in sorted(groups)):
        row = np.zeros(rows.width)
        row[: len(member)] = member
        row[offset + j] = -1.0
        rows.add(row, 0.0)
        total[offset + j] = 1.0
    rows.add(total, float(least))


def _loss(rows: _Rows, wp: WorkloadProblem, cap: Array, mem: Array) -> None:
    """After losing any one provider p, the rest still serve f_w V_w and f_w M_w."""
    if wp.survive_fraction <= 0:
        return
    for p in sorted({c.provider for c in wp.candidates}):
        keep = _mask(wp, lambda c, p=p: c.provider != p)
        if wp.vcpu > 0:
            rows.add(keep * cap, wp.survive_fraction * wp.vcpu)
        if wp.memory_gib > 0:
            rows.add(keep * mem, wp.survive_fraction * wp.memory_gib)


def feasible(m: Matrix, x: Array, tol: float = 1e-7) -> bool:
    """Whether integer ``x`` (x columns only) can be completed with spread indicators: each
    indicator at its largest value the rows allow, then every row checked."""
    v = np.concatenate([x, m.upper[m.n_x :]])
    if m.a.shape[0] == 0:
        return True
    link = m.a[:, m.n_x :]
    for i in range(m.a.shape[0]):  # an indicator is capped by its own "sum x >= y" row
        cols = np.nonzero(link[i] < 0)[0]
        if len(cols) == 1:
            j = m.n_x + cols[0]
            v[j] = min(v[j], float(m.a[i, : m.n_x] @ x))
    lhs = m.a @ v
    return bool(np.all(lhs >= m.row_lower - tol) and np.all(lhs <= m.row_upper + tol))


def rounded(m: Matrix, x: Array) -> Array | None:
    """The LP point rounded up: feasible for every covering row; checked for the rest."""
    up = np.ceil(np.asarray(x) - 1e-9)
    return up if feasible(m, up) else None


def counts(wp: WorkloadProblem, x: Array) -> dict[Candidate, int]:
    return {c: round(float(n)) for c, n in zip(wp.candidates, x, strict=True) if n > 0.5}
