"""The placement, compatibility, continuity and disruption rules of DESIGN.md, one test each
(each fails when its rule is dropped), and brute-force agreement for every new row."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from opt_builders import (
    brute_force,
    counts_by,
    feasible,
    objective,
    offer,
    problem,
    server,
    solve,
    workload,
)

from lepton_cli.config import Settings, problem_options
from lepton_cli.errors import InfeasibleError, InputError
from lepton_cli.models import Inventory, Workload
from lepton_cli.optimizer import SolveOptions, optimize_inventory
from lepton_cli.plan.model import SolverStatus


def declared(name: str = "app", **rules: Any) -> Workload:
    """A workload whose demand is derived from its resources (no `demand:`)."""
    return Workload.model_validate({"name": name, **rules})


# ---------------------------------------------------------------- architecture and platform

X86_AND_ARM = [
    offer("aws", "m-x86", 4, 16, "0.20", arch="x86_64"),
    offer("aws", "m-arm", 4, 16, "0.15", arch="arm64"),
]


def test_x86_work_stays_on_x86_by_default() -> None:
    p = problem([declared()], X86_AND_ARM, [server("i-1", "app", type_="m-x86")])
    assert counts_by(solve(p), "app") == {("aws", "m-x86", "on-demand"): 1}


def test_arch_any_lets_it_move_to_arm() -> None:
    w = declared(requires={"arch": "any"})
    p = problem([w], X86_AND_ARM, [server("i-1", "app", type_="m-x86")])
    assert counts_by(solve(p), "app") == {("aws", "m-arm", "on-demand"): 1}


def test_arch_comes_from_the_resource_then_the_catalog() -> None:
    arm_today = server("i-1", "app", type_="m-x86", arch="arm64")  # its own word wins
    p = problem([declared()], X86_AND_ARM, [arm_today])
    assert counts_by(solve(p), "app") == {("aws", "m-arm", "on-demand"): 1}
    on_arm_type = server("i-1", "app", type_="m-arm", hourly="0.15")  # the catalog says arm64
    p = problem([declared()], X86_AND_ARM, [on_arm_type])
    assert {c.type for c in p.workloads[0].candidates} == {"m-arm"}


def test_unknown_arch_is_assumed_x86_and_recorded() -> None:
    p = problem([declared()], X86_AND_ARM, [server("i-1", "app", type_="legacy.big")])
    assert {c.type for c in p.workloads[0].candidates} == {"m-x86"}
    assert any("i-1" in a and "x86_64" in a for a in p.assumptions)


def test_windows_stays_on_windows_at_its_own_price() -> None:
    offerings = [
        offer("azure", "D4", 4, 16, "0.19"),
        offer("azure", "D4", 4, 16, "0.37", platform="windows"),
    ]
    today = server("vm-1", "app", provider="azure", type_="D4", hourly="0.37", platform="windows")
    p = problem([declared()], offerings, [today])
    (c,) = p.workloads[0].candidates
    assert c.monthly == Decimal("0.37") * 730
    assert counts_by(solve(p), "app") == {("azure", "D4", "on-demand"): 1}


def test_offering_identity_includes_the_platform() -> None:
    linux = offer("azure", "D4", 4, 16, "0.19")
    windows = offer("azure", "D4", 4, 16, "0.37", platform="windows")
    assert linux.key != windows.key


# ---------------------------------------------------------------- GPUs

GPUS = [
    offer("aws", "cpu.large", 8, 32, "0.30"),
    offer("aws", "g.1", 4, 16, "1.00", gpus=1, gpu_model="A10G"),
    offer("aws", "g.4", 16, 64, "3.50", gpus=4, gpu_model="A10G"),
    offer("aws", "l4.1", 4, 16, "0.80", gpus=1, gpu_model="L4"),
]


def test_gpu_work_gets_gpus_as_many_as_today() -> None:
    today = [server(f"i-{i}", "infer", type_="g.1", hourly="1.00", gpus=1) for i in range(4)]
    for r in today:
        assert r.gpus == 1
    w = declared("infer", requires={"gpu_models": ["A10G"]})
    p = problem([w], GPUS, today)
    wp = p.workloads[0]
    assert wp.gpus == 4 and all(c.gpus >= 1 for c in wp.candidates)
    counts = counts_by(solve(p), "infer")
    assert counts == {("aws", "g.4", "on-demand"): 1}  # 4 GPUs for 3.50 beat 4 x 1.00


def test_gpu_row_counts_gpus_not_instances() -> None:
    w = workload("infer", vcpu=2, memory=4, demand={"vcpu": 2, "memory_gib": 4, "gpus": 3})
    p = problem([w], GPUS)
    ws = solve(p, gap=0).workloads[0]
    assert sum(c.gpus * n for c, n in ws.counts.items()) >= 3
    assert ws.cost == brute_force(p.workloads[0], most=4)


def test_cpu_work_takes_no_gpu_instance() -> None:
    p = problem([workload("api", vcpu=2, memory=4)], GPUS)
    assert {c.type for c in p.workloads[0].candidates} == {"cpu.large"}


def test_missing_gpu_model_is_exit_5_in_its_words() -> None:
    today = [server("i-1", "ml-inference", type_="g.1", hourly="1.00", gpus=1)]
    w = declared("ml-inference", requires={"gpu_models": ["L4"]})
    offerings = [o for o in GPUS if o.gpu_model != "L4"]
    with pytest.raises(InfeasibleError) as e:
        solve(problem([w], offerings, today))
    assert e.value.args[0].startswith(
        "ml-inference needs 1 GPU of model L4 per instance; no allowed region sells one"
    )


# ---------------------------------------------------------------- residency and moves

TWO_REGIONS = [
    offer("aws", "gen", 4, 16, "0.20", region="r1"),
    offer("aws", "gen", 4, 16, "0.10", region="r2"),  # half the price, elsewhere
]


def test_residency_by_default_stays_where_it_runs() -> None:
    p = problem([declared()], TWO_REGIONS, [server("i-1", "app")])
    assert {c.region for c in p.workloads[0].candidates} == {"r1"}


def test_allowed_any_widens_and_a_move_pays_its_one_time_cost() -> None:
    cheap = declared(allowed={"providers": "any", "regions": "any"}, data_gib=100)
    p = problem([cheap], TWO_REGIONS, [server("i-1", "app")])
    wp = p.workloads[0]
    assert wp.move_cost == pytest.approx(100 * 0.09)  # AWS egress, 0.09/GiB
    ws = solve(p, gap=0).workloads[0]
    assert {c.region for c in ws.counts} == {"r2"}  # saves 73/month for 9 once
    assert ws.cost == Decimal("0.10") * 730


def test_a_move_that_does_not_pay_back_within_the_horizon_stays() -> None:
    # 73/month saved, 10 TiB to copy at 0.09 = 921.6 once: over 12 months that is 76.8/month.
    heavy = declared(allowed={"regions": "any"}, data_gib=10240)
    p = problem([heavy], TWO_REGIONS, [server("i-1", "app")])
    ws = solve(p, gap=0).workloads[0]
    assert {c.region for c in ws.counts} == {"r1"}
    longer = Settings(migration={"horizon_months": 24})
    ws = solve(problem([heavy], TWO_REGIONS, [server("i-1", "app")], settings=longer)).workloads[0]
    assert {c.region for c in ws.counts} == {"r2"}  # 921.6 / 24 = 38.4 < 73


def test_data_gib_defaults_to_attached_storage() -> None:
    from lepton_cli.models import Resource

    disk = Resource(
        id="vol-1", provider="aws", region="r1", kind="storage", size_gib=300, attached_to="i-1"
    )
    p = problem([declared(allowed={"regions": "any"})], TWO_REGIONS, [server("i-1", "app"), disk])
    assert p.workloads[0].move_cost == pytest.approx(300 * 0.09)


def test_per_instance_move_cost_is_linear_in_instances() -> None:
    settings = Settings(migration={"per_instance": 50})
    w = declared(allowed={"regions": "any"}, data_gib=0)
    today = [server(f"i-{i}", "app") for i in range(3)]
    wp = problem([w], TWO_REGIONS, today, settings=settings).workloads[0]
    counts = {next(c for c in wp.candidates if c.region == "r2"): 3}
    assert objective(wp, counts) == Decimal("0.10") * 730 * 3 + Decimal(150) / 12


# ---------------------------------------------------------------- continuity in capacity


def test_spot_share_is_in_capacity_not_instances() -> None:
    offerings = [
        offer("aws", "small", 2, 8, "0.10"),
        offer("aws", "big", 8, 32, "0.40", spot="0.05"),
    ]
    w = workload(vcpu=10, memory=8, max_spot_share=0.5)
    ws = solve(problem([w], offerings), gap=0).workloads[0]
    plain = sum(c.capacity * n for c, n in ws.counts.items() if not c.spot)
    assert plain >= 5  # what survives a reclaim: half the demand
    # 3 x small + 1 x big spot; counting instances would allow 1 small + 1 big spot (0.15/h)
    assert ws.cost == (Decimal("0.30") + Decimal("0.05")) * 730


def test_loss_of_a_provider_keeps_memory_too() -> None:
    offerings = [
        offer("aws", "cpu", 8, 8, "0.10"),
        offer("gcp", "mem", 2, 32, "0.10"),
        offer("aws", "mem", 2, 32, "0.30"),
    ]
    w = workload(vcpu=8, memory=32, survive_loss_of_provider=0.5)
    ws = solve(problem([w], offerings), gap=0).workloads[0]
    for lost in ("aws", "gcp"):
        kept = sum(c.memory_gib * n for c, n in ws.counts.items() if c.provider != lost)
        assert kept >= 16
    assert ws.cost == brute_force(ws.problem, most=4)


# ---------------------------------------------------------------- demand and perf


def test_demand_that_cannot_be_derived_is_exit_3() -> None:
    blind = server("i-1", "billing-only", vcpus=None, memory=None)  # as from a FOCUS export
    with pytest.raises(InputError) as e:
        problem([], TWO_REGIONS, [blind])
    assert "billing-only" in e.value.args[0] and "i-1" in e.value.args[0]
    assert "demand:" in (e.value.hint or "")


def test_workload_with_nothing_to_size_from_is_exit_3() -> None:
    with pytest.raises(InputError, match="ghost"):
        problem([declared("ghost")], TWO_REGIONS)


def test_resource_without_perf_takes_the_catalogs() -> None:
    fast = [offer("aws", "fast", 4, 16, "0.20", perf=1.5)]
    p = problem([declared()], fast, [server("i-1", "app", type_="fast")])
    assert p.workloads[0].vcpu == pytest.approx(4 * 1.5 * 0.5 * 1.2)
    own = problem([declared()], fast, [server("i-1", "app", type_="fast", perf=1.0)])
    assert own.workloads[0].vcpu == pytest.approx(4 * 1.0 * 0.5 * 1.2)
    raw = problem([declared()], fast, [server("i-1", "app", type_="fast")], use_perf=False)
    assert raw.workloads[0].vcpu == pytest.approx(4 * 0.5 * 1.2)
    assert {c.perf for c in raw.workloads[0].candidates} == {1.0}


# ---------------------------------------------------------------- disruption

FLEET = [offer("aws", "gen", 4, 16, "0.20"), offer("aws", "half", 2, 8, "0.08")]


def _fleet() -> tuple[list[Workload], list[Any]]:
    """Three workloads on 'gen' that would each save by moving to 'half': 1, 2, 3 machines."""
    workloads, resources = [], []
    for name, n in (("a", 1), ("b", 2), ("c", 3)):
        workloads.append(declared(name))
        resources += [
            server(f"{name}-{i}", name, vcpus=4, memory=16, utilization={"cpu_p95": 0.25})
            for i in range(n)
        ]
    return workloads, resources


def _optimize(settings: Settings, workloads: list[Workload], resources: list[Any]) -> Any:
    inventory = Inventory(resources=resources, workloads=workloads)
    return optimize_inventory(
        inventory, FLEET, problem_options(settings), SolveOptions(workers=1, gap=0)
    )


def test_max_changes_takes_the_largest_savings_and_lists_the_rest() -> None:
    workloads, resources = _fleet()
    free = _optimize(Settings(), workloads, resources)
    one = _optimize(Settings(max_changes=1), workloads, resources)
    changed = {w.problem.name for w in one.workloads if {c.type for c in w.counts} != {"gen"}}
    assert changed == {"c"}  # the largest saving
    assert [h.name for h in one.held_back] == ["b", "a"]
    saving_b = Decimal("0.40") * 730 - next(w.cost for w in free.workloads if w.problem.name == "b")
    assert one.held_back[0].monthly_saving == saving_b
    assert one.planned_cost > free.planned_cost
    # exact: no other choice of one workload to change is cheaper
    for keep_only in ("a", "b"):
        alt = sum(
            (
                w.cost
                if w.problem.name == keep_only
                else Decimal("0.20") * 730 * len(w.problem.today)
            )
            for w in free.workloads
        )
        assert one.planned_cost <= alt


def test_workloads_breaking_their_rules_must_change_beyond_max_changes() -> None:
    workloads, resources = _fleet()
    workloads = [w.model_copy(update={"min_replicas": 4}) for w in workloads]
    with pytest.raises(InfeasibleError, match="more than --max-changes 1: a, b, c"):
        _optimize(Settings(max_changes=1), workloads, resources)


def test_near_ties_keep_what_runs_today() -> None:
    offerings = [offer("aws", "gen", 4, 16, "0.200"), offer("aws", "twin", 4, 16, "0.199")]
    inventory = Inventory(resources=[server("i-1", "app")], workloads=[declared()])
    solution = optimize_inventory(
        inventory, offerings, problem_options(Settings()), SolveOptions(workers=1)
    )
    assert {c.type for c in solution.workloads[0].counts} == {"gen"}
    assert [h.reason for h in solution.held_back] == ["near-tie: keeps what runs today"]


# ---------------------------------------------------------------- brute force, new rows

CATALOG = [
    offer("aws", "gen", 4, 16, "0.20", spot="0.08", region="r1"),
    offer("aws", "gen", 4, 16, "0.16", spot="0.06", region="r2"),
    offer("gcp", "mem", 2, 16, "0.13", spot="0.05", region="r1"),
    offer("gcp", "cpu", 4, 4, "0.15", spot="0.06", perf=1.2, region="r1"),
]


@pytest.mark.parametrize("seed", range(16))
def test_new_rows_match_brute_force(seed: int) -> None:
    rng = random.Random(1000 + seed)
    rules: dict[str, Any] = {"min_replicas": rng.choice([1, 2])}
    if rng.random() < 0.6:
        rules["max_spot_share"] = rng.choice([0.3, 0.5, 0.8])
    if rng.random() < 0.5:
        rules["survive_loss_of_provider"] = rng.choice([0.4, 0.7])
    rules["allowed"] = {"providers": "any", "regions": "any"}
    rules["data_gib"] = rng.choice([0, 200, 2000])
    w = workload(vcpu=rng.choice([3, 6, 9]), memory=rng.choice([6, 20, 30]), **rules)
    today = [server("i-1", "app", region="r1")]
    settings = Settings(migration={"per_instance": rng.choice([0, 20])})
    p = problem([w], rng.sample(CATALOG, 3), today, settings=settings)
    wp = p.workloads[0]
    expected = brute_force(wp, most=5)
    if expected is None:
        with pytest.raises(InfeasibleError):
            solve(p, gap=0)
        return
    solution = solve(p, gap=0)
    ws = solution.workloads[0]
    assert feasible(wp, ws.counts)
    assert objective(wp, ws.counts) == pytest.approx(expected, abs=Decimal("0.001"))
    assert solution.status is SolverStatus.OPTIMAL


def test_a_change_that_costs_more_keeps_what_runs_today() -> None:
    # Today's machine (a type the catalog lacks, at a negotiated price) beats every candidate.
    today = server("i-1", "app", type_="legacy", hourly="0.05", arch="x86_64")
    inventory = Inventory(resources=[today], workloads=[declared()])
    solution = optimize_inventory(
        inventory, FLEET, problem_options(Settings()), SolveOptions(workers=1)
    )
    (ws,) = solution.workloads
    assert {c.type for c in ws.counts} == {"legacy"}
    assert ws.cost == Decimal("0.05") * 730
    assert solution.held_back[0].monthly_saving < 0
    assert solution.held_back[0].reason == "no saving: what runs today costs no more"
