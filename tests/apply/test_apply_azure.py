"""lepton apply against a strict local Azure Resource Manager, with the real Azure SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from azure_fake import SUB, Arm
from plans import action, instance, plan, ref, workload, write
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.models import ResourceState
from lepton_cli.plan.model import ActionKind, Placement


def lepton(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def vm(rid: str, size: str, state: str = "running") -> Any:
    return instance(rid, "azure", SUB, "eastus", size, state)


def estate(arm: Arm, target: str = "Standard_D2s_v5") -> tuple[dict[str, str], Path]:
    ids = {
        "big": arm.add_vm("vm-big", "Standard_D8s_v5", workload="web"),
        "idle": arm.add_vm("vm-idle", "Standard_D4s_v5"),
        "off": arm.add_vm("vm-off", "Standard_D4s_v5", power="deallocated", workload="etl"),
        "disk": arm.add_disk("disk-orphan", 64),
    }
    to = Placement(provider="azure", region="eastus", type=target, count=1)
    actions = [
        action(ActionKind.RIGHTSIZE, [vm(ids["big"], "Standard_D8s_v5")], to, "web", "90"),
        action(ActionKind.RIGHTSIZE, [vm(ids["off"], "Standard_D4s_v5", "stopped")], to, "etl"),
        action(ActionKind.TERMINATE, [vm(ids["idle"], "Standard_D4s_v5")], saving="70"),
        action(
            ActionKind.DELETE_VOLUME,
            [
                ref(
                    ids["disk"],
                    "azure",
                    SUB,
                    "eastus",
                    type="Premium_LRS",
                    state=ResourceState.UNATTACHED,
                )
            ],
            saving="9",
        ),
    ]
    workloads = [workload(w, ("azure", "eastus", target, 1)) for w in ("web", "etl")]
    return ids, write(plan(actions, workloads), Path.cwd() / "plan.yaml")


def test_dry_run_changes_nothing(arm: Arm) -> None:
    ids, plan_file = estate(arm)
    got = lepton("apply", str(plan_file), "--format", "json")
    assert got.exit_code == 0, got.stderr
    assert arm.mutations() == []
    steps = json.loads(got.stdout)["steps"]
    calls = {s["resource"]: s["calls"] for s in steps}
    assert "no dry run in Azure" in steps[0]["detail"]
    assert calls[ids["big"]] == [
        f"virtualMachines.deallocate {ids['big']}",
        f"virtualMachines.update {ids['big']} vmSize=Standard_D2s_v5",
        f"virtualMachines.start {ids['big']}",
    ]


def test_yes_resizes_in_the_power_state_it_had_and_deletes_after_a_snapshot(arm: Arm) -> None:
    ids, plan_file = estate(arm)
    got = lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl")
    assert got.exit_code == 0, got.stderr
    assert (arm.size(ids["big"]), arm.power(ids["big"])) == ("Standard_D2s_v5", "running")
    assert (arm.size(ids["off"]), arm.power(ids["off"])) == ("Standard_D2s_v5", "deallocated")
    assert ids["idle"].lower() not in arm.vms
    assert ids["disk"].lower() not in arm.disks
    assert [
        s["properties"]["creationData"]["sourceResourceId"] for s in arm.snapshots.values()
    ] == [ids["disk"]]
    posts = [p.rsplit("/", 1)[1] for m, p in arm.calls if m == "POST" and "vm-off" in p]
    assert posts == []  # a deallocated VM is resized without a start


def test_a_size_not_available_for_the_vm_is_refused(arm: Arm) -> None:
    arm.available = ["Standard_D4s_v5", "Standard_D8s_v5"]
    ids, plan_file = estate(arm)
    got = lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl")
    assert got.exit_code == 7
    assert "Standard_D2s_v5 is not available for this VM" in got.stderr
    assert (arm.size(ids["big"]), arm.power(ids["big"])) == ("Standard_D8s_v5", "running")
    assert ids["idle"].lower() not in arm.vms  # the other actions went on


def test_rollback_restores_the_size_and_the_disk(arm: Arm) -> None:
    ids, plan_file = estate(arm)
    assert lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl").exit_code == 0
    got = lepton("apply", "--rollback", "j.jsonl")
    assert got.exit_code == 0, got.stderr
    assert (arm.size(ids["big"]), arm.power(ids["big"])) == ("Standard_D8s_v5", "running")
    assert (arm.size(ids["off"]), arm.power(ids["off"])) == ("Standard_D4s_v5", "deallocated")
    disk = arm.disks[ids["disk"].lower()]
    assert disk["properties"]["diskSizeGB"] == 64
    assert disk["sku"] == {"name": "Premium_LRS"}
    assert disk["tags"] == {"team": "shop"}
