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
from lepton_cli.optimizer.result import (
    BudgetPrice,
    Counts,
    Solution,
    Source,
    WorkloadSolution,
    tally,
)
from lepton_cli.optimizer.solve import solve_cost
from lepton_cli.optimizer.workload import Job, Progress

MAX_ROUNDS = 14  # multiplier bisection steps
ZERO = 1e-6  # below this share of the best ray, the shadow price is taken as nil
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
    subs, value = Multipliers(problem, options).solve(rho, deadline, lp_only)
    if value is None or problem.budget is None:
        return subs, None
    return subs, rho * float(problem.budget) - value


class Multipliers:
    """The Lagrangian subproblems of one problem, solved once per multiplier and kept: a
    budget sweep asks for the same multipliers at many budgets. Their columns are bounded by
    ``column_budget`` (default: the problem's budget); a larger one only loosens them, so one
    cache serves every budget up to it."""

    def __init__(
        self, problem: Problem, options: SolveOptions, column_budget: Decimal | None = None
    ) -> None:
        self.problem = problem
        self.options = options
        self.column_budget = column_budget if column_budget is not None else problem.budget
        self.seen: dict[float, tuple[list[WorkloadSolution], float | None]] = {}

    def solve(
        self, rho: float, deadline: float, lp_only: bool = False
    ) -> tuple[list[WorkloadSolution], float | None]:
        """The subproblem solutions at ``rho`` and the sum of their proven bounds (None when
        one has none): L(rho) = rho B - that sum, for any budget B."""
        if not lp_only and rho in self.seen:
            return self.seen[rho]
        problem = self.problem
        weights = Weights(price=rho, capacity=1.0)  # no cost tie-break: the bound is L's own
        unique = list({wp.shape(): wp for wp in problem.workloads}.values())
        # Each subproblem's gap adds to the bound's slack: prove them tight (they are small).
        tight = dataclasses.replace(self.options, gap=min(self.options.gap, 1e-6))
        job = Job(tight, deadline, weights, self.column_budget, lp_only=lp_only)
        with milp.native_output_silenced():
            solved = solve_many(unique, job)
        by_shape = {s.problem.shape(): s for s in solved}
        subs = [dataclasses.replace(by_shape[wp.shape()], problem=wp) for wp in problem.workloads]
        value = None if any(s.bound is None for s in subs) else sum(s.bound or 0.0 for s in subs)
        if not lp_only and all(s.source is Source.PROVEN for s in subs):
            self.seen[rho] = (subs, value)  # only proven solutions are worth keeping
        return subs, value

    def bracket(self, budget: Decimal) -> Bracket:
        """The tightest bracket the multipliers seen so far give ``budget``: spend falls as
        the multiplier rises, so the largest one that overspends is below the best multiplier
        and the smallest one that fits is above it."""
        out = Bracket()
        for rho, (subs, _) in sorted(self.seen.items()):
            spend = _spend(subs)
            if spend > budget:
                out.low, out.over, out.over_spend = rho, subs, spend
            elif out.high is None:
                out.high, out.under, out.under_spend = rho, subs, spend
        return out


def _spend(workloads: list[WorkloadSolution]) -> Decimal:
    return sum((w.cost for w in workloads), Decimal(0))


def at_caps(plan: list[WorkloadSolution]) -> bool:
    """Every workload holds all the capacity its cap allows."""
    return all(_room(w.counts, w.problem) <= 1e-6 for w in plan)


@dataclass
class Bracket:
    """Multipliers around the best one: ``low`` overspends the budget, ``high`` fits it
    (None: not found yet), with the subproblem solutions and their spend at each."""

    low: float = 0.0
    high: float | None = None
    over: list[WorkloadSolution] | None = None
    under: list[WorkloadSolution] | None = None
    over_spend: Decimal | None = None
    under_spend: Decimal | None = None

    def next(self, start: float, probe: bool = False) -> float:
        """Bisect; double while everything overspends. ``probe`` (the plan is within the gap
        but nothing has overspent yet): step down by a thousand, to tell a budget that does
        not bind at all (the caps stop growth first) from one that does."""
        if self.high is None:
            return max(2 * self.low, start)
        if self.over is None and probe:
            return self.high * 1e-3
        return (self.low + self.high) / 2

    def priced(self, start: float, plan: list[WorkloadSolution]) -> bool:
        """The multiplier is bracketed from both sides, or shown to be nil: the shadow price
        can be named."""
        return self.high is not None and (self.over is not None or self.nil(start, plan))

    def nil(self, start: float, plan: list[WorkloadSolution]) -> bool:
        """Nothing overspent, and more budget buys nothing: ``plan`` has every workload at its
        capacity cap, or the multiplier fell below a millionth of the best ray ``start``."""
        if self.over is not None or self.high is None:
            return False
        return self.high <= ZERO * start or at_caps(plan)

    def record(self, rho: float, subs: list[WorkloadSolution], budget: Decimal) -> None:
        spend = _spend(subs)
        if spend <= budget:
            self.high, self.under, self.under_spend = rho, subs, spend
        else:
            self.low, self.over, self.over_spend = rho, subs, spend


@dataclass
class Search:
    """The best plan and the lowest bound seen while searching the multiplier."""

    plan: list[WorkloadSolution]
    bound: float | None = None
    bracket: Bracket = dataclasses.field(default_factory=Bracket)

    def gap(self) -> float | None:
        if self.bound is None:
            return None
        return max(0.0, (self.bound - capacity(self.plan)) / max(abs(self.bound), 1e-9))


def _bound(rho: float, value: float | None, budget: Decimal) -> float | None:
    return None if value is None else rho * float(budget) - value


def search_multiplier(
    problem: Problem,
    base: list[WorkloadSolution],
    options: SolveOptions,
    deadline: float,
    multipliers: Multipliers | None = None,
) -> Search:
    """Minimise L over rho >= 0 by bisection on the sign of its slope, B - spend(rho):
    a spend within budget gives a plan (after the fill), every rho gives a bound. The first
    ``LP_ROUNDS`` (none by default) bisect on the subproblems' LP relaxations; the rest solve
    the subproblems exactly. The search goes on until the gap is met and the multiplier is
    bracketed (it is the budget's shadow price), or ``MAX_ROUNDS``. ``multipliers``: the
    subproblems solved so far (a sweep shares them), whose bracket starts the search."""
    budget = problem.budget or Decimal(0)
    multipliers = multipliers or Multipliers(problem, options)
    found = Search(fill(base, budget), bracket=multipliers.bracket(budget))
    for rho, (_, value) in multipliers.seen.items():  # every multiplier seen bounds this budget
        bound = _bound(rho, value, budget)
        if bound is not None and (found.bound is None or bound < found.bound):
            found.bound = bound
    br = found.bracket
    if br.under is None:
        br.under, br.under_spend = base, _spend(base)
    _improve(found, budget)
    # Every workload's capacity is capped, so every subproblem is bounded at any rho >= 0:
    # the best multiplier may lie below the best ray (then the caps, not rho, stop growth).
    start = best_ratio(problem)
    for round_ in range(MAX_ROUNDS):
        within = _within(found, options)
        if (within and br.priced(start, found.plan)) or (round_ and time.monotonic() >= deadline):
            break
        rho = br.next(start, probe=within)
        subs, value = multipliers.solve(rho, deadline, lp_only=round_ < LP_ROUNDS)
        bound = _bound(rho, value, budget)
        if bound is not None and (found.bound is None or bound < found.bound):
            found.bound = bound
        br.record(rho, subs, budget)
        _improve(found, budget)
    return found


def _within(found: Search, options: SolveOptions) -> bool:
    """The plan is within the gap. The bracket is then narrowed no further than it takes to
    name a price: each round solves every subproblem, and the time limit is for the plan; a
    smaller --gap narrows both."""
    gap = found.gap()
    return gap is not None and gap <= options.gap


def _improve(found: Search, budget: Decimal) -> None:
    br = found.bracket
    under = br.under or []
    plan = fill(blend(br.over, under, budget) if br.over else under, budget)
    found.plan = plan if capacity(plan) > capacity(found.plan) else found.plan


def shadow_price(found: Search, fixed: Decimal, start: float) -> BudgetPrice | None:
    """The budget's shadow price: the multiplier that minimises L, i.e. the performance one
    more currency unit of budget buys (perf-vCPUs a month per unit), between the bracket's
    ends. It holds for every budget between the subproblems' spend at the high end (which
    fits) and at the low end (which overspends), plus what the plan keeps outside workloads;
    no upper end when no multiplier overspent (the capacity caps, not money, stop growth;
    nil when more budget buys nothing, :meth:`Bracket.nil`).
    The range is what the search proved: the subproblems' columns are bounded by what the
    budget buys, so it may end before the price really changes, never after."""
    br = found.bracket
    if br.high is None or br.under_spend is None:
        return None
    return BudgetPrice(
        value=0.0 if br.nil(start, found.plan) else (br.low + br.high) / 2,
        low=br.low,
        high=br.high,
        valid_from=br.under_spend + fixed,
        valid_to=None if br.over_spend is None else br.over_spend + fixed,
    )


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
    small fleets not yet within the gap, the joint MILP (kept only when it beats that plan).
    The solution carries the budget's shadow price (``shadow_price``)."""
    began = time.monotonic()
    deadline = deadline or began + options.time_limit
    start = cheapest(problem, options, deadline, progress)
    if isinstance(start, Solution):
        return start
    problem, base = start
    return solve_at(problem, base, options, began, deadline)


def cheapest(
    problem: Problem, options: SolveOptions, deadline: float, progress: Progress | None = None
) -> Solution | tuple[Problem, Solution]:
    """The cheapest plan and the capped problem the budget is spent on; or, when there is no
    budget or the cheapest plan is over it, the cheapest plan as the answer."""
    # The cheapest plan is the start, the over-budget test and the caps: the LP relaxations
    # bound it at a tenth of the cost of proving it; the exact solve runs only where needed.
    # The caps need each workload's cheapest plan, so a workload the LP did not prove is
    # solved exactly unless the fleet is already proven over budget.
    base = solve_cost(problem, options, deadline, progress, lp_only=True)
    unproven = base.counts.proven < len(base.workloads)
    if unproven and not base.proven_over_budget:
        base = solve_cost(problem, options, deadline, progress)
    if problem.budget is None or not base.within_budget:
        return dataclasses.replace(base, notes=["over budget: the cheapest plan is shown"])
    return capped(problem, base)


def solve_at(
    problem: Problem,
    base: Solution,
    options: SolveOptions,
    began: float,
    deadline: float,
    multipliers: Multipliers | None = None,
) -> Solution:
    """The most capacity ``problem.budget`` buys, from the cheapest plan ``base`` (within it)
    of the capped ``problem``; ``multipliers``: subproblems already solved (a sweep's)."""
    budget = problem.budget or Decimal(0)
    if options.solver == "greedy":
        plan = fill(base.workloads, budget)
        return _result(problem, plan, options, began, SolverStatus.FEASIBLE, None)
    found = search_multiplier(problem, base.workloads, options, deadline, multipliers)
    price = shadow_price(found, problem.fixed, best_ratio(problem))
    gap = found.gap()
    if gap is not None and gap <= options.gap:
        solved = _result(problem, found.plan, options, began, SolverStatus.OPTIMAL, found.bound)
    elif len(problem.workloads) <= JOINT_MAX and time.monotonic() < deadline:
        solved = _joint(problem, found.plan, options, began, deadline, found.bound)
    else:
        solved = _result(problem, found.plan, options, began, SolverStatus.FEASIBLE, found.bound)
    return dataclasses.replace(solved, shadow_price=price)


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
