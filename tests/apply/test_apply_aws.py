"""lepton apply against EC2: moto behind a strict front server, real boto3 over HTTP."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_strict import REGION, Fault, Front
from plans import action, instance, plan, ref, workload, write
from typer.testing import CliRunner

from lepton_cli.cli.app import app
from lepton_cli.models import ResourceState
from lepton_cli.plan.model import ActionKind, Placement

ACCOUNT = "123456789012"  # moto's account


@dataclass
class Estate:
    idle: str
    big: str
    api: list[str]
    stopper: str
    bystander: str
    volume: str
    address: str
    old_snapshot: str
    web: str  # workload names, unique per test: moto is shared by the module's tests
    api_workload: str


def _run(ec2: Any, type_: str, tags: dict[str, str], n: int = 1) -> list[str]:
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    got = ec2.run_instances(
        ImageId=ami,
        MinCount=n,
        MaxCount=n,
        InstanceType=type_,
        TagSpecifications=spec,
        Placement={"AvailabilityZone": "us-east-1a"},
    )
    return sorted(i["InstanceId"] for i in got["Instances"])


_ESTATES = itertools.count(1)


def make_estate(front: Front) -> Estate:
    ec2 = front.ec2()
    n = next(_ESTATES)
    web, api = f"web-{n}", f"api-{n}"
    snap_src = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    volume = ec2.create_volume(
        AvailabilityZone="us-east-1a",
        Size=20,
        VolumeType="gp3",
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "team", "Value": "data"}]}],
    )["VolumeId"]
    return Estate(
        idle=_run(ec2, "m5.large", {"team": "ops"})[0],
        big=_run(ec2, "m5.xlarge", {"workload": web})[0],
        api=_run(ec2, "t3.medium", {"workload": api}, 3),
        stopper=_run(ec2, "t3.small", {"team": "qa"})[0],
        bystander=_run(ec2, "t3.micro", {"team": "other"})[0],
        volume=volume,
        address=ec2.allocate_address(Domain="vpc")["AllocationId"],
        old_snapshot=ec2.create_snapshot(VolumeId=snap_src)["SnapshotId"],
        web=web,
        api_workload=api,
    )


def _addresses(ec2: Any, allocation: str) -> list[Any]:
    found: list[Any] = ec2.describe_addresses(
        Filters=[{"Name": "allocation-id", "Values": [allocation]}]
    )["Addresses"]
    return found


def aws(rid: str, type_: str | None = None, state: str = "running") -> Any:
    if type_:
        return instance(rid, "aws", ACCOUNT, REGION, type_, state)
    return ref(rid, "aws", ACCOUNT, REGION, state=ResourceState(state))


def estate_plan(e: Estate) -> Any:
    large = Placement(provider="aws", region=REGION, type="m5.large", count=1)
    more = Placement(provider="gcp", region="us-central1", type="e2-medium", count=1)
    actions = [
        action(ActionKind.TERMINATE, [aws(e.idle, "m5.large")], saving="70"),
        action(ActionKind.RIGHTSIZE, [aws(e.big, "m5.xlarge")], large, e.web, "60"),
        action(ActionKind.SCALE_DOWN, [aws(e.api[2], "t3.medium")], None, e.api_workload, "30"),
        action(ActionKind.STOP, [aws(e.stopper, "t3.small")], saving="15"),
        action(ActionKind.DELETE_VOLUME, [aws(e.volume, "gp3", "unattached")], saving="2"),
        action(ActionKind.RELEASE_ADDRESS, [aws(e.address, None, "unattached")], saving="1"),
        action(ActionKind.DELETE_SNAPSHOT, [aws(e.old_snapshot, None, "unattached")], saving="0.4"),
        action(ActionKind.SCALE_UP, [], more, "batch", "-20"),
    ]
    workloads = [
        workload(e.web, ("aws", REGION, "m5.large", 1)),
        workload(e.api_workload, ("aws", REGION, "t3.medium", 2)),
        workload("batch", ("gcp", "us-central1", "e2-medium", 1)),
    ]
    return plan(actions, workloads)


def instances(front: Front) -> dict[str, tuple[str, str]]:
    out = {}
    for r in front.ec2().describe_instances()["Reservations"]:
        for i in r["Instances"]:
            out[i["InstanceId"]] = (i["InstanceType"], i["State"]["Name"])
    return out


def lepton(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def estate(front: Front) -> Estate:
    return make_estate(front)


@pytest.fixture
def plan_file(estate: Estate, tmp_path: Path) -> Path:
    return write(estate_plan(estate), tmp_path / "plan.yaml")


def test_the_strict_front_refuses_what_ec2_refuses(front: Front, estate: Estate) -> None:
    import boto3
    from botocore.exceptions import ClientError

    ec2 = boto3.client("ec2", region_name=REGION)  # through the front (AWS_ENDPOINT_URL)
    with pytest.raises(ClientError, match="IncorrectInstanceState"):
        ec2.modify_instance_attribute(InstanceId=estate.big, InstanceType={"Value": "m5.large"})
    ec2.stop_instances(InstanceIds=[estate.big])
    with pytest.raises(ClientError, match="InvalidParameterValue"):
        ec2.modify_instance_attribute(InstanceId=estate.big, InstanceType={"Value": "m9.huge"})
    assoc = ec2.associate_address(AllocationId=estate.address, InstanceId=estate.idle)
    with pytest.raises(ClientError, match="InUse"):
        ec2.release_address(AllocationId=estate.address)
    assert assoc["AssociationId"]


def test_dry_run_changes_nothing_and_lists_the_calls(
    front: Front, estate: Estate, plan_file: Path
) -> None:
    before = instances(front)
    got = lepton("apply", str(plan_file), "--format", "json")
    assert got.exit_code == 0, got.stderr
    assert instances(front) == before
    assert front.mutations() == []  # only reads and DryRun=true calls reached EC2
    assert front.count("ModifyInstanceAttribute", dry=True) == 1
    steps = {s["resource"]: s for s in json.loads(got.stdout)["steps"] if s["resource"]}
    assert steps[estate.big]["status"] == "would-run"
    assert steps[estate.big]["detail"].endswith("EC2 DryRun=True passed for every call")
    assert steps[estate.big]["calls"] == [
        f"ec2:StopInstances {estate.big}",
        "wait instance_stopped",
        f"ec2:ModifyInstanceAttribute {estate.big} InstanceType=m5.large",
        f"ec2:StartInstances {estate.big}",
        "wait instance_running",
    ]
    manual = [s for s in json.loads(got.stdout)["steps"] if s["status"] == "manual"]
    assert [s["op"] for s in manual] == ["launch"]
    assert front.ec2().describe_volumes(VolumeIds=[estate.volume])["Volumes"]


def test_yes_performs_exactly_the_automated_actions(
    front: Front, estate: Estate, plan_file: Path, tmp_path: Path
) -> None:
    before = instances(front)
    journal = tmp_path / "journal.jsonl"
    got = lepton("apply", str(plan_file), "--yes", "--journal", str(journal))
    assert got.exit_code == 0, got.stderr
    after = instances(front)
    assert after[estate.idle] == ("m5.large", "terminated")
    assert after[estate.big] == ("m5.large", "running")  # resized, and running as before
    assert after[estate.stopper] == ("t3.small", "stopped")
    assert after[estate.api[2]][1] == "terminated"
    assert [after[i][1] for i in estate.api[:2]] == ["running", "running"]
    assert after[estate.bystander] == before[estate.bystander]
    assert set(after) == set(before)  # the manual scale-up launched nothing
    ec2 = front.ec2()
    assert not ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": [estate.volume]}])[
        "Volumes"
    ]
    taken = ec2.describe_snapshots(Filters=[{"Name": "volume-id", "Values": [estate.volume]}])[
        "Snapshots"
    ]
    assert len(taken) == 1  # snapshot first
    assert not _addresses(ec2, estate.address)
    assert estate.old_snapshot not in {
        s["SnapshotId"] for s in ec2.describe_snapshots()["Snapshots"]
    }
    assert front.count("DisassociateAddress") == 0
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sum(r["event"] == "done" for r in records) == 7
    assert records[0]["event"] == "start"


def test_a_protect_tag_added_after_planning_refuses_that_action_only(
    front: Front, estate: Estate, plan_file: Path, tmp_path: Path
) -> None:
    front.ec2().create_tags(
        Resources=[estate.idle], Tags=[{"Key": "lepton:protect", "Value": "true"}]
    )
    got = lepton("apply", str(plan_file), "--yes", "--journal", str(tmp_path / "j"))
    assert got.exit_code == 7
    assert "lepton:protect=true" in got.stderr
    after = instances(front)
    assert after[estate.idle] == ("m5.large", "running")
    assert after[estate.big] == ("m5.large", "running")
    assert after[estate.stopper][1] == "stopped"


def test_drift_on_one_resource_refuses_that_action_only(
    front: Front, estate: Estate, plan_file: Path, tmp_path: Path
) -> None:
    ec2 = front.ec2()  # someone resized it by hand after the plan was made
    ec2.stop_instances(InstanceIds=[estate.big])
    ec2.modify_instance_attribute(InstanceId=estate.big, InstanceType={"Value": "m5.2xlarge"})
    ec2.start_instances(InstanceIds=[estate.big])
    dry = lepton("apply", str(plan_file))
    assert dry.exit_code == 7
    got = lepton("apply", str(plan_file), "--yes", "--journal", str(tmp_path / "j"))
    assert got.exit_code == 7
    assert "type is m5.2xlarge, the plan expects m5.xlarge" in got.stderr
    after = instances(front)
    assert after[estate.big] == ("m5.2xlarge", "running")
    assert after[estate.idle][1] == "terminated"
    assert after[estate.stopper][1] == "stopped"


def test_a_provider_failure_midway_is_exit_9_and_resume_finishes_without_repeating(
    front: Front, estate: Estate, plan_file: Path, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    front.faults.append(Fault("StartInstances", "InsufficientInstanceCapacity", 500))
    got = lepton("apply", str(plan_file), "--yes", "--journal", str(journal))
    assert got.exit_code == 9, got.stderr
    assert "InsufficientInstanceCapacity" in got.stderr or "partly applied" in got.stderr
    assert str(journal) in got.stderr
    assert instances(front)[estate.big] == ("m5.large", "stopped")  # stopped, resized, not started
    assert instances(front)[estate.stopper][1] == "stopped"  # other workloads went on
    calls_before = (front.count("TerminateInstances"), front.count("ModifyInstanceAttribute"))
    again = lepton("apply", str(plan_file), "--yes", "--journal", str(journal), "--resume")
    assert again.exit_code == 0, again.stderr
    assert instances(front)[estate.big] == ("m5.large", "running")
    assert front.count("ModifyInstanceAttribute") == calls_before[1]  # not repeated
    assert front.count("TerminateInstances") == calls_before[0]
    assert front.count("StopInstances") == 2  # the resize's and the stop action's, once each


def test_rollback_restores_types_and_volumes(
    front: Front, estate: Estate, plan_file: Path, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.jsonl"
    assert lepton("apply", str(plan_file), "--yes", "--journal", str(journal)).exit_code == 0
    got = lepton("apply", "--rollback", str(journal), "--format", "json")
    assert got.exit_code == 0, got.stderr
    after = instances(front)
    assert after[estate.big] == ("m5.xlarge", "running")
    assert after[estate.stopper] == ("t3.small", "running")
    ec2 = front.ec2()
    snap = ec2.describe_snapshots(Filters=[{"Name": "volume-id", "Values": [estate.volume]}])[
        "Snapshots"
    ][0]["SnapshotId"]
    restored = ec2.describe_volumes(Filters=[{"Name": "snapshot-id", "Values": [snap]}])["Volumes"]
    assert [(v["Size"], v["VolumeType"], v["AvailabilityZone"]) for v in restored] == [
        (20, "gp3", "us-east-1a")
    ]
    assert {t["Key"]: t["Value"] for t in restored[0]["Tags"]} == {"team": "data"}
    status = {s["resource"]: s["status"] for s in json.loads(got.stdout)["steps"]}
    assert status[estate.idle] == "cannot-undo"
    again = lepton("apply", "--rollback", str(journal), "--format", "json")
    assert {s["status"] for s in json.loads(again.stdout)["steps"]} <= {
        "already-rolled-back",
        "cannot-undo",
    }


def test_kill_9_midway_then_resume_finishes_without_repeating(
    front: Front, estate: Estate, plan_file: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys

    front.stall = "ModifyInstanceAttribute"  # the resize hangs after its stop: kill it there
    code = "from lepton_cli.cli.app import main; main()"
    proc = subprocess.Popen(  # the default journal, under the data dir
        [sys.executable, "-c", code, "apply", str(plan_file), "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        assert front.stalled.wait(120), proc.stderr.read() if proc.poll() is not None else ""
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL
    front.stall = None
    front.release.set()
    assert instances(front)[estate.big] == ("m5.xlarge", "stopped")  # killed half-way
    got = lepton("apply", str(plan_file), "--yes", "--resume")
    assert got.exit_code == 0, got.stderr
    after = instances(front)
    assert after[estate.big] == ("m5.large", "running")  # running again, as it was
    assert after[estate.idle][1] == "terminated"
    assert front.count("TerminateInstances") == 2  # the idle one and the api scale-down, once each
    assert front.count("StopInstances") == 2  # the resize's stop was not repeated


def test_a_type_ec2_does_not_offer_is_refused_before_any_change(
    front: Front, estate: Estate, tmp_path: Path
) -> None:
    huge = Placement(provider="aws", region=REGION, type="m9.huge", count=1)
    resize = action(ActionKind.RIGHTSIZE, [aws(estate.big, "m5.xlarge")], huge, estate.web)
    wp = workload(estate.web, ("aws", REGION, "m9.huge", 1))
    p = write(plan([resize], [wp]), tmp_path / "p.yaml")
    got = lepton("apply", str(p), "--yes", "--journal", str(tmp_path / "j"))
    assert got.exit_code == 7
    assert "m9.huge is not offered in us-east-1a" in got.stderr
    assert instances(front)[estate.big] == ("m5.xlarge", "running")
    assert front.mutations() == []


def test_an_address_on_a_stopped_instance_is_disassociated_then_released(
    front: Front, estate: Estate, tmp_path: Path
) -> None:
    ec2 = front.ec2()
    ec2.stop_instances(InstanceIds=[estate.stopper])
    ec2.associate_address(AllocationId=estate.address, InstanceId=estate.stopper)
    release = action(ActionKind.RELEASE_ADDRESS, [aws(estate.address, None, "stopped")])
    p = write(plan([release]), tmp_path / "p.yaml")
    got = lepton("apply", str(p), "--yes", "--journal", str(tmp_path / "j"))
    assert got.exit_code == 0, got.stderr
    assert not _addresses(ec2, estate.address)
    ops = [op for op in front.mutations() if op in ("DisassociateAddress", "ReleaseAddress")]
    assert ops == ["DisassociateAddress", "ReleaseAddress"]


def test_a_permission_the_dry_run_disproves_stops_everything_before_any_change(
    front: Front, estate: Estate, plan_file: Path, tmp_path: Path
) -> None:
    front.faults.append(Fault("ModifyInstanceAttribute", "UnauthorizedOperation", 403, dry=True))
    got = lepton("apply", str(plan_file), "--yes", "--journal", str(tmp_path / "j"))
    assert got.exit_code == 4
    assert "ModifyInstanceAttribute" in got.stderr and "UnauthorizedOperation" in got.stderr
    assert front.mutations() == []
    assert instances(front)[estate.idle] == ("m5.large", "running")
