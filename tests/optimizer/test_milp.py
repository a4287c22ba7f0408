"""The MILP: agreement with brute force, and one test per constraint family."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from opt_builders import brute_force, counts_by, feasible, offer, problem, solve, workload

from lepton_cli.errors import InfeasibleError
from lepton_cli.optimizer.greedy import cost as greedy_cost
from lepton_cli.optimizer.greedy import greedy
from lepton_cli.plan.model import SolverStatus

# Two providers, a general, a memory and a compute shape each: small enough to enumerate.
CATALOG = [
    offer("aws", "gen", 4, 16, "0.20", spot="0.08", reserved="0.13"),
    offer("aws", "mem", 2, 16, "0.13", spot="0.05"),
    offer("gcp", "cpu", 4, 4, "0.15", spot="0.06", perf=1.2),
    offer("gcp", "gen", 2, 8, "0.11", reserved="0.07", region="r2"),
]


def _random_rules(rng: random.Random) -> dict[str, object]:
    rules: dict[str, object] = {"min_replicas": rng.choice([1, 2, 3])}
    if rng.random() < 0.4:
        rules["max_spot_share"] = rng.choice([0.34, 0.5, 1.0])
    if rng.random() < 0.3:
        rules["spread"] = {"min_providers": 2}
    if rng.random() < 0.3:
        rules["survive_loss_of_provider"] = rng.choice([0.5, 1.0])
    return rules


@pytest.mark.parametrize("seed", range(12))
def test_milp_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    offerings = rng.sample(CATALOG, 3)
    w = workload(vcpu=rng.choice([2, 5, 9]), memory=rng.choice([4, 12, 20]), **_random_rules(rng))
    p = problem([w], offerings)
    wp = p.workloads[0]
    expected = brute_force(wp, most=6)
    if expected is None:
        with pytest.raises(InfeasibleError):
            solve(p, gap=0)
        return
    solution = solve(p, gap=0)
    ws = solution.workloads[0]
    assert feasible(wp, ws.counts)
    assert ws.cost == expected
    assert solution.status is SolverStatus.OPTIMAL


@pytest.mark.parametrize("seed", range(8))
def test_cbc_agrees_with_highs(seed: int) -> None:
    rng = random.Random(100 + seed)
    w = workload(vcpu=rng.choice([3, 7, 11]), memory=rng.choice([6, 18]), min_replicas=2)
    p = problem([w], CATALOG)
    assert solve(p, solver="cbc", gap=0).planned_cost == solve(p, gap=0).planned_cost


@pytest.mark.parametrize("seed", range(10))
def test_greedy_is_never_cheaper_than_the_milp(seed: int) -> None:
    rng = random.Random(200 + seed)
    w = workload(vcpu=rng.uniform(1, 40), memory=rng.uniform(1, 120), **_random_rules(rng))
    p = problem([w], CATALOG)
    try:
        milp_cost = solve(p, gap=0).planned_cost
    except InfeasibleError:  # then greedy must not claim an allocation either
        assert greedy(p.workloads[0]) is None
        return
    start = greedy(p.workloads[0])
    assert start is not None and feasible(p.workloads[0], start)
    assert greedy_cost(start) >= milp_cost
    assert solve(p, solver="greedy").planned_cost == greedy_cost(start)


def test_capacity_is_perf_weighted() -> None:
    # 6 perf-vCPUs: the faster 4-vCPU offering (perf 1.5) covers it with one instance.
    offerings = [offer("aws", "slow", 4, 64, "0.10"), offer("aws", "fast", 4, 64, "0.12", perf=1.5)]
    counts = counts_by(solve(problem([workload(vcpu=6, memory=1)], offerings)), "app")
    assert counts == {("aws", "fast", "on-demand"): 1}


def test_memory_constraint_picks_memory_shape() -> None:
    offerings = [offer("aws", "cpu", 8, 8, "0.10"), offer("aws", "mem", 2, 64, "0.12")]
    counts = counts_by(solve(problem([workload(vcpu=1, memory=60)], offerings)), "app")
    assert counts == {("aws", "mem", "on-demand"): 1}


def test_replicas_constraint() -> None:
    offerings = [offer("aws", "big", 8, 32, "0.30"), offer("aws", "small", 2, 8, "0.10")]
    counts = counts_by(
        solve(problem([workload(vcpu=1, memory=1, min_replicas=3)], offerings)), "app"
    )
    assert sum(counts.values()) == 3


def test_spot_share_constraint() -> None:
    offerings = [offer("aws", "gen", 4, 16, "0.20", spot="0.05")]
    w = workload(vcpu=16, memory=1, min_replicas=4, max_spot_share=0.5)
    counts = counts_by(solve(problem([w], offerings)), "app")
    assert counts == {("aws", "gen", "spot"): 2, ("aws", "gen", "on-demand"): 2}


def test_no_spot_unless_allowed() -> None:
    offerings = [offer("aws", "gen", 4, 16, "0.20", spot="0.05")]
    counts = counts_by(solve(problem([workload(vcpu=8)], offerings)), "app")
    assert counts == {("aws", "gen", "on-demand"): 2}


def test_provider_spread_constraint() -> None:
    offerings = [offer("aws", "gen", 4, 16, "0.10"), offer("gcp", "gen", 4, 16, "0.30")]
    w = workload(vcpu=4, memory=4, spread={"min_providers": 2})
    counts = counts_by(solve(problem([w], offerings)), "app")
    assert {k[0] for k in counts} == {"aws", "gcp"}


def test_zone_spread_constraint() -> None:
    offerings = [offer("aws", "gen", 4, 16, "0.10", region="us-east-1")]
    w = workload(vcpu=4, memory=4, spread={"min_zones": 3})
    solution = solve(problem([w], offerings))
    # One region of three zones: three instances, one per zone (zones are counted per region).
    assert sum(solution.workloads[0].counts.values()) == 3


def test_loss_of_provider_constraint() -> None:
    # Keep 100% after losing either provider: each provider alone must carry the demand.
    offerings = [offer("aws", "gen", 4, 16, "0.10"), offer("gcp", "gen", 4, 16, "0.30")]
    w = workload(vcpu=8, memory=1, survive_loss_of_provider=1.0)
    counts = counts_by(solve(problem([w], offerings)), "app")
    assert counts == {("aws", "gen", "on-demand"): 2, ("gcp", "gen", "on-demand"): 2}


def test_allowed_providers_and_regions() -> None:
    offerings = [
        offer("aws", "gen", 4, 16, "0.10", region="r1"),
        offer("aws", "gen", 4, 16, "0.05", region="r2"),
        offer("gcp", "gen", 4, 16, "0.01"),
    ]
    w = workload(vcpu=4, allowed={"providers": ["aws"], "regions": ["r1"]})
    solution = solve(problem([w], offerings))
    assert {(c.provider, c.region) for c in solution.workloads[0].counts} == {("aws", "r1")}


def test_needs_more_providers_than_allowed_is_infeasible() -> None:
    w = workload("checkout-api", spread={"min_providers": 2}, allowed={"providers": ["aws"]})
    with pytest.raises(InfeasibleError, match="checkout-api needs 2 providers but allows only aws"):
        solve(problem([w], CATALOG))


def test_surviving_a_provider_needs_two() -> None:
    w = workload("db", survive_loss_of_provider=0.5, allowed={"providers": ["gcp"]})
    with pytest.raises(InfeasibleError, match=r"db must keep 50% .* allows only gcp"):
        solve(problem([w], CATALOG))


def test_no_offering_in_allowed_regions() -> None:
    w = workload("edge", allowed={"regions": ["mars-1"]})
    with pytest.raises(
        InfeasibleError, match="edge needs an x86_64 linux instance; no allowed region sells one"
    ):
        solve(problem([w], CATALOG))


def test_ties_keep_the_current_type() -> None:
    from lepton_cli.models import Resource

    offerings = [offer("aws", "a", 4, 16, "0.10"), offer("aws", "b", 4, 16, "0.10")]
    current = Resource(
        id="i-1",
        provider="aws",
        region="r1",
        type="b",
        hourly_cost=Decimal("0.1"),
        vcpus=4,
        memory_gib=16,
        tags={"workload": "app"},
    )
    counts = counts_by(solve(problem([workload(vcpu=4, memory=8)], offerings, [current])), "app")
    assert counts == {("aws", "b", "on-demand"): 1}


def test_equal_shapes_are_solved_once_and_agree() -> None:
    ws = [workload(f"w{i}", vcpu=6, memory=10) for i in range(5)]
    solution = solve(problem(ws, CATALOG))
    costs = {w.cost for w in solution.workloads}
    assert len(costs) == 1 and len(solution.workloads) == 5
