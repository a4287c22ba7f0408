"""The cost objective over a whole fleet, workload by workload.

Under ``cost`` the workloads share no constraint (the budget only bounds the sum, checked
afterwards), so one big model would only make the solver's life harder. Instead: equal workload
shapes are solved once, and the distinct shapes are spread over the CPUs (``parallel``); each
result carries a proven lower bound, and the fleet's bound is their sum. A ``progress``
callback hears the running sums as shapes come back (``progress.Snapshot``: each shape counts
once per workload that has it).
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from lepton_cli.errors import InfeasibleError
from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer import milp
from lepton_cli.optimizer.checks import explain_infeasible, solver_said_infeasible
from lepton_cli.optimizer.direct import COST, Weights
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.parallel import solve_many
from lepton_cli.optimizer.problem import Problem, WorkloadProblem
from lepton_cli.optimizer.result import Counts, Solution, WorkloadSolution, tally
from lepton_cli.optimizer.workload import Job, Progress

__all__ = ["Counts", "Solution", "WorkloadSolution", "solve_cost", "solve_shapes"]


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


def solve_shapes(
    shapes: Sequence[WorkloadProblem],
    options: SolveOptions,
    deadline: float,
    weights: Weights = COST,
    progress: Progress | None = None,
    lp_only: bool = False,
    copies: Sequence[int] = (),
) -> list[WorkloadSolution]:
    """Solve each distinct shape once, in parallel when there are enough of them; ``copies``:
    how many workloads each shape stands for (in ``progress``'s counts and sums)."""
    job = Job(options, deadline, weights, progress=progress, copies=tuple(copies), lp_only=lp_only)
    return solve_many(shapes, job)


def _aggregate(status: Sequence[SolverStatus]) -> SolverStatus:
    if all(s is SolverStatus.OPTIMAL for s in status):
        return SolverStatus.OPTIMAL
    if any(s is SolverStatus.NOT_SOLVED for s in status):
        return SolverStatus.NOT_SOLVED
    return SolverStatus.FEASIBLE


def solve_cost(
    problem: Problem,
    options: SolveOptions,
    deadline: float | None = None,
    progress: Progress | None = None,
    lp_only: bool = False,
) -> Solution:
    """Minimum cost, workload by workload; equal shapes share one solve. ``deadline`` (a
    ``time.monotonic()`` value) defaults to the time limit from now. ``lp_only``: stop each
    workload at its LP relaxation (a bound, and the better of the rounded LP and greedy)."""
    began = time.monotonic()
    check_feasible(problem)
    unique = list({wp.shape(): wp for wp in problem.workloads}.values())
    copies = Counter(wp.shape() for wp in problem.workloads) if progress else Counter()
    with milp.native_output_silenced():
        solved = solve_shapes(
            unique,
            options,
            deadline or began + options.time_limit,
            progress=progress,
            lp_only=lp_only,
            copies=[copies[wp.shape()] for wp in unique] if progress else (),
        )
    by_shape = {s.problem.shape(): s for s in solved}
    infeasible = [
        solver_said_infeasible(s.problem) for s in solved if s.status is SolverStatus.INFEASIBLE
    ]
    if infeasible:
        raise _infeasible(infeasible)
    unsolved = sorted(s.problem.name for s in solved if s.status is SolverStatus.NOT_SOLVED)
    if unsolved:  # no allocation at all: never plan such a workload down to nothing
        raise _unsolved(unsolved, options)
    workloads = [_as(by_shape[wp.shape()], wp) for wp in problem.workloads]
    return _summarise(problem, workloads, options, time.monotonic() - began)


def _as(solved: WorkloadSolution, wp: WorkloadProblem) -> WorkloadSolution:
    """``solved`` (the solve of ``wp``'s shape) for ``wp``."""
    return solved if solved.problem is wp else dataclasses.replace(solved, problem=wp)


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
    return Solution(
        problem, workloads, name, status, objective, bound, gap, seconds, counts=tally(workloads)
    )
