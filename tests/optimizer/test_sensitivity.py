"""The budget's shadow price and what each binding rule costs, against independent solves."""

from __future__ import annotations

import time
from decimal import Decimal

import pulp
import pytest
from opt_builders import offer, problem, solve, workload

from lepton_cli.optimizer import SolveOptions
from lepton_cli.optimizer.efficiency import capacity
from lepton_cli.optimizer.problem import WorkloadProblem
from lepton_cli.optimizer.sensitivity import rule_costs
from lepton_cli.plan.model import Objective

CATALOG = [
    offer("aws", "fast", 4, 16, "0.10"),
    offer("gcp", "slow", 4, 16, "0.20"),
    offer("azure", "mid", 4, 16, "0.16"),
]


def _pulp_cost(wp: WorkloadProblem, min_providers: int, survive: float, replicas: int) -> Decimal:
    """The cheapest allocation by a PuLP model written here: capacity, memory, replicas,
    providers to spread over, and what survives the loss of any one provider."""
    prob = pulp.LpProblem("check", pulp.LpMinimize)
    cands = list(wp.candidates)
    x = {c: pulp.LpVariable(f"x{i}", 0, 100, cat="Integer") for i, c in enumerate(cands)}
    providers = sorted({c.provider for c in cands})
    y = {p: pulp.LpVariable(f"y_{p}", cat="Binary") for p in providers}
    prob += pulp.lpSum(float(c.monthly) * x[c] for c in cands)
    prob += pulp.lpSum(c.capacity * x[c] for c in cands) >= wp.vcpu
    prob += pulp.lpSum(c.memory_gib * x[c] for c in cands) >= wp.memory_gib
    prob += pulp.lpSum(x.values()) >= replicas
    for p in providers:
        mine = [x[c] for c in cands if c.provider == p]
        prob += pulp.lpSum(mine) <= 100 * y[p]
        prob += pulp.lpSum(mine) >= y[p]
        others = [c for c in cands if c.provider != p]
        prob += pulp.lpSum(c.capacity * x[c] for c in others) >= survive * wp.vcpu
        prob += pulp.lpSum(c.memory_gib * x[c] for c in others) >= survive * wp.memory_gib
    prob += pulp.lpSum(y.values()) >= min_providers
    assert prob.solve(pulp.HiGHS(msg=False)) == pulp.LpStatusOptimal
    return sum((c.monthly * round(x[c].value()) for c in cands), Decimal(0))


def test_each_binding_rule_costs_what_an_independent_resolve_without_it_saves() -> None:
    ws = [
        workload("spread", vcpu=8, memory=8, spread={"min_providers": 2}),
        workload("loss", vcpu=8, memory=8, survive_loss_of_provider=0.5),
        workload("many", vcpu=4, memory=4, min_replicas=4),
        workload("loose", vcpu=40, memory=40, min_replicas=2),  # never binds
    ]
    solution = solve(problem(ws, CATALOG), gap=0)
    priced = rule_costs(solution, SolveOptions(gap=0, workers=1), time.monotonic() + 60)
    by_name = {w.problem.name: w.problem for w in priced.workloads}
    expected = {}
    for name, rule, args, without in [
        ("spread", "spread.min_providers", (2, 0.0, 1), (1, 0.0, 1)),
        ("loss", "survive_loss_of_provider", (1, 0.5, 1), (1, 0.0, 1)),
        ("many", "min_replicas", (1, 0.0, 4), (1, 0.0, 1)),
        ("loose", "min_replicas", (1, 0.0, 2), (1, 0.0, 1)),
    ]:
        wp = by_name[name]
        saved = _pulp_cost(wp, *args) - _pulp_cost(wp, *without)
        if saved > 0:
            expected[(name, rule)] = saved.quantize(Decimal("0.01"))
    got = {(c.workload, c.rule): c.monthly_cost for c in priced.rule_costs or []}
    assert got == expected
    assert ("loose", "min_replicas") not in got  # removing it saves nothing: not binding
    assert len(expected) == 3
    assert priced.rules_not_computed == []


def test_rules_are_not_computed_past_the_deadline() -> None:
    ws = [workload("spread", vcpu=8, memory=8, spread={"min_providers": 2})]
    solution = solve(problem(ws, CATALOG), gap=0)
    priced = rule_costs(solution, SolveOptions(workers=1), time.monotonic() - 1)
    assert priced.rule_costs == []
    assert priced.rules_not_computed == ["spread.min_providers on spread"]


EFFICIENT = [
    offer("aws", "fast", 4, 16, "0.10"),  # 4 perf-vCPUs for 73 a month
    offer("gcp", "slow", 4, 16, "0.20"),  # 4 for 146
]
PAIR = [
    workload("a", vcpu=8, memory=8, allowed={"providers": ["aws"]}),  # cap 16: 4 instances
    workload("b", vcpu=8, memory=8, allowed={"providers": ["gcp"]}, max_scale=10),
]


def _perf(budget: Decimal) -> float:
    p = problem(PAIR, EFFICIENT, objective=Objective.EFFICIENCY, budget=str(budget))
    return capacity(solve(p, gap=0).workloads)


def test_the_shadow_price_is_the_slope_between_two_independent_solves() -> None:
    budget = Decimal(1200)
    p = problem(PAIR, EFFICIENT, objective=Objective.EFFICIENCY, budget=str(budget))
    price = solve(p, gap=0).shadow_price
    assert price is not None
    assert price.valid_from <= budget
    assert price.valid_to is not None
    delta = Decimal(146)  # one more instance of b, the only workload below its cap
    assert budget + delta <= price.valid_to
    slope = (_perf(budget + delta) - _perf(budget)) / float(delta)
    assert price.value == pytest.approx(slope, rel=0.01)
    assert price.low <= slope <= price.high * 1.0001


def test_a_budget_the_caps_leave_unspent_has_no_price() -> None:
    p = problem(PAIR, EFFICIENT, objective=Objective.EFFICIENCY, budget="100000")
    solved = solve(p, gap=0)
    price = solved.shadow_price
    assert price is not None and price.value == 0.0
    assert price.valid_to is None
    assert _perf(Decimal(100000)) == _perf(Decimal(200000))
