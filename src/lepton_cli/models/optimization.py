"""The optimisation vocabulary: what the optimizer is asked (solver, options) and produces
(status), and what a plan records."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Objective(StrEnum):
    COST = "cost"
    EFFICIENCY = "efficiency"


class SolverStatus(StrEnum):
    OPTIMAL = "optimal"  # proven within the requested gap
    FEASIBLE = "feasible"  # an incumbent, e.g. stopped by the time limit
    INFEASIBLE = "infeasible"
    NOT_SOLVED = "not-solved"


class Solver(StrEnum):
    """The solvers ``--solver`` and the ``solver`` setting name: the one list of them."""

    HIGHS = "highs"
    CBC = "cbc"
    GREEDY = "greedy"

    @classmethod
    def names(cls) -> str:
        """``highs, cbc or greedy``: the list as a hint says it."""
        values = [s.value for s in cls]
        return ", ".join(values[:-1]) + " or " + values[-1]


EGRESS_PER_GIB = {
    # Internet egress list price of the first paid tier, USD per GiB, as published on
    # 2025-06-01: AWS EC2 "Data Transfer Out to Internet", first 10 TB/month (us-east-1);
    # Azure bandwidth over the Microsoft premium global network, first 10 TB (zone 1);
    # GCP Premium Tier internet egress, 0-1 TiB/month from North America.
    "aws": 0.09,
    "azure": 0.087,
    "gcp": 0.12,
}


class Migration(BaseModel):
    """What a move to a new (provider, region) costs once, amortised over ``horizon_months``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    horizon_months: float = Field(default=12, gt=0)
    per_instance: float = Field(default=0, ge=0)  # one-time cost of each instance placed anew
    egress_per_gib: dict[str, float] = Field(default_factory=lambda: dict(EGRESS_PER_GIB))

    def egress(self, provider: str) -> float:
        """A provider's price per GiB copied out; an unknown provider: the highest one known."""
        prices = {**EGRESS_PER_GIB, **self.egress_per_gib}
        return prices.get(provider, max(prices.values()))


@dataclass(frozen=True)
class ProblemOptions:
    """Every setting the optimizer reads, and nothing else: built from the settings in one
    place (``config.problem_options``), recorded whole in the inputs digest (``plan.io``).
    No defaults here: those are the settings' own."""

    headroom: float  # added to derived demand
    idle_threshold: float  # cpu_p95 below this is idle ...
    idle_min_days: int  # ... over at least this many days
    migration: Migration  # what a move costs once
    max_changes: int | None  # workloads a plan may change (None: no limit)
    use_perf: bool  # False: every perf factor is 1 (--no-perf)
