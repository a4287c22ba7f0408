"""What solving returns: one result per workload, and the fleet's, each with a proven bound."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer.greedy import cost as counts_cost
from lepton_cli.optimizer.problem import Candidate, HeldBack, Problem, WorkloadProblem

Counts = dict[Candidate, int]


def covering_bound(wp: WorkloadProblem) -> float:
    """A lower bound on the monthly cost with no solve: the best single covering row
    (capacity, memory, GPUs or replicas at the cheapest rate)."""
    cands = wp.candidates
    rates = [0.0]
    if cands and wp.vcpu > 0 and all(c.capacity > 0 for c in cands):
        rates.append(wp.vcpu * min(float(c.monthly) / c.capacity for c in cands))
    if cands and wp.memory_gib > 0 and all(c.memory_gib > 0 for c in cands):
        rates.append(wp.memory_gib * min(float(c.monthly) / c.memory_gib for c in cands))
    if cands and wp.gpus > 0 and all(c.gpus > 0 for c in cands):
        rates.append(wp.gpus * min(float(c.monthly) / c.gpus for c in cands))
    if cands:
        rates.append(wp.min_replicas * min(float(c.monthly) for c in cands))
    return max(rates)


class Source(StrEnum):
    """Where a workload's allocation comes from."""

    PROVEN = "proven"  # proven optimal (by the LP relaxation rounded, or the MILP)
    LIMITED = "limited"  # the MILP's incumbent when the time limit cut it
    FALLBACK = "fallback"  # the greedy start (no time left, or better than the incumbent)


@dataclass(frozen=True)
class WorkloadSolution:
    problem: WorkloadProblem
    counts: Counts
    status: SolverStatus
    bound: float | None = None  # a proven lower bound on this workload's objective
    source: Source = Source.PROVEN

    @property
    def cost(self) -> Decimal:
        return counts_cost(self.counts)

    @property
    def monthly_bound(self) -> float | None:
        """A proven lower bound on this workload's monthly cost. The objective's bound is one
        unless a new placement costs something once (amortised into the objective, not into
        the monthly cost): then the covering bound, which prices no move."""
        if self.bound is None:
            return None
        wp = self.problem
        if (wp.move_cost > 0 or wp.per_instance > 0) and any(wp.is_new(c) for c in wp.candidates):
            return min(self.bound, covering_bound(wp))
        return self.bound


@dataclass(frozen=True)
class Tally:
    proven: int = 0
    limited: int = 0
    fallback: int = 0


def tally(workloads: list[WorkloadSolution]) -> Tally:
    sources = [w.source for w in workloads]
    return Tally(
        proven=sources.count(Source.PROVEN),
        limited=sources.count(Source.LIMITED),
        fallback=sources.count(Source.FALLBACK),
    )


@dataclass(frozen=True)
class BudgetPrice:
    """The budget's shadow price under the efficiency objective: perf-vCPUs one more currency
    unit a month buys (``value``, the middle of the multiplier bracket [low, high]), and the
    whole-bill budgets over which it holds (``valid_to`` None: no upper end)."""

    value: float
    low: float
    high: float
    valid_from: Decimal
    valid_to: Decimal | None


@dataclass(frozen=True)
class RuleCost:
    """What one rule of one workload costs a month: the plan's cost of that workload less its
    cost re-solved without the rule (amortised one-time costs included)."""

    workload: str
    rule: str  # spread.min_providers, spread.min_zones, survive_loss_of_provider, min_replicas
    value: float
    monthly_cost: Decimal


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
    counts: Tally = Tally()
    held_back: list[HeldBack] = field(default_factory=list)  # kept as they run today
    shadow_price: BudgetPrice | None = None  # efficiency: what one more unit of budget buys
    rule_costs: list[RuleCost] | None = None  # cost: what each binding rule costs (None: not run)
    rules_not_computed: list[str] = field(default_factory=list)  # "rule on workload", no time

    @property
    def planned_cost(self) -> Decimal:
        return sum((w.cost for w in self.workloads), Decimal(0))

    @property
    def within_budget(self) -> bool:
        budget = self.problem.budget
        return budget is None or self.planned_cost <= budget  # budget: B less the fixed cost

    @property
    def monthly_bound(self) -> float | None:
        """A proven lower bound on the monthly cost of any plan (the budget's measure)."""
        bounds = [w.monthly_bound for w in self.workloads]
        return None if any(b is None for b in bounds) else sum(b or 0.0 for b in bounds)

    @property
    def proven_over_budget(self) -> bool:
        """The cheapest plan's proven lower bound exceeds the budget (only then exit 6)."""
        budget = self.problem.budget
        bound = self.monthly_bound
        return budget is not None and bound is not None and bound > float(budget)
