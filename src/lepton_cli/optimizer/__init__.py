"""The optimiser: problem data, the MILP of DESIGN.md, and the greedy baseline.

``optimize_inventory`` is the one call the CLI makes: inventory + offerings + options in, a
:class:`Solution` out (``plan.build`` turns it into a Plan). ``optimize`` dispatches on the
objective: ``solve`` (cost, workload by workload) and ``efficiency`` (the budget couples them)
never import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from lepton_cli.models import Inventory, Offering
from lepton_cli.models.optimization import Objective, ProblemOptions
from lepton_cli.optimizer.efficiency import solve_efficiency
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.problem import Problem, build_problem
from lepton_cli.optimizer.result import Solution, Source, WorkloadSolution
from lepton_cli.optimizer.solve import solve_cost
from lepton_cli.optimizer.workload import Progress

__all__ = [
    "Problem",
    "ProblemOptions",
    "Solution",
    "SolveOptions",
    "Source",
    "WorkloadSolution",
    "build_problem",
    "optimize",
    "optimize_inventory",
]


def optimize(
    problem: Problem,
    options: SolveOptions,
    deadline: float | None = None,
    progress: Progress | None = None,
) -> Solution:
    """Solve ``problem`` under its objective by ``deadline`` (a ``time.monotonic()`` value;
    default: the time limit from now), telling ``progress`` a ``progress.Snapshot`` (workloads
    solved of total, incumbent, bound) as workloads come back, at most a few times a second.
    Raises InfeasibleError naming the workloads."""
    if problem.objective is Objective.EFFICIENCY:
        return solve_efficiency(problem, options, deadline, progress)
    return solve_cost(problem, options, deadline, progress)


def optimize_inventory(
    inventory: Inventory,
    offerings: Sequence[Offering],
    problem_options: ProblemOptions,
    options: SolveOptions,
    objective: Objective = Objective.COST,
    budget: Decimal | None = None,
    deadline: float | None = None,
    progress: Progress | None = None,
) -> Solution:
    """Build the problem (from ``problem_options``: headroom, idle rules, migration, perf) and
    solve it by ``deadline``, changing at most ``problem_options.max_changes`` workloads.
    Raises InfeasibleError naming the workload and rule."""
    from lepton_cli.optimizer.disruption import limit_changes

    problem = build_problem(inventory, offerings, problem_options, objective, budget)
    solution = optimize(problem, options, deadline, progress)
    return limit_changes(solution, problem_options.max_changes)
