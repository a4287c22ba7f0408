"""The efficiency objective: the most performance-weighted vCPUs the budget buys.

The budget couples the workloads. It is relaxed with a Lagrange multiplier (``lagrangian``),
which splits the problem back into per-workload MILPs and gives a proven upper bound; their
solutions plus a knapsack fill of the budget left give the plan, and the gap is measured
against that bound. Small fleets that are not yet within the gap then get the joint model
(milp.py with ``add_budget``), whose result is kept only when it beats that plan.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pulp

from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer import milp
from lepton_cli.optimizer.direct import Weights
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.parallel import solve_many
from lepton_cli.optimizer.problem import Candidate, Problem, WorkloadProblem
from lepton_cli.optimizer.result import Counts, Solution, WorkloadSolution, tally
from lepton_cli.optimizer.solve import solve_cost
from lepton_cli.optimizer.workload import Job, Progress

MAX_ROUNDS = 14  # multiplier bisection steps
# Rounds that bound the subproblems by their LP relaxation only. Measured on 300 all-distinct
# workloads: LP rounds first leave the bound 12% above the plan, exact rounds 0.3%. So none:
# the LP's spend at a multiplier is not the MILP's, and bisecting on it lands elsewhere.
LP_ROUNDS = 0
JOINT_MAX = 200  # beyond this many workloads the joint model is slower than it is useful


def _ratio(c: Candidate, priority: float = 1.0) -> float:
    return priority * c.capacity / float(c.monthly) if c.monthly > 0 else 0.0


def ray(wp: WorkloadProblem) -> tuple[float, tuple[Candidate, ...]]:
    """The most priority-weighted capacity per currency unit ``wp`` can keep adding while
    keeping its rules: one offering. Adding instances never breaks a rule (the spot-share rows
    bound the non-spot capacity from below), so spot ones count once spot is allowed at all;
    only the capacity cap stops it (``fill`` keeps to it)."""
    usable = [c for c in wp.candidates if c.monthly > 0 and (wp.max_spot_share > 0 or not c.spot)]
    return max(
        ((_ratio(c, wp.priority), (c,)) for c in usable), key=lambda rc: rc[0], default=(0.0, ())
    )


def _room(counts: Counts, wp: WorkloadProblem) -> float:
    """Capacity the cap still allows (unbounded without one)."""
    if wp.capacity_cap is None:
        return float("inf")
    return wp.capacity_cap - sum(c.capacity * n for c, n in counts.items()) + 1e-9


def _grow(
    counts: Counts, wp: WorkloadProblem, bundle: tuple[Candidate, ...], left: Decimal
) -> Decimal:
    """Add instances of ``bundle`` while money and the capacity cap allow."""
    for c in bundle:
        n = int(left // c.monthly) if c.monthly > 0 else 0
        n = min(n, int(_room(counts, wp) // c.capacity))
        if n > 0:
            counts[c] = counts.get(c, 0) + n
            left -= c.monthly * n
    return left


def fill(workloads: list[WorkloadSolution], budget: Decimal) -> list[WorkloadSolution]:
    """Spend what ``workloads`` leave of ``budget`` along the best rays first, then on any
    non-spot candidate that still fits (adding non-spot instances keeps every rule)."""
    left = budget - sum((w.cost for w in workloads), Decimal(0))
    extra: list[Counts] = [dict(w.counts) for w in workloads]
    rays = sorted(
        ((ray(w.problem), i) for i, w in enumerate(workloads)), key=lambda ri: (-ri[0][0], ri[1])
    )
    for (_, bundle), i in rays:
        if left <= 0:
            break
        left = _grow(extra[i], workloads[i].problem, bundle, left)
    crumbs = sorted(
        (
            (i, c)
            for i, w in enumerate(workloads)
            for c in w.problem.candidates
            if w.problem.max_spot_share > 0 or not c.spot
        ),
        key=lambda ic: (-_ratio(ic[1], workloads[ic[0]].problem.priority), ic[1].monthly),
    )
    for i, c in crumbs:
        n = int(left // c.monthly) if c.monthly > 0 else 0
        n = min(n, int(_room(extra[i], workloads[i].problem) // c.capacity))
        if n > 0:
            extra[i][c] = extra[i].get(c, 0) + n
            left -= c.monthly * n
    return [dataclasses.replace(w, counts=e) for w, e in zip(workloads, extra, strict=True)]


def capacity(workloads: list[WorkloadSolution]) -> float:
    """The efficiency objective: priority-weighted perf-vCPUs."""
    return sum(w.problem.priority * c.capacity * n for w in workloads for c, n in w.counts.items())


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
    prob += pulp.lpSum(
        milp.efficiency_terms(x, wp.priority) for x, wp in zip(xs, problem.workloads, strict=True)
    )
    return prob, xs


def best_ratio(problem: Problem) -> float:
    """rho = the best ray over all workloads: the capacity one more currency unit can buy,
    and the smallest multiplier at which every Lagrangian subproblem is bounded."""
    memo: dict[tuple[object, ...], float] = {}
    for wp in problem.workloads:
        key = (wp.candidates, wp.max_spot_share)
        if key not in memo:
            memo[key] = ray(wp)[0]
    return max(memo.values(), default=0.0)


def lagrangian(
    problem: Problem, options: SolveOptions, deadline: float, rho: float, lp_only: bool = False
) -> tuple[list[WorkloadSolution], float | None]:
    """Relax the budget row with multiplier rho: L(rho) = rho B + sum_w max_x (K - rho C) x is an
    upper bound on the optimum for any rho >= ``best_ratio`` (where every max is finite), and
    each workload's max is its own small MILP min (rho c_o - k_o) x, solved like the cost
    objective (shapes shared, in parallel). Returns the subproblem solutions and the bound
    (None when a subproblem has no proven bound). ``lp_only``: each subproblem's LP relaxation
    bounds it (a weaker but still valid L, ten times cheaper) and its rounded point is the
    plan."""
    weights = Weights(price=rho, capacity=1.0)  # no cost tie-break: the bound is L's own
    unique = list({wp.shape(): wp for wp in problem.workloads}.values())
    # Each subproblem's gap adds to the bound's slack: prove them tight (they are small).
    tight = dataclasses.replace(options, gap=min(options.gap, 1e-6))
    with milp.native_output_silenced():
        solved = solve_many(unique, Job(tight, deadline, weights, problem.budget, lp_only=lp_only))
    by_shape = {s.problem.shape(): s for s in solved}
    subs = [dataclasses.replace(by_shape[wp.shape()], problem=wp) for wp in problem.workloads]
    if any(s.bound is None for s in subs) or problem.budget is None:
        return subs, None
    return subs, rho * float(problem.budget) - sum(s.bound or 0.0 for s in subs)


@dataclass
class Search:
    """The best plan and the lowest bound seen while searching the multiplier."""

    plan: list[WorkloadSolution]
    bound: float | None = None

    def gap(self) -> float | None:
        if self.bound is None:
            return None
        return max(0.0, (self.bound - capacity(self.plan)) / max(abs(self.bound), 1e-9))


def search_multiplier(
    problem: Problem, base: list[WorkloadSolution], options: SolveOptions, deadline: float
) -> Search:
    """Minimise L over rho >= 0 by bisection on the sign of its slope, B - spend(rho):
    a spend within budget gives a plan (after the fill), every rho gives a bound. The first
    ``LP_ROUNDS`` (none by default) bisect on the subproblems' LP relaxations; the rest solve
    the subproblems exactly."""
    budget = problem.budget or Decimal(0)
    found = Search(fill(base, budget))
    # Every workload's capacity is capped, so every subproblem is bounded at any rho >= 0:
    # the best multiplier may lie below the best ray (then the caps, not rho, stop growth).
    rho = best_ratio(problem)
    low = 0.0
    high: float | None = None
    over: list[WorkloadSolution] | None = None  # the last subproblem plans that overspent
    under = base
    for round_ in range(MAX_ROUNDS):
        if round_ and time.monotonic() >= deadline:
            break
        subs, bound = lagrangian(problem, options, deadline, rho, lp_only=round_ < LP_ROUNDS)
        if bound is not None and (found.bound is None or bound < found.bound):
            found.bound = bound
        if sum((s.cost for s in subs), Decimal(0)) <= budget:
            high, under = rho, subs
        else:
            low, over = rho, subs
        plan = fill(blend(over, under, budget) if over else under, budget)
        found.plan = plan if capacity(plan) > capacity(found.plan) else found.plan
        gap = found.gap()
        if (gap is not None and gap <= options.gap) or time.monotonic() >= deadline:
            break
        rho = (low + high) / 2 if high is not None else 2 * rho
    return found


def blend(
    over: list[WorkloadSolution], under: list[WorkloadSolution], budget: Decimal
) -> list[WorkloadSolution]:
    """Near the best multiplier the spend jumps past the budget: start from the plans that fit
    and switch workloads to their bigger plan, best extra capacity per extra cost first."""
    plan = list(under)
    spend = sum((w.cost for w in under), Decimal(0))
    gains = []
    for i, (big, small) in enumerate(zip(over, under, strict=True)):
        extra_k = capacity([big]) - capacity([small])
        extra_c = big.cost - small.cost
        if extra_k > 0:
            gains.append((-(extra_k / max(float(extra_c), 1e-9)), i, extra_c))
    for _, i, extra_c in sorted(gains):
        if spend + extra_c <= budget:
            plan[i], spend = over[i], spend + extra_c
    return plan


def solve_efficiency(
    problem: Problem,
    options: SolveOptions,
    deadline: float | None = None,
    progress: Progress | None = None,
) -> Solution:
    """Cheapest plan first (proven over budget ends there), then the multiplier search (at
    least one round, for a bound); then, for
    small fleets not yet within the gap, the joint MILP (kept only when it beats that plan)."""
    began = time.monotonic()
    deadline = deadline or began + options.time_limit
    # The cheapest plan is the start, the over-budget test and the caps: the LP relaxations
    # bound it at a tenth of the cost of proving it; the exact solve runs only where needed.
    # The caps need each workload's cheapest plan, so a workload the LP did not prove is
    # solved exactly unless the fleet is already proven over budget.
    base = solve_cost(problem, options, deadline, progress, lp_only=True)
    unproven = base.counts.proven < len(base.workloads)
    if unproven and not base.proven_over_budget:
        base = solve_cost(problem, options, deadline, progress)
    budget = problem.budget
    if budget is None or not base.within_budget:
        return dataclasses.replace(base, notes=["over budget: the cheapest plan is shown"])
    problem, base = capped(problem, base)
    if options.solver == "greedy":
        plan = fill(base.workloads, budget)
        return _result(problem, plan, options, began, SolverStatus.FEASIBLE, None)
    found = search_multiplier(problem, base.workloads, options, deadline)
    gap = found.gap()
    if gap is not None and gap <= options.gap:
        return _result(problem, found.plan, options, began, SolverStatus.OPTIMAL, found.bound)
    if len(problem.workloads) <= JOINT_MAX and time.monotonic() < deadline:
        return _joint(problem, found.plan, options, began, deadline, found.bound)
    return _result(problem, found.plan, options, began, SolverStatus.FEASIBLE, found.bound)


def capped(problem: Problem, base: Solution) -> tuple[Problem, Solution]:
    """Each workload's capacity capped at max(max_scale x V_w, its cheapest plan's capacity):
    the budget is spent where it helps, and the cheapest plan stays within every cap."""
    caps = [
        dataclasses.replace(
            w.problem,
            capacity_cap=max(
                w.problem.max_scale * w.problem.vcpu,
                sum(c.capacity * n for c, n in w.counts.items()),
            ),
        )
        for w in base.workloads
    ]
    workloads = [
        dataclasses.replace(w, problem=wp) for w, wp in zip(base.workloads, caps, strict=True)
    ]
    problem = dataclasses.replace(problem, workloads=caps)
    return problem, dataclasses.replace(base, problem=problem, workloads=workloads)


def _joint(
    problem: Problem,
    start: list[WorkloadSolution],
    options: SolveOptions,
    began: float,
    deadline: float,
    bound: float | None,
) -> Solution:
    budget = problem.budget or Decimal(0)
    prob, xs = joint_model(problem, budget)
    remaining = max(deadline - time.monotonic(), 0.01)
    with milp.native_output_silenced():
        outcome = milp.run(prob, dataclasses.replace(options, time_limit=remaining))
    best = start
    if outcome.status in (SolverStatus.OPTIMAL, SolverStatus.FEASIBLE):
        solved = [
            dataclasses.replace(w, counts=milp.counts_of(x)) for w, x in zip(start, xs, strict=True)
        ]
        if capacity(solved) >= capacity(start):
            best = solved
    bounds = [b for b in (bound, outcome.bound) if b is not None]
    status = outcome.status if outcome.status is SolverStatus.OPTIMAL else SolverStatus.FEASIBLE
    return _result(problem, best, options, began, status, min(bounds) if bounds else None)


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
        status = SolverStatus.FEASIBLE  # the searched plan is feasible
    gap = None if bound is None else max(0.0, (bound - objective) / max(abs(bound), 1e-9))
    workloads = [dataclasses.replace(w, status=status, bound=None) for w in workloads]
    return Solution(
        problem,
        workloads,
        options.solver,
        status,
        objective,
        bound,
        gap,
        time.monotonic() - began,
        counts=tally(workloads),
    )
