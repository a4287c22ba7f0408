"""The efficiency objective under a budget, and the budget on the cost objective."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from opt_builders import feasible, offer, problem, solve, workload

from lepton_cli.optimizer.efficiency import capacity, ray
from lepton_cli.plan.model import Objective, SolverStatus

CATALOG = [
    offer("aws", "gen", 4, 16, "0.20"),
    offer("aws", "cpu", 4, 8, "0.17", perf=1.2),
    offer("gcp", "gen", 2, 8, "0.09", spot="0.03"),
]


def _brute_efficiency(p, budget: Decimal, most: int) -> float:  # type: ignore[no-untyped-def]
    """Max total capacity over every pair of allocations of the two workloads."""
    per = []
    for wp in p.workloads:
        options = []
        for combo in itertools.product(range(most + 1), repeat=len(wp.candidates)):
            counts = {c: n for c, n in zip(wp.candidates, combo, strict=True) if n}
            if feasible(wp, counts):
                cost = sum((c.monthly * n for c, n in counts.items()), Decimal(0))
                options.append((cost, sum(c.capacity * n for c, n in counts.items())))
        per.append(options)
    return max(
        (ka + kb for (ca, ka), (cb, kb) in itertools.product(*per) if ca + cb <= budget),
        default=-1.0,
    )


def test_efficiency_matches_brute_force() -> None:
    ws = [workload("a", vcpu=4, memory=8), workload("b", vcpu=2, memory=4, max_spot_share=0.5)]
    budget = "400"
    p = problem(ws, CATALOG, objective=Objective.EFFICIENCY, budget=budget)
    solution = solve(p, gap=0)
    assert solution.planned_cost <= Decimal(budget)
    assert all(feasible(w.problem, w.counts) for w in solution.workloads)
    assert capacity(solution.workloads) == pytest.approx(_brute_efficiency(p, Decimal(budget), 4))
    assert solution.status is SolverStatus.OPTIMAL


def test_budget_buys_more_capacity_than_the_cheapest_plan() -> None:
    ws = [workload(f"w{i}", vcpu=3 + i, memory=6) for i in range(4)]
    cheapest = solve(problem(ws, CATALOG))
    budget = str((cheapest.planned_cost * Decimal("1.5")).quantize(Decimal(1)))
    best = solve(problem(ws, CATALOG, objective=Objective.EFFICIENCY, budget=budget), gap=0.005)
    assert best.planned_cost <= Decimal(budget)
    assert capacity(best.workloads) > capacity(cheapest.workloads)
    assert best.gap is not None and best.bound is not None and best.gap <= 0.005
    assert best.objective is not None and best.objective <= best.bound + 1e-6


def test_efficiency_over_budget_returns_the_cheapest_plan() -> None:
    p = problem([workload(vcpu=40, memory=8)], CATALOG, objective=Objective.EFFICIENCY, budget="10")
    solution = solve(p)
    assert not solution.within_budget and solution.planned_cost > 10


def test_cost_objective_over_budget_is_flagged() -> None:
    solution = solve(problem([workload(vcpu=40, memory=8)], CATALOG, budget="10"))
    assert not solution.within_budget
    assert solve(problem([workload(vcpu=1, memory=1)], CATALOG, budget="1000")).within_budget


def test_ray_mixes_spot_at_the_share() -> None:
    wp = problem([workload(max_spot_share=0.5)], CATALOG).workloads[0]
    ratio, bundle = ray(wp)
    assert {c.spot for c in bundle} == {True, False}
    assert ratio > max(c.capacity / float(c.monthly) for c in wp.candidates if not c.spot)
