"""One workload: greedy start, LP relaxation (a proven bound), MILP only where it is needed.

Order of work, cheapest first:
1. greedy's allocation, the fallback and a cost to beat;
2. the LP relaxation: its optimum is a lower bound, and when its point rounded up costs no
   more than the bound allows, that point is proven optimal without branching;
3. the MILP within the time left; its incumbent is kept only when it beats the greedy start
   (a workload cut by the deadline never ends worse than greedy), and its dual bound raises the
   LP bound.
A workload reached after the deadline keeps greedy's allocation and a combinatorial bound.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer import direct, milp
from lepton_cli.optimizer.direct import COST, Array, Weights
from lepton_cli.optimizer.greedy import greedy
from lepton_cli.optimizer.highs import Highs
from lepton_cli.optimizer.milp import SolveOptions, column_bounds
from lepton_cli.optimizer.problem import WorkloadProblem
from lepton_cli.optimizer.progress import Point
from lepton_cli.optimizer.progress import Progress as Progress
from lepton_cli.optimizer.result import Counts, Source, WorkloadSolution, covering_bound


@dataclass(frozen=True)
class Job:
    """How to solve each workload: the options, the absolute deadline and the objective."""

    options: SolveOptions
    deadline: float  # time.monotonic() value
    weights: Weights = COST
    budget: Decimal | None = None  # efficiency: columns are bounded by what the budget buys
    progress: Progress | None = None  # told by the parent as workloads come back (cost only)
    copies: tuple[int, ...] = ()  # how many workloads each shape stands for (default: one)
    node_limit: int | None = None  # branch-and-bound nodes per MILP (a deterministic limit)
    lp_only: bool = False  # stop after the LP relaxation: its bound, the rounded point


FREE_COLUMN = 10**6  # what bounds a zero-priced column under the efficiency objective


def bounds_for(wp: WorkloadProblem, job: Job, start: Counts | None) -> Array:
    """Column bounds: under ``cost`` milp.column_bounds (around greedy's allocation); under
    the efficiency objective floor(B / c_o), which the budget row implies."""
    if job.budget is not None:
        capped = milp.capped_upper(wp) or FREE_COLUMN  # the capacity cap implies S_w / min k
        return np.array(
            [
                min(float(job.budget // c.monthly) if c.monthly > 0 else FREE_COLUMN, capped)
                for c in wp.candidates
            ]
        )
    most = max(start.values(), default=0) if start else 0
    feasible_cost = milp.objective_value(wp, start) if start is not None else None
    return np.array(column_bounds(wp, feasible_cost, most), dtype=float)


def quick_bound(wp: WorkloadProblem, weights: Weights, upper: Array) -> float:
    """A lower bound without any solve: under ``cost``, the best single covering row (capacity,
    memory or replicas at the cheapest rate); otherwise every negative reduced price taken at
    its column bound."""
    if weights == COST:
        return covering_bound(wp)  # one-time costs only add to the objective
    price, cap, _ = direct.columns(wp)
    reduced = weights.price * price - weights.capacity * wp.priority * cap
    return float(np.sum(np.minimum(reduced, 0.0) * upper))


def _value(m: direct.Matrix, x: Array) -> float:
    return direct.value(m, x)


def _vector(wp: WorkloadProblem, counts: Counts) -> Array:
    return np.array([float(counts.get(c, 0)) for c in wp.candidates])


def _within_cap(wp: WorkloadProblem, start: Counts | None) -> Counts | None:
    """Greedy's allocation, unless it breaks the capacity cap (greedy does not read it)."""
    if start is None or wp.capacity_cap is None:
        return start
    capacity = sum(c.capacity * n for c, n in start.items())
    return start if capacity <= wp.capacity_cap + 1e-9 else None


def start_point(wp: WorkloadProblem) -> Point:
    """Under ``cost``, before ``wp`` is solved: greedy's allocation (what it keeps if the
    deadline comes first; None when greedy finds none or breaks the cap) and the covering
    bound."""
    start = _within_cap(wp, greedy(wp))
    value = milp.objective_value(wp, start) if start is not None else None
    return Point(value, covering_bound(wp))


def solved_point(ws: WorkloadSolution) -> Point:
    """Under ``cost``, once solved: its allocation's objective (None when it has none) and
    its proven bound (the covering bound when it has none: an infeasible workload)."""
    found = ws.status not in (SolverStatus.INFEASIBLE, SolverStatus.NOT_SOLVED)
    value = milp.objective_value(ws.problem, ws.counts) if found else None
    bound = ws.bound if ws.bound is not None else covering_bound(ws.problem)
    return Point(value, bound)


def _trivial(wp: WorkloadProblem, start: Counts | None) -> bool:
    idle = wp.vcpu <= 0 and wp.memory_gib <= 0 and wp.gpus <= 0 and wp.min_replicas == 0
    return idle and start == {}


def solve_one(wp: WorkloadProblem, job: Job, highs: Highs | None = None) -> WorkloadSolution:
    """The best allocation for one workload within the job's deadline, with a proven bound."""
    start = _within_cap(wp, greedy(wp))
    if not wp.candidates:
        return WorkloadSolution(wp, {}, SolverStatus.INFEASIBLE, None, Source.FALLBACK)
    if _trivial(wp, start):
        return WorkloadSolution(wp, {}, SolverStatus.OPTIMAL, 0.0)
    if job.options.solver == "greedy" or time.monotonic() >= job.deadline:
        return unsolved(wp, job, start)
    upper = bounds_for(wp, job, start)
    if job.options.solver == "cbc":
        return _solve_pulp(wp, job, upper, start)
    return _solve(wp, job, upper, start, highs or Highs())


def _solve_pulp(
    wp: WorkloadProblem, job: Job, upper: Array, start: Counts | None
) -> WorkloadSolution:
    """The PuLP model (milp.py) with CBC: the reference path, and the fallback solver."""
    prob, x = milp.cost_model(wp, int(np.max(upper, initial=1)), _pulp_weights(job.weights))
    remaining = max(job.deadline - time.monotonic(), 0.01)
    outcome = milp.run(prob, dataclasses.replace(job.options, time_limit=remaining))
    if outcome.status is SolverStatus.INFEASIBLE:
        return WorkloadSolution(wp, {}, SolverStatus.INFEASIBLE, None, Source.PROVEN)
    counts = milp.counts_of(x) if outcome.objective is not None else None
    bound = quick_bound(wp, job.weights, upper)
    if outcome.bound is not None and job.weights == COST:  # its objective has the tie-break
        bound = max(bound, outcome.bound - direct.tie_break_slack(wp, COST, float(np.sum(upper))))
    worse = (
        start is not None
        and counts is not None
        and _objective(wp, job, start) < _objective(wp, job, counts)
    )
    if counts is None or worse:
        return _fallback(wp, start, bound)
    source = Source.PROVEN if outcome.status is SolverStatus.OPTIMAL else Source.LIMITED
    return WorkloadSolution(wp, counts, outcome.status, bound, source)


def _objective(wp: WorkloadProblem, job: Job, counts: Counts) -> Decimal:
    """What the job minimises, without the tie-break (cost: moves amortised)."""
    if job.weights == COST:
        return milp.objective_value(wp, counts)
    rho, k = Decimal(str(job.weights.price)), Decimal(str(job.weights.capacity * wp.priority))
    return sum(
        (rho * c.monthly * n - k * Decimal(str(c.capacity)) * n for c, n in counts.items()),
        Decimal(0),
    )


def _pulp_weights(weights: Weights) -> milp.Weights:
    return milp.Weights(price=weights.price, capacity=weights.capacity)


def unsolved(wp: WorkloadProblem, job: Job, start: Counts | None) -> WorkloadSolution:
    """What a workload keeps without a solve (the greedy baseline, or reached after the
    deadline): ``start``, greedy's allocation within the cap, and a bound found without a
    solve (under ``cost`` the covering bound, which needs no column bounds)."""
    upper = np.zeros(0) if job.weights == COST else bounds_for(wp, job, start)
    return _fallback(wp, start, quick_bound(wp, job.weights, upper))


def late(wp: WorkloadProblem, job: Job) -> WorkloadSolution:
    """:func:`unsolved` for a workload no worker reported on by the deadline."""
    return unsolved(wp, job, _within_cap(wp, greedy(wp)))


def _fallback(wp: WorkloadProblem, start: Counts | None, bound: float) -> WorkloadSolution:
    if start is None:
        return WorkloadSolution(wp, {}, SolverStatus.NOT_SOLVED, bound, Source.FALLBACK)
    return WorkloadSolution(wp, start, SolverStatus.FEASIBLE, bound, Source.FALLBACK)


def _solve(
    wp: WorkloadProblem, job: Job, upper: Array, start: Counts | None, highs: Highs
) -> WorkloadSolution:
    m = direct.build(wp, upper, job.weights)
    lp = highs.lp(m)
    if lp.status is SolverStatus.INFEASIBLE:
        return WorkloadSolution(wp, {}, SolverStatus.INFEASIBLE, None, Source.PROVEN)
    if lp.x is None or lp.bound is None:
        return _fallback(wp, start, quick_bound(wp, job.weights, upper))
    best = _vector(wp, start) if start is not None else None
    if best is not None and not direct.feasible(m, best):  # greedy reads no cap, no GPU model
        best = None
    up = direct.rounded(m, lp.x)
    if up is not None and (best is None or _value(m, up) < _value(m, best)):
        best = up
    tol = max(job.options.gap * abs(lp.bound), 1e-6)
    if best is not None and _value(m, best) - lp.bound <= tol:
        return _done(wp, m, best, lp.bound, SolverStatus.OPTIMAL, Source.PROVEN, job)
    remaining = job.deadline - time.monotonic()
    if remaining <= 0 or job.lp_only:
        return _limited(wp, m, best, lp.bound, job, Source.FALLBACK)
    mip = highs.mip(m, remaining, job.options.gap, job.node_limit)
    if mip.status is SolverStatus.INFEASIBLE:
        return WorkloadSolution(wp, {}, SolverStatus.INFEASIBLE, None, Source.PROVEN)
    bound = max(lp.bound, mip.bound if mip.bound is not None else lp.bound)
    if mip.x is not None and (best is None or _value(m, mip.x) <= _value(m, best)):
        if mip.status is SolverStatus.OPTIMAL:
            return _done(wp, m, mip.x, bound, SolverStatus.OPTIMAL, Source.PROVEN, job)
        return _limited(wp, m, mip.x, bound, job, Source.LIMITED)
    return _limited(wp, m, best, bound, job, Source.FALLBACK)


def _limited(
    wp: WorkloadProblem,
    m: direct.Matrix,
    x: Array | None,
    bound: float,
    job: Job,
    source: Source,
) -> WorkloadSolution:
    if x is None:
        return WorkloadSolution(wp, {}, SolverStatus.NOT_SOLVED, bound, source)
    gap_ok = _value(m, x) - bound <= max(job.options.gap * abs(bound), 1e-6)
    status = SolverStatus.OPTIMAL if gap_ok else SolverStatus.FEASIBLE
    return _done(wp, m, x, bound, status, Source.PROVEN if gap_ok else source, job)


def _done(
    wp: WorkloadProblem,
    m: direct.Matrix,
    x: Array,
    bound: float,
    status: SolverStatus,
    source: Source,
    job: Job,
) -> WorkloadSolution:
    """The result, its bound moved from the model's objective to the true one (the tie-break
    can lift the model's objective by eps per instance of a cost-optimal allocation)."""
    counts = direct.counts(wp, x)
    if job.weights == COST:
        cheapest = min((float(c.monthly) for c in wp.candidates if c.monthly > 0), default=0.0)
        cost = float(milp.objective_value(wp, counts))
        instances = cost / cheapest if cheapest > 0 else float(np.sum(m.upper[: m.n_x]))
        bound = min(bound - direct.tie_break_slack(wp, job.weights, instances), cost)
    return WorkloadSolution(wp, counts, status, bound, source)
