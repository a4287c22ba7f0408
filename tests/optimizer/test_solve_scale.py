"""Bounds, limits and the honest answers: each defect found at scale, reproduced small."""

from __future__ import annotations

import dataclasses
import random
import time
from decimal import Decimal

import pytest
from opt_builders import feasible, offer, problem, solve, workload

from lepton_cli.models.optimization import SolverStatus
from lepton_cli.optimizer import milp
from lepton_cli.optimizer.direct import Weights
from lepton_cli.optimizer.efficiency import best_ratio, joint_model, lagrangian
from lepton_cli.optimizer.greedy import cost as counts_cost
from lepton_cli.optimizer.greedy import greedy
from lepton_cli.optimizer.highs import Highs
from lepton_cli.optimizer.milp import SolveOptions
from lepton_cli.optimizer.problem import WorkloadProblem
from lepton_cli.optimizer.result import Source
from lepton_cli.optimizer.workload import Job, solve_one
from lepton_cli.plan.model import Objective

FAR = 10**9  # a deadline nobody reaches: these tests limit nodes, never wall-clock time


def _catalog(rng: random.Random) -> list:  # type: ignore[type-arg]
    out = []
    for p in ("aws", "gcp", "azure"):
        for t in range(rng.randint(2, 4)):
            vcpus = rng.choice([1, 2, 4, 8, 16])
            memory = vcpus * rng.choice([1, 2, 4, 8])
            od = vcpus * rng.uniform(0.02, 0.06)
            spot = f"{od * rng.uniform(0.2, 0.5):.4f}" if rng.random() < 0.6 else None
            out.append(offer(p, f"t{t}", vcpus, memory, f"{od:.4f}", spot=spot, region=f"{p}-r1"))
    return out


def _workloads(rng: random.Random, n: int) -> list:  # type: ignore[type-arg]
    out = []
    for i in range(n):
        rules: dict[str, object] = {"min_replicas": rng.randint(1, 4)}
        roll = rng.random()
        if roll < 0.3:
            rules["max_spot_share"] = round(rng.uniform(0.1, 0.6), 2)
        elif roll < 0.45:
            rules["spread"] = {"min_providers": 2}
        elif roll < 0.6:
            rules["spread"] = {"min_zones": rng.choice([2, 3, 4])}
        elif roll < 0.75:
            rules["survive_loss_of_provider"] = round(rng.uniform(0.3, 0.7), 2)
        vcpu = round(rng.lognormvariate(2.0, 0.9), 3)
        memory = round(vcpu * rng.uniform(1, 8), 3)
        out.append(workload(f"w{i}", vcpu=vcpu, memory=memory, **rules))
    return out


def _pulp_optimum(wp: WorkloadProblem) -> float:
    """The reference: milp.py's PuLP model, solved to optimality, priced without tie-break."""
    start = greedy(wp)
    upper = milp.upper_bound(wp, counts_cost(start) if start else None)
    prob, x = milp.cost_model(wp, upper)
    with milp.native_output_silenced():
        outcome = milp.run(prob, SolveOptions(gap=1e-9, time_limit=60))
    assert outcome.status is SolverStatus.OPTIMAL
    return float(counts_cost(milp.counts_of(x)))


@pytest.mark.parametrize("seed", range(4))
def test_matrix_path_and_pulp_model_agree(seed: int) -> None:
    rng = random.Random(seed)
    p = problem(_workloads(rng, 12), _catalog(rng))
    highs = Highs()
    for wp in p.workloads:
        ws = solve_one(wp, Job(SolveOptions(gap=1e-9), FAR), highs)
        assert ws.status is SolverStatus.OPTIMAL and feasible(wp, ws.counts)
        assert float(ws.cost) == pytest.approx(_pulp_optimum(wp), rel=1e-9, abs=1e-6)
        assert ws.bound is not None and ws.bound <= float(ws.cost) + 1e-9


def _gpu_catalog(rng: random.Random) -> list:  # type: ignore[type-arg]
    """Two regions per provider, some offerings with GPUs."""
    out = []
    for p in ("aws", "gcp", "azure"):
        for r in ("r1", "r2"):
            for t in range(rng.randint(1, 3)):
                vcpus = rng.choice([2, 4, 8])
                gpus = rng.choice([0, 1, 2, 4])
                od = vcpus * rng.uniform(0.02, 0.06) + gpus * rng.uniform(0.3, 0.9)
                spot = f"{od * rng.uniform(0.2, 0.5):.4f}" if rng.random() < 0.5 else None
                extra = {"gpus": gpus, "gpu_model": "L4"} if gpus else {}
                out.append(
                    offer(
                        p,
                        f"t{t}",
                        vcpus,
                        vcpus * rng.choice([2, 4, 8]),
                        f"{od:.4f}",
                        spot=spot,
                        region=f"{p}-{r}",
                        **extra,
                    )
                )
    return out


def _main_rows(rng: random.Random, wp: WorkloadProblem) -> WorkloadProblem:
    """The workload with the rows the disruption and efficiency rules add, at random: new
    placements that cost once (data and per instance), loss of a provider, a priority."""
    changes: dict[str, object] = {}
    if rng.random() < 0.6:
        sites = sorted({c.site for c in wp.candidates})
        changes["sites"] = frozenset(rng.sample(sites, rng.randint(1, min(2, len(sites)))))
        changes["move_cost"] = round(rng.uniform(0, 400), 2)
        changes["per_instance"] = round(rng.uniform(0, 50), 2) if rng.random() < 0.5 else 0.0
        changes["horizon"] = rng.choice([3.0, 12.0])
    if rng.random() < 0.5:
        changes["survive_fraction"] = round(rng.uniform(0.3, 0.7), 2)
    changes["priority"] = rng.choice([1.0, 2.0, 3.0])
    return dataclasses.replace(wp, **changes)  # type: ignore[arg-type]


def _pulp_objective(wp: WorkloadProblem, weights: milp.Weights) -> float | None:
    """milp.py's PuLP model solved to optimality, valued without its tie-break (None when it
    proves the model infeasible)."""
    start = greedy(wp)
    feasible_cost = milp.objective_value(wp, start) if start else None
    upper = milp.upper_bound(wp, feasible_cost)
    if weights != milp.COST:
        upper = max(upper, milp.capped_upper(wp))
    prob, x = milp.cost_model(wp, upper, weights)
    with milp.native_output_silenced():
        outcome = milp.run(prob, SolveOptions(gap=1e-9, time_limit=60))
    if outcome.status is SolverStatus.INFEASIBLE:
        return None
    assert outcome.status is SolverStatus.OPTIMAL
    return _valued(wp, milp.counts_of(x), weights)


def _valued(wp: WorkloadProblem, counts: dict, weights: milp.Weights) -> float:  # type: ignore[type-arg]
    if weights == milp.COST:
        return float(milp.objective_value(wp, counts))
    return sum(
        (weights.price * float(c.monthly) - weights.capacity * wp.priority * c.capacity) * n
        for c, n in counts.items()
    )


@pytest.mark.parametrize("seed", range(6))
def test_matrix_path_and_pulp_model_agree_on_gpus_moves_and_caps(seed: int) -> None:
    """The matrix path keeps every row milp.py adds for GPUs, capacity-based spot share,
    memory after the loss of a provider, new placements with their one-time costs, and the
    efficiency objective's priority-weighted capacity under its cap: same optimum both ways."""
    rng = random.Random(700 + seed)
    ws_ = [
        w.model_copy(update={"demand": w.demand.model_copy(update={"gpus": rng.randint(1, 6)})})
        if w.demand is not None and rng.random() < 0.4
        else w
        for w in _workloads(rng, 10)
    ]
    p = problem(ws_, _gpu_catalog(rng))
    assert any(wp.gpus for wp in p.workloads)
    highs = Highs()
    for wp in (_main_rows(rng, w) for w in p.workloads):
        if not wp.candidates:
            continue
        ws = solve_one(wp, Job(SolveOptions(gap=1e-9), FAR), highs)
        reference = _pulp_objective(wp, milp.COST)
        if reference is None:  # both prove it (e.g. GPUs from one provider, a loss to survive)
            assert ws.status is SolverStatus.INFEASIBLE
            continue
        assert ws.status is SolverStatus.OPTIMAL and feasible(wp, ws.counts)
        cost = _valued(wp, ws.counts, milp.COST)
        assert cost == pytest.approx(reference, rel=1e-7, abs=1e-3)
        assert ws.bound is not None and ws.bound <= cost + 1e-6
        # The efficiency subproblem at a multiplier, its capacity capped.
        capped = dataclasses.replace(
            wp, capacity_cap=2 * wp.vcpu + sum(c.capacity * n for c, n in ws.counts.items())
        )
        rho = rng.uniform(0.001, 0.05)
        job = Job(SolveOptions(gap=1e-9), FAR, Weights(rho, 1.0), budget=Decimal(10**7))
        sub = solve_one(capped, job, highs)
        assert sub.status is SolverStatus.OPTIMAL and feasible(capped, sub.counts)
        assert sum(c.capacity * n for c, n in sub.counts.items()) <= capped.capacity_cap + 1e-9
        value = _valued(capped, sub.counts, milp.Weights(rho, 1.0))
        assert value == pytest.approx(_pulp_objective(capped, milp.Weights(rho, 1.0)), abs=1e-3)


@pytest.mark.parametrize("seed", range(3))
def test_a_cut_workload_never_ends_worse_than_greedy(seed: int) -> None:
    """A MILP stopped early (one node, deterministically) keeps the better of its incumbent and
    the greedy start, and its bound stays below the true optimum."""
    rng = random.Random(100 + seed)
    p = problem(_workloads(rng, 15), _catalog(rng))
    highs = Highs()
    for wp in p.workloads:
        start = greedy(wp)
        cut = solve_one(wp, Job(SolveOptions(gap=1e-9), FAR, node_limit=1), highs)
        best = solve_one(wp, Job(SolveOptions(gap=1e-9), FAR), highs)
        assert feasible(wp, cut.counts)
        if start is not None:
            assert cut.cost <= counts_cost(start)
        assert cut.bound is not None and cut.bound <= float(best.cost) + 1e-6
        if cut.source is not Source.PROVEN:
            assert cut.status is SolverStatus.FEASIBLE


def test_past_the_deadline_a_workload_keeps_greedy_and_a_bound() -> None:
    p = problem(
        [workload("a", vcpu=10, memory=30, min_replicas=2)], [offer("aws", "g", 4, 16, "0.2")]
    )
    (wp,) = p.workloads
    ws = solve_one(wp, Job(SolveOptions(), deadline=time.monotonic() - 1))
    assert ws.source is Source.FALLBACK and ws.counts == greedy(wp)
    # 10 vCPU at $0.2 x 730 / 4 vCPU a month is the cheapest any allocation can be.
    assert ws.bound == pytest.approx(10 * 0.2 * 730 / 4)


def test_memory_heavy_workload_on_a_zero_priced_offering_is_solved() -> None:
    """U_w counted only vCPUs and assumed positive prices: 1 vCPU / 100 GiB on a free
    1 vCPU / 2 GiB type needs 50 instances, which the old bound of 8 forbade (exit 5)."""
    free = offer("aws", "free", 1, 2, "0")
    p = problem([workload("big-mem", vcpu=1, memory=100)], [free])
    s = solve(p)
    (ws,) = s.workloads
    assert ws.status is SolverStatus.OPTIMAL and sum(ws.counts.values()) == 50
    assert ws.cost == 0


def test_memory_heavy_workload_where_greedy_finds_nothing_is_solved() -> None:
    """Two providers, one with spot only: greedy (non-spot) has no allocation, and the bound
    without a feasible cost counted vCPUs only."""
    offerings = [
        offer("aws", "small", 1, 2, "0.05"),
        offer("gcp", "spot-only", 1, 2, "0.04", spot="0.01"),
    ]
    w = workload("mem", vcpu=1, memory=60, max_spot_share=0.5, spread={"min_providers": 2})
    p = problem([w], offerings)
    (wp,) = p.workloads
    wp = WorkloadProblem(
        **{
            **wp.__dict__,
            "candidates": tuple(c for c in wp.candidates if c.provider == "aws" or c.spot),
        }
    )
    assert greedy(wp) is None
    ws = solve_one(wp, Job(SolveOptions(gap=1e-9), FAR))
    assert ws.status is SolverStatus.OPTIMAL and feasible(wp, ws.counts)
    assert sum(c.memory_gib * n for c, n in ws.counts.items()) >= 60


def test_zone_spread_counts_zones_per_region() -> None:
    """Four zones over two regions of three: the cheaper region fills three zones."""
    offerings = [
        offer("aws", "g", 4, 16, "0.10", region="us-east-1"),
        offer("aws", "g", 4, 16, "0.12", region="eu-west-1"),
    ]
    p = problem([workload("z", vcpu=4, memory=4, spread={"min_zones": 4})], offerings)
    (wp,) = p.workloads
    assert len(wp.candidates) == 2  # no per-zone copies
    (ws,) = solve(p).workloads
    by_region = {c.region: n for c, n in ws.counts.items()}
    assert by_region == {"us-east-1": 3, "eu-west-1": 1}
    assert ws.cost == Decimal("0.10") * 730 * 3 + Decimal("0.12") * 730


def _joint_optimum(p) -> float:  # type: ignore[no-untyped-def]
    prob, _ = joint_model(p, p.budget)
    with milp.native_output_silenced():
        outcome = milp.run(prob, SolveOptions(gap=1e-9, time_limit=120))
    assert outcome.status is SolverStatus.OPTIMAL and outcome.objective is not None
    return outcome.objective


@pytest.mark.parametrize("seed", range(20))
def test_efficiency_bound_is_valid_against_the_monolithic_milp(seed: int) -> None:
    """On random small fleets: every Lagrangian bound L(rho), rho >= best_ratio, is at least
    the joint MILP's optimum, and the plan's bound at least that of the joint MILP with the
    plan's capacity caps, the plan at most it."""
    rng = random.Random(500 + seed)
    ws = _workloads(rng, rng.randint(2, 4))
    offerings = _catalog(rng)
    cheapest = solve(problem(ws, offerings))
    budget = f"{float(cheapest.objective or 0) * rng.uniform(1.1, 1.6):.2f}"
    p = problem(ws, offerings, objective=Objective.EFFICIENCY, budget=budget)
    optimum = _joint_optimum(p)
    rho0 = best_ratio(p)
    options = SolveOptions(gap=1e-9, workers=1)
    for rho in (rho0, 1.5 * rho0, 3 * rho0):
        _, bound = lagrangian(p, options, FAR, rho)
        assert bound is not None and bound >= optimum - 1e-6 * max(1.0, optimum)
    s = solve(p, gap=1e-9)
    optimum = _joint_optimum(s.problem)  # the plan's problem: each workload's capacity capped
    assert s.bound is not None and s.bound >= optimum - 1e-6 * max(1.0, optimum)
    assert s.objective is not None and s.objective <= optimum + 1e-6 * max(1.0, optimum)
    assert s.bound >= s.objective - 1e-6 * max(1.0, optimum)
    assert sum(w.cost for w in s.workloads) <= Decimal(budget)


def test_workers_past_the_deadline_return_greedy_with_bounds() -> None:
    """Forked workers reached after the deadline: every workload comes back (none lost), on
    greedy's allocation with a bound no higher than its cost."""
    from lepton_cli.optimizer.parallel import PARALLEL_MIN, solve_many

    rng = random.Random(7)
    p = problem(_workloads(rng, PARALLEL_MIN + 10), _catalog(rng))
    job = Job(SolveOptions(workers=2), deadline=time.monotonic() - 1)
    solved = solve_many(p.workloads, job)
    assert [s.problem.name for s in solved] == [wp.name for wp in p.workloads]
    for wp, s in zip(p.workloads, solved, strict=True):
        start = greedy(wp)
        if start is not None:
            assert s.source is Source.FALLBACK and s.counts == start
            assert s.bound is not None and s.bound <= float(s.cost) + 1e-9
