"""The efficiency objective: the most performance-weighted vCPUs the budget buys.

The budget couples the workloads, so this is one model (milp.py with ``add_budget``), solved
warm-started from a feasible point: every workload at its cheapest allocation, the rest of the
budget spent on the best capacity per currency unit (a knapsack fill). HiGHS's dual bound on the
joint model gives the honest gap.
"""

from __future__ import annotations

import dataclasses
import time
from decimal import Decimal
from typing import Any

import pulp

from lepton_cli.optimizer import milp
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.problem import Candidate, Problem, WorkloadProblem
from lepton_cli.optimizer.solve import Counts, Solution, WorkloadSolution, solve_cost
from lepton_cli.plan.model import SolverStatus


def fill(workloads: list[WorkloadSolution], budget: Decimal) -> list[WorkloadSolution]:
    """Spend what the cheapest allocations leave of ``budget`` on the non-spot candidates with
    the most capacity per currency unit (adding non-spot instances keeps every rule)."""
    left = budget - sum((w.cost for w in workloads), Decimal(0))
    options = sorted(
        ((i, c) for i, w in enumerate(workloads) for c in w.problem.candidates if not c.spot),
        key=lambda ic: (-ic[1].capacity / float(ic[1].monthly), ic[1].monthly, ic[1].sort_key),
    )
    extra: list[Counts] = [dict(w.counts) for w in workloads]
    for i, c in options:
        n = int(left // c.monthly) if c.monthly > 0 else 0
        if n > 0:
            extra[i][c] = extra[i].get(c, 0) + n
            left -= c.monthly * n
    return [dataclasses.replace(w, counts=e) for w, e in zip(workloads, extra, strict=True)]


def capacity(workloads: list[WorkloadSolution]) -> float:
    return sum(c.capacity * n for w in workloads for c, n in w.counts.items())


def _upper(wp: WorkloadProblem, budget: Decimal) -> int:
    cheapest = min((c.monthly for c in wp.candidates), default=Decimal(1))
    return max(1, int(budget / cheapest)) if cheapest > 0 else 10**6


def joint_model(
    problem: Problem, budget: Decimal
) -> tuple[pulp.LpProblem, list[dict[Candidate, Any]]]:
    """max sum k_o x[w,o] over every workload's rules and the shared budget row."""
    prob = pulp.LpProblem("lepton_efficiency", pulp.LpMaximize)
    xs = [
        milp.add_workload(prob, wp, str(i), _upper(wp, budget))
        for i, wp in enumerate(problem.workloads)
    ]
    milp.add_budget(prob, xs, budget)
    prob += pulp.lpSum(milp.efficiency_terms(x) for x in xs)
    return prob, xs


def solve_efficiency(problem: Problem, options: SolveOptions) -> Solution:
    """Warm start, then the joint MILP within what is left of the time limit."""
    began = time.monotonic()
    base = solve_cost(dataclasses.replace(problem), options)
    budget = problem.budget
    if budget is None or not base.within_budget:
        return dataclasses.replace(base, notes=["over budget: the cheapest plan is shown"])
    start = fill(base.workloads, budget)
    if options.solver == "greedy":
        return _result(problem, start, options, began, SolverStatus.FEASIBLE, None)
    prob, xs = joint_model(problem, budget)
    values = {x[c]: float(n) for x, w in zip(xs, start, strict=True) for c, n in w.counts.items()}
    remaining = max(options.time_limit - (time.monotonic() - began), 0.01)
    with milp.stdout_to_stderr():
        outcome = milp.run(prob, dataclasses.replace(options, time_limit=remaining), values)
    if outcome.status in (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE):
        solved = [
            dataclasses.replace(w, counts=milp.counts_of(x)) for w, x in zip(start, xs, strict=True)
        ]
        if capacity(solved) >= capacity(start):
            start = solved
    return _result(problem, start, options, began, outcome.status, outcome.bound)


def _result(
    problem: Problem,
    workloads: list[WorkloadSolution],
    options: SolveOptions,
    began: float,
    status: SolverStatus,
    bound: float | None,
) -> Solution:
    objective = capacity(workloads)
    if status is SolverStatus.NOT_SOLVED:
        status = SolverStatus.FEASIBLE  # the warm start is a feasible plan
    gap = None if bound is None else max(0.0, (bound - objective) / max(abs(bound), 1e-9))
    workloads = [dataclasses.replace(w, status=status, bound=None) for w in workloads]
    return Solution(
        problem, workloads, options.solver, status, objective, bound, gap,
        time.monotonic() - began,
    )  # fmt: skip
