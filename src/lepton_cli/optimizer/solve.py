"""Solving a whole problem: the cost objective workload by workload, the efficiency one jointly.

Under ``cost`` the workloads share no constraint (the budget only bounds the sum, checked
afterwards), so one big model would only make the solver's life harder. Instead: equal workload
shapes are solved once, and the distinct shapes are spread over the CPUs.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lepton_cli.errors import InfeasibleError
from lepton_cli.models.optimization import Objective, SolverStatus
from lepton_cli.optimizer import milp
from lepton_cli.optimizer.checks import explain_infeasible, solver_said_infeasible
from lepton_cli.optimizer.greedy import cost as greedy_cost
from lepton_cli.optimizer.greedy import greedy
from lepton_cli.optimizer.milp import COST, SolveOptions, Weights
from lepton_cli.optimizer.problem import Candidate, HeldBack, Problem, WorkloadProblem

PARALLEL_MIN = 64  # below this many distinct shapes, forking costs more than it saves
Counts = dict[Candidate, int]


@dataclass(frozen=True)
class WorkloadSolution:
    problem: WorkloadProblem
    counts: Counts
    status: SolverStatus
    bound: float | None = None  # best proven lower bound on this workload's cost

    @property
    def cost(self) -> Decimal:
        return greedy_cost(self.counts)


@dataclass(frozen=True)
class Solution:
    problem: Problem
    workloads: list[WorkloadSolution]
    solver: str
    status: SolverStatus
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    notes: list[str] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)  # kept as they run today

    @property
    def planned_cost(self) -> Decimal:
        return sum((w.cost for w in self.workloads), Decimal(0))

    @property
    def within_budget(self) -> bool:
        budget = self.problem.budget
        return budget is None or self.planned_cost <= budget  # budget: B less the fixed cost


def check_feasible(problem: Problem) -> None:
    """InfeasibleError naming every workload whose rules its candidates cannot meet."""
    reasons = [r for wp in problem.workloads if (r := explain_infeasible(wp))]
    if reasons:
        raise _infeasible(reasons)


def _infeasible(reasons: Sequence[str]) -> InfeasibleError:
    more = f" (and {len(reasons) - 3} more)" if len(reasons) > 3 else ""
    return InfeasibleError(
        "; ".join(reasons[:3]) + more,
        hint="widen `allowed` or relax `spread` / `survive_loss_of_provider` for that workload",
    )


def _unsolved(names: Sequence[str], options: SolveOptions) -> InfeasibleError:
    more = f" (and {len(names) - 3} more)" if len(names) > 3 else ""
    return InfeasibleError(
        f"no allocation found for {', '.join(names[:3])}{more} within {options.time_limit:g} s "
        "(not proven infeasible: the solver ran out of time)",
        hint="raise --time-limit",
    )


# ---------------------------------------------------------------- one workload

_SETS: list[tuple[Candidate, ...]] = []  # candidate sets, shared with forked workers


def _init_worker(sets: list[tuple[Candidate, ...]]) -> None:
    global _SETS
    _SETS = sets


def solve_one(
    wp: WorkloadProblem, options: SolveOptions, deadline: float, weights: Weights = COST
) -> WorkloadSolution:
    """The cheapest allocation for one workload (greedy's when the solver runs out of time);
    ``weights`` other than COST solve the efficiency objective's Lagrangian subproblem."""
    start = greedy(wp)
    if options.solver == "greedy" or not wp.candidates:
        status = SolverStatus.FEASIBLE if start is not None else SolverStatus.INFEASIBLE
        return WorkloadSolution(wp, start or {}, status)
    idle = wp.vcpu <= 0 and wp.memory_gib <= 0 and wp.gpus <= 0 and wp.min_replicas == 0
    if idle and start == {}:
        return WorkloadSolution(wp, {}, SolverStatus.OPTIMAL, 0.0)
    remaining = deadline - time.monotonic()
    if remaining <= 0 and start is not None:
        return WorkloadSolution(wp, start, SolverStatus.FEASIBLE)
    upper = milp.upper_bound(wp, milp.objective_value(wp, start) if start else None)
    if weights != COST:  # minimal solutions stay few, but not within the cost-based bound
        upper = max(2 * upper + 8, milp.capped_upper(wp))
    prob, x = milp.cost_model(wp, upper, weights)
    outcome = milp.run(prob, dataclasses.replace(options, time_limit=max(remaining, 0.01)))
    if outcome.status is SolverStatus.INFEASIBLE:
        return WorkloadSolution(wp, {}, SolverStatus.INFEASIBLE)
    if outcome.status is SolverStatus.NOT_SOLVED:
        fallback = SolverStatus.FEASIBLE if start is not None else SolverStatus.NOT_SOLVED
        return WorkloadSolution(wp, start or {}, fallback)
    return WorkloadSolution(wp, milp.counts_of(x), outcome.status, outcome.bound)


def _task(args: tuple[WorkloadProblem, int, SolveOptions, float, Weights]) -> tuple[Any, ...]:
    """Worker side: rebuild the problem from the shared candidate set; return small data."""
    wp, index, options, deadline, weights = args
    ws = solve_one(dataclasses.replace(wp, candidates=_SETS[index]), options, deadline, weights)
    position = {c: i for i, c in enumerate(_SETS[index])}
    counts = tuple((position[c], n) for c, n in ws.counts.items())
    return counts, ws.status, ws.bound


# ---------------------------------------------------------------- the fleet


def _workers(options: SolveOptions) -> int:
    return options.workers or min(os.cpu_count() or 1, 8)


def solve_shapes(
    shapes: Sequence[WorkloadProblem],
    options: SolveOptions,
    deadline: float,
    weights: Weights = COST,
) -> list[WorkloadSolution]:
    """Solve each distinct shape once, in parallel when there are enough of them."""
    workers = _workers(options)
    if workers <= 1 or len(shapes) < PARALLEL_MIN:
        return [solve_one(wp, options, deadline, weights) for wp in shapes]
    sets = list(dict.fromkeys(wp.candidates for wp in shapes))
    index = {s: i for i, s in enumerate(sets)}
    tasks = [
        (
            dataclasses.replace(wp, candidates=(), resources=()),
            index[wp.candidates],
            options,
            deadline,
            weights,
        )
        for wp in shapes
    ]
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else None)
    with ctx.Pool(workers, initializer=_init_worker, initargs=(sets,)) as pool:
        raw = pool.map(_task, tasks, chunksize=max(1, len(tasks) // (workers * 16)))
    return [
        WorkloadSolution(wp, {wp.candidates[i]: n for i, n in counts}, status, bound)
        for wp, (counts, status, bound) in zip(shapes, raw, strict=True)
    ]


def _aggregate(status: Sequence[SolverStatus]) -> SolverStatus:
    if all(s is SolverStatus.OPTIMAL for s in status):
        return SolverStatus.OPTIMAL
    if any(s is SolverStatus.NOT_SOLVED for s in status):
        return SolverStatus.NOT_SOLVED
    return SolverStatus.FEASIBLE


def solve_cost(problem: Problem, options: SolveOptions) -> Solution:
    """Minimum cost, workload by workload; equal shapes share one solve."""
    began = time.monotonic()
    check_feasible(problem)
    unique = list({wp.shape(): wp for wp in problem.workloads}.values())
    with milp.native_output_silenced():
        solved = solve_shapes(unique, options, began + options.time_limit)
    by_shape = {s.problem.shape(): s for s in solved}
    infeasible = [
        solver_said_infeasible(s.problem) for s in solved if s.status is SolverStatus.INFEASIBLE
    ]
    if infeasible:
        raise _infeasible(infeasible)
    unsolved = sorted(s.problem.name for s in solved if s.status is SolverStatus.NOT_SOLVED)
    if unsolved:  # no allocation at all: never plan such a workload down to nothing
        raise _unsolved(unsolved, options)
    workloads = [dataclasses.replace(by_shape[wp.shape()], problem=wp) for wp in problem.workloads]
    return _summarise(problem, workloads, options, time.monotonic() - began)


def _summarise(
    problem: Problem, workloads: list[WorkloadSolution], options: SolveOptions, seconds: float
) -> Solution:
    # The cost objective: monthly cost plus amortised one-time costs of moves.
    objective = float(
        sum((milp.objective_value(w.problem, w.counts) for w in workloads), Decimal(0))
    )
    bounds = [w.bound for w in workloads]
    bound = (
        None if any(b is None for b in bounds) else min(objective, sum(b or 0.0 for b in bounds))
    )
    gap = None if bound is None else (objective - bound) / max(abs(objective), 1e-9)
    name = "greedy" if options.solver == "greedy" else options.solver
    status = _aggregate([w.status for w in workloads])
    return Solution(problem, workloads, name, status, objective, bound, gap, seconds)


def optimize(problem: Problem, options: SolveOptions) -> Solution:
    """Solve ``problem`` under its objective. Raises InfeasibleError naming the workloads."""
    if problem.objective is Objective.EFFICIENCY:
        from lepton_cli.optimizer.efficiency import solve_efficiency

        return solve_efficiency(problem, options)
    return solve_cost(problem, options)
