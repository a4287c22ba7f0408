"""lepton apply against a strict local Compute Engine, with the real google-cloud-compute."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gcp_apply_fake import PROJECT, Gce
from plans import action, instance, plan, ref, workload, write
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.models import ResourceState
from lepton_cli.plan.io import load_plan
from lepton_cli.plan.model import ActionKind, Placement

REGION = "us-central1"


def lepton(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def vm(link: str, type_: str, state: str = "running") -> Any:
    return instance(link, "gcp", PROJECT, REGION, type_, state)


def estate(gce: Gce, target: str = "e2-standard-2") -> tuple[dict[str, str], Path]:
    ids = {
        "big": gce.add_instance("web-1", "e2-standard-8", workload="web"),
        "idle": gce.add_instance("idle-1", "e2-standard-4"),
        "api": [gce.add_instance(f"api-{n}", "e2-standard-2", workload="api") for n in (1, 2, 3)],
        "disk": gce.add_disk("orphan-1", 50),
    }
    to = Placement(provider="gcp", region=REGION, type=target, count=1)
    actions = [
        action(ActionKind.RIGHTSIZE, [vm(ids["big"], "e2-standard-8")], to, "web", "90"),
        action(ActionKind.TERMINATE, [vm(ids["idle"], "e2-standard-4")], saving="70"),
        action(
            ActionKind.SCALE_DOWN,
            [vm(i, "e2-standard-2") for i in ids["api"][1:]],
            None,
            "api",
            "40",
        ),
        action(
            ActionKind.DELETE_VOLUME,
            [
                ref(
                    ids["disk"],
                    "gcp",
                    PROJECT,
                    REGION,
                    type="pd-balanced",
                    state=ResourceState.UNATTACHED,
                )
            ],
            saving="5",
        ),
    ]
    workloads = [
        workload("web", ("gcp", REGION, target, 1)),
        # min_replicas 2: the plan keeps two, so only one of the two scale-downs may run
        workload("api", ("gcp", REGION, "e2-standard-2", 2)),
    ]
    return ids, write(plan(actions, workloads), Path.cwd() / "plan.yaml")


def test_dry_run_changes_nothing_and_foresees_the_floor(gce: Gce) -> None:
    ids, plan_file = estate(gce)
    got = lepton("apply", str(plan_file), "--format", "json")
    assert got.exit_code == 7  # the second api removal would go below the plan
    status = {s["resource"]: s["status"] for s in json.loads(got.stdout)["steps"]}
    assert (status[ids["api"][1]], status[ids["api"][2]]) == ("would-run", "refused")
    assert gce.mutations() == []
    calls = {s["resource"]: s["calls"] for s in json.loads(got.stdout)["steps"]}
    assert calls[ids["big"]] == [
        f"instances.stop {ids['big']}",
        f"instances.setMachineType {ids['big']} machineType=e2-standard-2",
        f"instances.start {ids['big']}",
    ]


def test_yes_resizes_running_again_scales_down_to_the_plan_and_snapshots_first(gce: Gce) -> None:
    ids, plan_file = estate(gce)
    got = lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl")
    assert got.exit_code == 7, got.stderr  # the second scale-down is refused: below the plan
    assert "the plan keeps 2" in got.stderr
    assert (gce.type_of("web-1"), gce.status("web-1")) == ("e2-standard-2", "RUNNING")
    assert "idle-1" not in gce.instances
    assert sorted(n for n in gce.instances if n.startswith("api")) == ["api-1", "api-3"]
    assert "orphan-1" not in gce.disks
    assert [s["sourceDisk"] for s in gce.snapshots.values()] == [ids["disk"]]


def test_a_machine_type_the_zone_lacks_is_refused(gce: Gce) -> None:
    gce.machine_types.discard("e2-standard-2")
    _ids, plan_file = estate(gce)
    rightsize = load_plan(plan_file).actions[0].id
    got = lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl", "--only", rightsize)
    assert got.exit_code == 7
    assert "e2-standard-2 is not available in us-central1-a" in got.stderr
    assert (gce.type_of("web-1"), gce.status("web-1")) == ("e2-standard-8", "RUNNING")
    assert "idle-1" in gce.instances  # --only: nothing else ran


def test_max_actions_then_a_rerun_does_the_rest_without_repeating(gce: Gce) -> None:
    _ids, plan_file = estate(gce)
    first = lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl", "--max-actions", "1")
    assert first.exit_code == 0, first.stderr
    assert gce.type_of("web-1") == "e2-standard-2"
    assert "idle-1" in gce.instances and "orphan-1" in gce.disks
    assert "--max-actions reached" in first.stdout
    lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl")
    assert "idle-1" not in gce.instances and "orphan-1" not in gce.disks
    assert [c for c in gce.calls if c[1].endswith("/setMachineType")] == [
        (
            "POST",
            f"/compute/v1/projects/{PROJECT}/zones/us-central1-a/instances/web-1/setMachineType",
        )
    ]


def test_a_failure_holds_its_workload_and_the_others_go_on(gce: Gce) -> None:
    _ids, plan_file = estate(gce)
    gce.fail["api-2"] = 1  # deleting api-2 fails once
    got = lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl")
    assert got.exit_code == 9, got.stderr
    assert "api-2" in got.stderr and "j.jsonl" in got.stderr
    assert sorted(n for n in gce.instances if n.startswith("api")) == ["api-1", "api-2", "api-3"]
    assert gce.type_of("web-1") == "e2-standard-2" and "orphan-1" not in gce.disks
    again = lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl", "--resume")
    assert again.exit_code == 7  # api-2 goes; api-3 would leave api below its plan
    assert sorted(n for n in gce.instances if n.startswith("api")) == ["api-1", "api-3"]
    assert len([c for c in gce.calls if c[1].endswith("/setMachineType")]) == 1


def test_rollback_restores_the_machine_type_and_the_disk(gce: Gce) -> None:
    ids, plan_file = estate(gce)
    assert lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl").exit_code == 7
    got = lepton("apply", "--rollback", "j.jsonl", "-f", "json")
    assert got.exit_code == 0, got.stderr
    assert (gce.type_of("web-1"), gce.status("web-1")) == ("e2-standard-8", "RUNNING")
    disk = gce.disks["orphan-1"]
    assert (disk["sizeGb"], disk["labels"]) == ("50", {"team": "shop"})
    assert disk["sourceSnapshot"] in gce.snapshots
    undone = {s["resource"]: s["status"] for s in json.loads(got.stdout)["steps"]}
    assert undone[ids["idle"]] == "cannot-undo"


def test_no_snapshot_deletes_at_once_and_rollback_says_it_cannot_bring_it_back(gce: Gce) -> None:
    ids, plan_file = estate(gce)
    lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl", "--no-snapshot")
    assert "orphan-1" not in gce.disks and gce.snapshots == {}
    got = lepton("apply", "--rollback", "j.jsonl", "-f", "json")
    undone = {s["resource"]: s for s in json.loads(got.stdout)["steps"]}
    assert undone[ids["disk"]]["status"] == "cannot-undo"
    assert "without a snapshot" in undone[ids["disk"]]["detail"]
    assert "orphan-1" not in gce.disks


def test_a_snapshot_whose_answer_was_lost_is_not_taken_twice(gce: Gce) -> None:
    ids, plan_file = estate(gce)
    gce.lose.add("createSnapshot")
    first = lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl")
    assert first.exit_code == 9, first.stderr
    assert "orphan-1" in gce.disks and len(gce.snapshots) == 1
    again = lepton("apply", str(plan_file), "--yes", "--journal", "j.jsonl", "--resume")
    assert "orphan-1" not in gce.disks
    assert [s["sourceDisk"] for s in gce.snapshots.values()] == [ids["disk"]]
    assert len([c for c in gce.calls if c[1].endswith("/createSnapshot")]) == 1
    assert again.exit_code == 7  # only the api floor refusal is left


def test_a_disk_on_a_stopped_instance_is_left_attached(gce: Gce) -> None:
    owner = gce.add_instance("old-1", "e2-standard-2", status="TERMINATED")
    disk = gce.add_disk("data-1", 100, users=[owner])
    step = ref(disk, "gcp", PROJECT, REGION, type="pd-balanced", state=ResourceState.STOPPED)
    p = write(plan([action(ActionKind.DELETE_VOLUME, [step])]), Path.cwd() / "p.yaml")
    got = lepton("apply", str(p), "--yes", "--journal", "j.jsonl")
    assert got.exit_code == 7
    assert "detach it first" in got.stderr
    assert "data-1" in gce.disks and gce.mutations() == []
