"""The optimisation vocabulary the optimizer produces and a plan records."""

from __future__ import annotations

from enum import StrEnum


class Objective(StrEnum):
    COST = "cost"
    EFFICIENCY = "efficiency"


class SolverStatus(StrEnum):
    OPTIMAL = "optimal"  # proven within the requested gap
    FEASIBLE = "feasible"  # an incumbent, e.g. stopped by the time limit
    INFEASIBLE = "infeasible"
    NOT_SOLVED = "not-solved"
