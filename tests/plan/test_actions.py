"""Actions a reviewer can approve one by one: one per workload change with its steps, moves
with their one-time cost, and the clean-up scan flags."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lepton_cli.config import Settings, problem_options
from lepton_cli.models import Inventory
from lepton_cli.optimizer import SolveOptions, optimize_inventory
from lepton_cli.optimizer.checks import meets_rules
from lepton_cli.optimizer.problem import Candidate
from lepton_cli.plan.build import build_plan
from lepton_cli.plan.model import ActionKind, Plan, StepOp

OFFERINGS: list[dict[str, Any]] = [
    {"provider": "aws", "region": "r1", "type": "big", "vcpus": 8, "memory_gib": 32,
     "prices": {"on-demand": 0.40}},
    {"provider": "aws", "region": "r1", "type": "small", "vcpus": 2, "memory_gib": 8,
     "prices": {"on-demand": 0.10}},
    {"provider": "aws", "region": "r2", "type": "small", "vcpus": 2, "memory_gib": 8,
     "prices": {"on-demand": 0.05}},
]  # fmt: skip


def vm(
    id_: str, workload: str | None, type_: str = "big", hourly: str = "0.40", **over: Any
) -> dict[str, Any]:
    vcpus, memory = (8, 32) if type_ == "big" else (2, 8)
    return {
        "id": id_, "provider": "aws", "region": "r1", "type": type_, "hourly_cost": hourly,
        "vcpus": vcpus, "memory_gib": memory,
        "utilization": {"cpu_p95": 0.1, "memory_p95": 0.1, "days": 14},
        "tags": {"workload": workload} if workload else {}, **over,
    }  # fmt: skip


def resources() -> list[dict[str, Any]]:
    return [
        vm("i-api-1", "api"),
        vm("i-api-2", "api"),
        vm("i-mover-1", "mover", "small", "0.10"),
        vm("i-stopped", None, state="stopped", hourly_cost="0", utilization=None),
        {"id": "vol-root", "provider": "aws", "region": "r1", "kind": "storage",
         "hourly_cost": "0.02", "size_gib": 100, "attached_to": "i-stopped"},
        {"id": "vol-loose", "provider": "aws", "region": "r1", "kind": "storage",
         "hourly_cost": "0.01", "size_gib": 50, "state": "unattached"},
        {"id": "vol-kept", "provider": "aws", "region": "r1", "kind": "storage",
         "hourly_cost": "0.01", "state": "unattached", "tags": {"lepton:protect": "true"}},
        {"id": "snap-old", "provider": "aws", "region": "r1", "kind": "storage",
         "resource_type": "aws.ebs-snapshot", "hourly_cost": "0.005", "state": "unattached"},
        {"id": "eip-1", "provider": "aws", "region": "r1", "kind": "network",
         "hourly_cost": "0.005", "state": "unattached"},
        {"id": "db-1", "provider": "aws", "region": "r1", "kind": "database", "hourly_cost": "0.5"},
    ]  # fmt: skip


def make(settings: Settings | None = None, budget: str | None = None) -> tuple[Plan, Any]:
    inventory = Inventory.model_validate(
        {
            "resources": resources(),
            "workloads": [
                {"name": "api", "min_replicas": 2},
                {"name": "mover", "allowed": {"regions": "any"}, "data_gib": 100},
            ],
            "offerings_mode": "replace",
            "offerings": OFFERINGS,
        }
    )
    settings = settings or Settings()
    amount = Decimal(budget) if budget else None
    solution = optimize_inventory(
        inventory,
        inventory.offerings,
        problem_options(settings),
        SolveOptions(workers=1),
        budget=amount,
    )
    plan = build_plan(inventory, inventory.offerings, solution, "2025-06-01", {"budget": amount})
    return plan, solution


def test_one_action_per_workload_with_its_steps_and_true_saving() -> None:
    plan, _ = make()
    (api,) = [a for a in plan.actions if a.workload == "api"]
    assert api.kind is ActionKind.RIGHTSIZE
    # 2 x big (0.40) -> 2 x small (0.10), both resized in place: saving (0.80 - 0.20) * 730
    assert [(s.op, s.resource and s.resource.id) for s in api.steps] == [
        (StepOp.RESIZE, "i-api-1"),
        (StepOp.RESIZE, "i-api-2"),
    ]
    assert all(s.to is not None and s.to.type == "small" for s in api.steps)
    assert api.monthly_saving == Decimal("438.0000")


def test_a_move_carries_its_one_time_cost_and_payback() -> None:
    plan, _ = make()
    (move,) = [a for a in plan.actions if a.workload == "mover"]
    assert move.kind is ActionKind.MOVE
    assert [s.op for s in move.steps] == [StepOp.LAUNCH, StepOp.TERMINATE]  # launch first
    assert move.one_time_cost == Decimal("9.0000")  # 100 GiB at AWS's 0.09/GiB
    assert move.monthly_saving == Decimal("36.5000")  # (0.10 - 0.05) * 730
    assert move.payback_months == round(9 / 36.5, 2)
    assert plan.summary.one_time_cost == Decimal("9.0000")


def test_scan_findings_become_actions_protected_excepted() -> None:
    plan, _ = make()
    by_id = {a.resources[0].id: a for a in plan.actions if a.workload is None}
    assert set(by_id) == {"i-stopped", "vol-loose", "snap-old", "eip-1"}  # not vol-kept
    assert by_id["vol-loose"].kind is ActionKind.DELETE_VOLUME
    assert by_id["snap-old"].kind is ActionKind.DELETE_SNAPSHOT
    assert by_id["eip-1"].kind is ActionKind.RELEASE_ADDRESS
    stopped = by_id["i-stopped"]
    assert stopped.kind is ActionKind.TERMINATE
    assert [(s.op, s.resource and s.resource.id) for s in stopped.steps] == [
        (StepOp.TERMINATE, "i-stopped"),
        (StepOp.DELETE_VOLUME, "vol-root"),
    ]
    assert stopped.monthly_saving == Decimal("14.6000")  # its disk: 0.02 * 730
    assert all(len(by_id[i].steps) == 1 for i in ("vol-loose", "snap-old", "eip-1"))


def test_summary_is_the_bill_by_hand() -> None:
    plan, _ = make()
    s = plan.summary
    every = Decimal("0.80") + Decimal("0.10") + Decimal("0.02") + Decimal("0.01") * 2
    every += Decimal("0.005") * 2 + Decimal("0.5")
    assert s.current_monthly_cost == every * 730
    # kept: db-1 (0.5) and the protected vol-kept (0.01); compute: 2 x small r1 + 1 x small r2
    assert s.compute_monthly_cost == (Decimal("0.20") + Decimal("0.05")) * 730
    assert s.planned_monthly_cost == (Decimal("0.51") + Decimal("0.25")) * 730
    assert s.monthly_savings == sum(a.monthly_saving for a in plan.actions)


def test_approving_any_subset_keeps_every_workload_within_its_rules() -> None:
    plan, solution = make()
    by_workload = {w.problem.name: w for w in solution.workloads}
    workload_actions = [a for a in plan.actions if a.workload]
    others = [a for a in plan.actions if not a.workload]
    workload_ids = {r.id for w in solution.workloads for r in w.problem.resources}
    for a in others:  # clean-up never touches a workload's resources
        assert not {r.id for r in a.resources} & workload_ids
    for a in workload_actions:  # each action's steps touch only its own workload
        own = {r.id for r in by_workload[a.workload or ""].problem.resources}
        assert {s.resource.id for s in a.steps if s.resource} <= own
    for ws in solution.workloads:  # with the action approved, or not
        assert meets_rules(ws.problem, ws.counts)
        today: dict[Candidate, int] = {}
        for c in ws.problem.today:
            today[c] = today.get(c, 0) + 1
        assert meets_rules(ws.problem, today)


def test_max_changes_lists_what_was_held_back() -> None:
    plan, _ = make(Settings(max_changes=1))
    assert [a.workload for a in plan.actions if a.workload] == ["api"]  # the larger saving
    assert [(h.workload, h.monthly_saving, h.one_time_cost) for h in plan.held_back] == [
        ("mover", Decimal("36.5000"), Decimal("9.0000"))
    ]


def test_savings_by_lever_add_up_by_hand() -> None:
    plan, _ = make()
    levers = plan.summary.savings_by_lever
    assert levers["rightsizing"] == Decimal("438.0000")  # api: 2 x big -> 2 x small on-demand
    assert levers["moves"] == Decimal("36.5000")  # mover
    assert levers["pricing"] == 0 and levers["idle"] == 0
    # stopped instance's disk 0.02, loose volume 0.01, snapshot 0.005, address 0.005
    assert levers["clean-up"] == Decimal("0.04") * 730
    assert sum(levers.values()) == plan.summary.monthly_savings
