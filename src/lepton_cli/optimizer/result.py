"""What solving returns: one result per workload, and the fleet's, each with a proven bound."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer.greedy import cost as counts_cost
from lepton_cli.optimizer.problem import Candidate, Problem, WorkloadProblem

Counts = dict[Candidate, int]


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

    @property
    def planned_cost(self) -> Decimal:
        return sum((w.cost for w in self.workloads), Decimal(0))

    @property
    def within_budget(self) -> bool:
        budget = self.problem.budget
        return budget is None or self.planned_cost <= budget

    @property
    def proven_over_budget(self) -> bool:
        """The cheapest plan's proven lower bound exceeds the budget (only then exit 6)."""
        budget = self.problem.budget
        return budget is not None and self.bound is not None and self.bound > float(budget)
