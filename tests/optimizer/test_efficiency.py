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


def _brute_efficiency(p, budget: Decimal, most: int, caps: list[float]) -> float:  # type: ignore[no-untyped-def]
    """Max total priority-weighted capacity over every pair of allocations of the two
    workloads, each within its capacity cap."""
    per = []
    for wp, cap in zip(p.workloads, caps, strict=True):
        options = []
        for combo in itertools.product(range(most + 1), repeat=len(wp.candidates)):
            counts = {c: n for c, n in zip(wp.candidates, combo, strict=True) if n}
            k = sum(c.capacity * n for c, n in counts.items())
            if feasible(wp, counts) and k <= cap + 1e-9:
                cost = sum((c.monthly * n for c, n in counts.items()), Decimal(0))
                options.append((cost, wp.priority * k))
        per.append(options)
    return max(
        (ka + kb for (ca, ka), (cb, kb) in itertools.product(*per) if ca + cb <= budget),
        default=-1.0,
    )


@pytest.mark.parametrize(("scale", "priority"), [(2.0, 1), (4.0, 1), (4.0, 3)])
def test_efficiency_matches_brute_force(scale: float, priority: int) -> None:
    ws = [
        workload("a", vcpu=4, memory=8, max_scale=scale),
        workload("b", vcpu=2, memory=4, max_spot_share=0.5, max_scale=scale, priority=priority),
    ]
    budget = "400"
    p = problem(ws, CATALOG, objective=Objective.EFFICIENCY, budget=budget)
    solution = solve(p, gap=0)
    cheapest = solve(problem(ws, CATALOG), gap=0)
    caps = [
        max(scale * w.problem.vcpu, sum(c.capacity * n for c, n in w.counts.items()))
        for w in cheapest.workloads
    ]
    assert [w.problem.capacity_cap for w in solution.workloads] == pytest.approx(caps)
    assert solution.planned_cost <= Decimal(budget)
    assert all(feasible(w.problem, w.counts) for w in solution.workloads)
    expected = _brute_efficiency(p, Decimal(budget), 5, caps)
    assert capacity(solution.workloads) == pytest.approx(expected)
    assert solution.status is SolverStatus.OPTIMAL


def test_the_cap_keeps_one_workload_from_taking_the_budget() -> None:
    # Without max_scale the whole budget would go to "a" (its offering has the best ratio).
    offerings = [offer("aws", "fast", 4, 16, "0.10", perf=2.0), offer("gcp", "gen", 4, 16, "0.20")]
    ws = [
        workload("a", vcpu=8, memory=8, allowed={"providers": ["aws"]}),
        workload("b", vcpu=8, memory=8, allowed={"providers": ["gcp"]}),
    ]
    solution = solve(problem(ws, offerings, objective=Objective.EFFICIENCY, budget="2000"))
    by = {
        w.problem.name: sum(c.capacity * n for c, n in w.counts.items()) for w in solution.workloads
    }
    assert by["a"] <= 16 + 1e-9  # 2 x its 8 perf-vCPUs
    assert by["b"] > 8


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


def test_ray_takes_spot_once_allowed() -> None:
    # Adding spot capacity never breaks a spot-share row (they bound non-spot capacity).
    wp = problem([workload(max_spot_share=0.5)], CATALOG).workloads[0]
    ratio, bundle = ray(wp)
    assert [c.spot for c in bundle] == [True]
    assert ratio == pytest.approx(2 / (0.03 * 730))
