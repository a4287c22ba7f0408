"""The optimiser: problem data, the MILP of DESIGN.md, and the greedy baseline.

``optimize_inventory`` is the one call the CLI makes: inventory + offerings + options in, a
:class:`Solution` out (``plan.build`` turns it into a Plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from lepton_cli.config import Settings
from lepton_cli.models import Inventory, Offering
from lepton_cli.models.optimization import Objective
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.problem import Problem, build_problem
from lepton_cli.optimizer.solve import Solution, WorkloadSolution, optimize

__all__ = [
    "Problem",
    "Solution",
    "SolveOptions",
    "WorkloadSolution",
    "build_problem",
    "optimize",
    "optimize_inventory",
]


def optimize_inventory(
    inventory: Inventory,
    offerings: Sequence[Offering],
    settings: Settings,
    options: SolveOptions,
    objective: Objective = Objective.COST,
    budget: Decimal | None = None,
    use_perf: bool = True,
) -> Solution:
    """Build the problem and solve it, changing at most ``settings.max_changes`` workloads.
    Raises InfeasibleError naming the workload and rule."""
    from lepton_cli.optimizer.disruption import limit_changes

    problem = build_problem(inventory, offerings, settings, objective, budget, use_perf)
    return limit_changes(optimize(problem, options), settings.max_changes)
