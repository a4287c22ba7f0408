"""`plan verify` checks the zone-spread rule: on the plan's named zones, and live for a workload
the plan leaves as it is."""

from __future__ import annotations

from typing import Any

from lepton_cli.config import Settings, problem_options
from lepton_cli.models import Inventory
from lepton_cli.optimizer import SolveOptions, optimize_inventory
from lepton_cli.plan.build import build_plan
from lepton_cli.plan.model import Plan
from lepton_cli.plan.verify import verify

OFFERING = {
    "provider": "aws",
    "region": "us-east-1",
    "type": "m",
    "vcpus": 2,
    "memory_gib": 8,
    "prices": {"on-demand": 0.10},
}


def vm(id_: str, zone: str) -> dict[str, Any]:
    return {
        "id": id_,
        "provider": "aws",
        "region": "us-east-1",
        "zone": zone,
        "type": "m",
        "hourly_cost": "0.10",
        "vcpus": 2,
        "memory_gib": 8,
        "utilization": {"cpu_p95": 0.5, "memory_p95": 0.5, "days": 14},
        "tags": {"workload": "web"},
    }


def plan_for(zones: list[str]) -> tuple[Plan, Inventory]:
    inventory = Inventory.model_validate(
        {
            "resources": [vm(f"i-{i}", z) for i, z in enumerate(zones)],
            "workloads": [{"name": "web", "min_replicas": 2, "spread": {"min_zones": 2}}],
            "offerings_mode": "replace",
            "offerings": [OFFERING],
        }
    )
    solution = optimize_inventory(
        inventory, inventory.offerings, problem_options(Settings()), SolveOptions(workers=1)
    )
    return build_plan(inventory, inventory.offerings, solution, "2025-06-01", {}), inventory


def test_the_plan_names_real_zones_and_verify_holds() -> None:
    plan, inventory = plan_for(["us-east-1a", "us-east-1b"])
    (web,) = plan.workloads
    assert web.min_zones == 2
    assert {a.zone for a in web.allocations} <= {"us-east-1a", "us-east-1b", "us-east-1c"}
    assert len({a.zone for a in web.allocations}) >= 2
    assert verify(plan, inventory.resources).holds


def test_a_plan_naming_too_few_zones_fails_verify() -> None:
    plan, inventory = plan_for(["us-east-1a"])  # today: one zone, so the plan changes it
    assert any(a.workload == "web" for a in plan.actions)
    (web,) = plan.workloads
    one_zone = [a.model_copy(update={"zone": "us-east-1a"}) for a in web.allocations]
    edited = plan.model_copy(
        update={"workloads": [web.model_copy(update={"allocations": one_zone})]}
    )
    result = verify(edited, inventory.resources)
    assert [(d.what, d.resource_id) for d in result.drifts] == [("zone-spread", "web")]


def test_live_fleet_of_a_kept_workload_must_still_spread() -> None:
    plan, inventory = plan_for(["us-east-1a", "us-east-1b"])
    assert not any(a.workload == "web" for a in plan.actions)
    collapsed = [r.model_copy(update={"zone": "us-east-1a"}) for r in inventory.resources]
    result = verify(plan, collapsed)
    assert [d.what for d in result.drifts] == ["zone-spread"]
