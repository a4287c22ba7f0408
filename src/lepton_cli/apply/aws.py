"""AWS: EC2 instances, EBS volumes and snapshots, Elastic IPs.

Calls that change EC2 are proven first with ``DryRun=True`` (EC2 answers ``DryRunOperation``
when the caller may make the call). Each waiter is bounded by ``RunOptions.wait_seconds``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from lepton_cli.apply.executor import Calls, CannotUndo, Live, RunOptions
from lepton_cli.apply.journal import StepLog
from lepton_cli.apply.steps import ExecStep
from lepton_cli.errors import ProviderError
from lepton_cli.models import ResourceState
from lepton_cli.plan.model import ResourceRef, StepOp
from lepton_cli.providers.aws.config import AwsConfig
from lepton_cli.providers.aws.errors import describe, error_code
from lepton_cli.providers.aws.normalize import instance_pricing, live_state, tags
from lepton_cli.providers.aws.session import Account, resolve_accounts
from lepton_cli.providers.base import ScopeFailure

SDK_ERRORS = (BotoCoreError, ClientError)
GONE = frozenset({"shutting-down", "terminated"})
NOT_FOUND = ("NotFound", "Malformed")  # InvalidInstanceID.NotFound, InvalidVolumeID.Malformed ...
STEP_TAG = "lepton:apply-step"  # on the snapshot taken before a volume is deleted


def _fail(e: BaseException, what: str) -> ProviderError:
    message, hint = describe(e)
    detail = ""
    if isinstance(e, ClientError):
        detail = f": {e.response.get('Error', {}).get('Message', '')}".rstrip(": ")
    if isinstance(e, WaiterError):  # a failure state, or no change within --wait-timeout
        message = f"gave up waiting: {e.kwargs.get('reason') or 'no change in time'}"
        hint = "check the resource in the console, then rerun with --resume to continue"
    return ProviderError(f"aws: {what}: {message}{detail}", hint)


def _missing(e: ClientError) -> bool:
    return any(word in error_code(e) for word in NOT_FOUND)


CALLS = Calls(
    terminate=("ec2:TerminateInstances {rid}", "wait instance_terminated"),
    stop=("ec2:StopInstances {rid}", "wait instance_stopped"),
    start=("ec2:StartInstances {rid}", "wait instance_running"),
    resize="ec2:ModifyInstanceAttribute {rid} InstanceType={to}",
    snapshot=("ec2:CreateSnapshot {rid}", "wait snapshot_completed"),
    delete_volume="ec2:DeleteVolume {rid}",
    release_address="ec2:ReleaseAddress {rid}",
    delete_snapshot="ec2:DeleteSnapshot {rid}",
    detach=("ec2:DisassociateAddress",),
)


class AwsExecutor:
    provider = "aws"

    def __init__(self, config: AwsConfig) -> None:
        self.config = config
        self._accounts: dict[str, Account] = {}

    # ------------------------------------------------------------ clients

    def _account(self, account_id: str) -> Account:
        if account_id not in self._accounts:
            failures: list[ScopeFailure] = []
            wanted = [account_id] if account_id else []
            found = resolve_accounts(self.config, wanted, failures)
            if not found:
                why = failures[0].message if failures else "no credentials reach it"
                raise ProviderError(f"aws: account {account_id}: {why}", hint=None)
            self._accounts[account_id] = found[0]
        return self._accounts[account_id]

    def _ec2(self, ref: ResourceRef) -> Any:
        return self._account(ref.account).client("ec2", ref.region)

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except SDK_ERRORS as e:
            raise _fail(e, what) from e

    def _wait(self, ec2: Any, waiter: str, options: RunOptions, **kwargs: Any) -> None:
        attempts = max(1, math.ceil(options.wait_seconds / max(options.poll_seconds, 0.01)))
        config = {"Delay": options.poll_seconds, "MaxAttempts": attempts}
        ec2.get_waiter(waiter).wait(WaiterConfig=config, **kwargs)

    # ------------------------------------------------------------ reading

    def read(self, ref: ResourceRef) -> Live | None:
        ec2 = self._ec2(ref)
        readers = {"i-": self._instance, "vol-": self._volume, "snap-": self._snapshot}
        reader = next((fn for p, fn in readers.items() if ref.id.startswith(p)), self._address)
        try:
            return reader(ec2, ref.id)
        except ClientError as e:
            if _missing(e):
                return None
            raise _fail(e, f"cannot read {ref.id}") from e
        except BotoCoreError as e:
            raise _fail(e, f"cannot read {ref.id}") from e

    def _instance(self, ec2: Any, rid: str) -> Live | None:
        found = ec2.describe_instances(InstanceIds=[rid])["Reservations"]
        raw = next((i for r in found for i in r["Instances"]), None)
        if raw is None or raw["State"]["Name"] in GONE:
            return None
        state = live_state(raw) or ResourceState.STOPPED
        zone = raw.get("Placement", {}).get("AvailabilityZone")
        return Live(
            rid,
            raw["InstanceType"],
            state,
            raw["State"]["Name"],
            instance_pricing(raw),
            tags(raw),
            details={"zone": zone},
        )

    def _volume(self, ec2: Any, rid: str) -> Live | None:
        raw = ec2.describe_volumes(VolumeIds=[rid])["Volumes"][0]
        attached = next((a["InstanceId"] for a in raw.get("Attachments") or []), None)
        state = ResourceState.UNATTACHED
        if attached:  # as the scan reports it: stopped with its instance, else running
            owner = self._instance(ec2, attached)
            state = owner.state if owner else ResourceState.RUNNING
        details = {
            "zone": raw["AvailabilityZone"],
            "size": raw["Size"],
            "volume_type": raw.get("VolumeType", "gp2"),
            "iops": raw.get("Iops"),
        }
        return Live(
            rid, raw.get("VolumeType"), state, raw["State"], None, tags(raw), attached, details
        )

    def _snapshot(self, ec2: Any, rid: str) -> Live | None:
        raw = ec2.describe_snapshots(SnapshotIds=[rid])["Snapshots"][0]
        details = {"volume": raw.get("VolumeId"), "size": raw.get("VolumeSize")}
        return Live(
            rid,
            "snapshot",
            ResourceState.UNATTACHED,
            raw["State"],
            None,
            tags(raw),
            raw.get("VolumeId"),
            details,
        )

    def _address(self, ec2: Any, rid: str) -> Live | None:
        key = {"AllocationIds": [rid]} if rid.startswith("eipalloc-") else {"PublicIps": [rid]}
        raw = ec2.describe_addresses(**key)["Addresses"][0]
        attached = raw.get("InstanceId") or raw.get("NetworkInterfaceId")
        state = ResourceState.UNATTACHED
        if raw.get("AssociationId"):  # on a stopped instance it still bills for nothing
            owner = self._instance(ec2, raw["InstanceId"]) if raw.get("InstanceId") else None
            state = owner.state if owner else ResourceState.RUNNING
        details = {
            "association": raw.get("AssociationId"),
            "ip": raw.get("PublicIp"),
            "allocation": raw.get("AllocationId"),
        }
        return Live(
            rid,
            "elastic-ip",
            state,
            "associated" if attached else "unassociated",
            None,
            tags(raw),
            attached,
            details,
        )

    def count_running(self, workload: str, account: str, region: str) -> int:
        ref = ResourceRef(id="-", provider="aws", account=account, region=region)
        filters = [
            {"Name": "tag:workload", "Values": [workload]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]},
        ]
        pages = self._call(
            f"count the instances of {workload} in {region}",
            lambda: list(
                self._ec2(ref).get_paginator("describe_instances").paginate(Filters=filters)
            ),
        )
        return sum(len(r["Instances"]) for p in pages for r in p["Reservations"])

    # ------------------------------------------------------------ checks

    def refusal(self, step: ExecStep, live: Live) -> str | None:
        if step.op is not StepOp.RESIZE or step.resource is None or step.to is None:
            return None
        zone, target = live.details.get("zone"), step.to.type
        filters = [{"Name": "instance-type", "Values": [target]}]
        if zone:
            filters.append({"Name": "location", "Values": [zone]})
        ec2 = self._ec2(step.resource)
        got = self._call(
            f"check that {target} is offered in {zone}",
            lambda: ec2.describe_instance_type_offerings(
                LocationType="availability-zone" if zone else "region", Filters=filters
            ),
        )
        if not got["InstanceTypeOfferings"]:
            return f"{step.resource.id}: instance type {target} is not offered in {zone}"
        return None

    def _dry(self, what: str, fn: Callable[..., Any], **kwargs: Any) -> None:
        try:
            fn(DryRun=True, **kwargs)
        except ClientError as e:
            if error_code(e) == "DryRunOperation":
                return
            raise _fail(e, f"dry run of {what}") from e
        except BotoCoreError as e:
            raise _fail(e, f"dry run of {what}") from e

    def prove(self, step: ExecStep, live: Live) -> str:
        ec2, rid = self._ec2(step.target), step.target.id
        for name, fn, kwargs in self._mutations(ec2, step, live):
            self._dry(f"{name} on {rid}", fn, **kwargs)
        return "EC2 DryRun=True passed for every call"

    def _mutations(
        self, ec2: Any, step: ExecStep, live: Live
    ) -> list[tuple[str, Callable[..., Any], dict[str, Any]]]:
        rid = live.id
        ids = {"InstanceIds": [rid]}
        running = live.state is ResourceState.RUNNING
        to = step.to.type if step.to else None
        ops: dict[StepOp, list[tuple[str, Callable[..., Any], dict[str, Any]]]] = {
            StepOp.TERMINATE: [("TerminateInstances", ec2.terminate_instances, ids)],
            StepOp.STOP: [("StopInstances", ec2.stop_instances, ids)],
            StepOp.RESIZE: [
                *([("StopInstances", ec2.stop_instances, ids)] if running else []),
                (
                    "ModifyInstanceAttribute",
                    ec2.modify_instance_attribute,
                    {"InstanceId": rid, "InstanceType": {"Value": to}},
                ),
                *([("StartInstances", ec2.start_instances, ids)] if running else []),
            ],
            StepOp.DELETE_VOLUME: [  # the snapshot is proven even under --no-snapshot
                ("CreateSnapshot", ec2.create_snapshot, {"VolumeId": rid}),
                ("DeleteVolume", ec2.delete_volume, {"VolumeId": rid}),
            ],
            StepOp.DELETE_SNAPSHOT: [("DeleteSnapshot", ec2.delete_snapshot, {"SnapshotId": rid})],
            StepOp.RELEASE_ADDRESS: [
                *self._disassociate_call(ec2, live),
                self._release_call(ec2, live),
            ],
        }
        return ops.get(step.op, [])

    def _disassociate_call(
        self, ec2: Any, live: Live
    ) -> list[tuple[str, Callable[..., Any], dict[str, Any]]]:
        association = live.details.get("association")
        if not association:
            return []
        return [("DisassociateAddress", ec2.disassociate_address, {"AssociationId": association})]

    def _release_call(self, ec2: Any, live: Live) -> tuple[str, Callable[..., Any], dict[str, Any]]:
        allocation = live.details.get("allocation")
        key = {"AllocationId": allocation} if allocation else {"PublicIp": live.details.get("ip")}
        return "ReleaseAddress", ec2.release_address, key

    def calls(self, step: ExecStep, live: Live | None, options: RunOptions) -> list[str]:
        return CALLS.of(step, live, options)

    # ------------------------------------------------------------ running

    def run(self, step: ExecStep, live: Live | None, log: StepLog, options: RunOptions) -> None:
        ref = step.target
        live = live or self.read(ref)
        handlers = {
            StepOp.TERMINATE: self._terminate,
            StepOp.STOP: self._stop,
            StepOp.RESIZE: self._resize,
            StepOp.DELETE_VOLUME: self._delete_volume,
            StepOp.RELEASE_ADDRESS: self._release,
            StepOp.DELETE_SNAPSHOT: self._delete_snapshot,
        }
        handlers[step.op](step, ref, live, log, options)

    def _terminate(
        self, _step: ExecStep, ref: ResourceRef, live: Live | None, log: StepLog, o: RunOptions
    ) -> None:
        log.intent(type=live.type if live else ref.type, note="a terminated instance cannot return")
        ec2 = self._ec2(ref)
        if live is not None:
            self._call(f"terminate {ref.id}", lambda: ec2.terminate_instances(InstanceIds=[ref.id]))
            log.mark("called")
        self._call(
            f"wait for {ref.id} to terminate",
            lambda: self._wait(ec2, "instance_terminated", o, InstanceIds=[ref.id]),
        )

    def _stop(
        self, _step: ExecStep, ref: ResourceRef, live: Live | None, log: StepLog, o: RunOptions
    ) -> None:
        was = log.intent(power=live.power if live else "stopped")
        ec2 = self._ec2(ref)
        if live is None:
            raise ProviderError(f"aws: {ref.id} no longer exists", hint=None)
        if was["power"] != "stopped" and not log.did("stopped"):
            self._call(f"stop {ref.id}", lambda: ec2.stop_instances(InstanceIds=[ref.id]))
            self._call(
                f"wait for {ref.id} to stop",
                lambda: self._wait(ec2, "instance_stopped", o, InstanceIds=[ref.id]),
            )
            log.mark("stopped")

    def _resize(
        self, step: ExecStep, ref: ResourceRef, live: Live | None, log: StepLog, o: RunOptions
    ) -> None:
        if live is None:
            raise ProviderError(f"aws: {ref.id} no longer exists", hint=None)
        target = step.to.type if step.to else None
        was = log.intent(type=live.type, running=live.state is ResourceState.RUNNING)
        self._set_type(ref, target or "", bool(was["running"]), log, o, "")

    def _set_type(
        self, ref: ResourceRef, target: str, restart: bool, log: StepLog, o: RunOptions, tag: str
    ) -> None:
        """Stop (when running), change the type, start again when it was running."""
        ec2 = self._ec2(ref)
        current = self.read(ref)
        if current is None:
            raise ProviderError(f"aws: {ref.id} no longer exists", hint=None)
        if current.type != target:
            if current.power != "stopped":
                self._call(f"stop {ref.id}", lambda: ec2.stop_instances(InstanceIds=[ref.id]))
                self._call(
                    f"wait for {ref.id} to stop",
                    lambda: self._wait(ec2, "instance_stopped", o, InstanceIds=[ref.id]),
                )
                log.mark(f"{tag}stopped")
            self._call(
                f"change the type of {ref.id} to {target}",
                lambda: ec2.modify_instance_attribute(
                    InstanceId=ref.id, InstanceType={"Value": target}
                ),
            )
            log.mark(f"{tag}resized", type=target)
        if restart and not log.did(f"{tag}started"):
            self._call(f"start {ref.id}", lambda: ec2.start_instances(InstanceIds=[ref.id]))
            self._call(
                f"wait for {ref.id} to run",
                lambda: self._wait(ec2, "instance_running", o, InstanceIds=[ref.id]),
            )
            log.mark(f"{tag}started")

    def _delete_volume(
        self, _step: ExecStep, ref: ResourceRef, live: Live | None, log: StepLog, o: RunOptions
    ) -> None:
        details = live.details if live else {}
        was = log.intent(
            zone=details.get("zone"),
            size=details.get("size"),
            volume_type=details.get("volume_type"),
            iops=details.get("iops"),
            tags=live.tags if live else {},
            snapshot=o.snapshot,
        )
        ec2 = self._ec2(ref)
        if was["snapshot"] and not log.did("snapshot-completed"):
            snap = log.value("snapshot_id") or self._snapshot_for(ec2, log.key) or ""
            if not snap:
                snap = self._call(
                    f"snapshot {ref.id}",
                    lambda: ec2.create_snapshot(
                        VolumeId=ref.id,
                        Description=f"lepton apply: before deleting {ref.id}",
                        TagSpecifications=[_step_tags(log.key)],
                    )["SnapshotId"],
                )
            log.mark("snapshot", snapshot_id=snap)
            self._call(
                f"wait for snapshot {snap}",
                lambda: self._wait(ec2, "snapshot_completed", o, SnapshotIds=[snap]),
            )
            log.mark("snapshot-completed", snapshot_id=snap)
        if live is not None:
            self._call(f"delete {ref.id}", lambda: ec2.delete_volume(VolumeId=ref.id))
        log.mark("deleted")

    def _snapshot_for(self, ec2: Any, key: str) -> str | None:
        """The snapshot an interrupted run took for this step (found by its tag)."""
        filters = [{"Name": f"tag:{STEP_TAG}", "Values": [key]}]
        snaps = self._call(
            "look for an earlier snapshot",
            lambda: ec2.describe_snapshots(OwnerIds=["self"], Filters=filters)["Snapshots"],
        )
        return str(snaps[0]["SnapshotId"]) if snaps else None

    def _release(
        self, _step: ExecStep, ref: ResourceRef, live: Live | None, log: StepLog, _o: RunOptions
    ) -> None:
        details = live.details if live else {}
        log.intent(
            ip=details.get("ip"),
            association=details.get("association"),
            attached_to=live.attached_to if live else None,
            note="a released address cannot be had back",
        )
        if live is None:
            return
        ec2 = self._ec2(ref)
        association = details.get("association")
        if association and not log.did("disassociated"):
            self._call(
                f"disassociate {ref.id}",
                lambda: ec2.disassociate_address(AssociationId=association),
            )
            log.mark("disassociated")
        _name, fn, kwargs = self._release_call(ec2, live)
        self._call(f"release {ref.id}", lambda: fn(**kwargs))

    def _delete_snapshot(
        self, _step: ExecStep, ref: ResourceRef, live: Live | None, log: StepLog, _o: RunOptions
    ) -> None:
        log.intent(volume=live.details.get("volume") if live else None)
        if live is not None:
            ec2 = self._ec2(ref)
            self._call(f"delete {ref.id}", lambda: ec2.delete_snapshot(SnapshotId=ref.id))

    # ------------------------------------------------------------ rollback

    def rollback(self, op: str, ref: ResourceRef, log: StepLog, options: RunOptions) -> str:
        was = log.intent()
        if op == StepOp.RESIZE and (log.did("resized") or log.did("stopped")):
            self._set_type(ref, was["type"], bool(was["running"]), log, options, "rollback-")
            return f"{ref.id}: type {was['type']} restored"
        if op == StepOp.STOP and log.did("stopped"):
            ec2 = self._ec2(ref)
            self._call(f"start {ref.id}", lambda: ec2.start_instances(InstanceIds=[ref.id]))
            return f"{ref.id}: started again"
        if op == StepOp.DELETE_VOLUME and log.did("deleted"):
            return self._recreate(ref, was, log, options)
        if op in (StepOp.RESIZE, StepOp.STOP, StepOp.DELETE_VOLUME):
            return f"{ref.id}: nothing had changed"
        raise CannotUndo(f"{ref.id}: {op} cannot be undone", hint=was.get("note"))

    def _recreate(self, ref: ResourceRef, was: dict[str, Any], log: StepLog, o: RunOptions) -> str:
        snap = log.value("snapshot_id")
        if not snap:
            raise CannotUndo(f"{ref.id}: deleted without a snapshot (--no-snapshot)", hint=None)
        ec2 = self._ec2(ref)
        volume = log.value("volume_id")
        if not volume:
            kwargs: dict[str, Any] = {
                "SnapshotId": snap,
                "AvailabilityZone": was["zone"],
                "VolumeType": was["volume_type"],
            }
            if was.get("iops") and was["volume_type"] in ("io1", "io2", "gp3"):
                kwargs["Iops"] = was["iops"]
            restored = [{"Key": k, "Value": v} for k, v in (was.get("tags") or {}).items()]
            if restored:
                kwargs["TagSpecifications"] = [{"ResourceType": "volume", "Tags": restored}]
            volume = self._call(
                f"recreate {ref.id} from {snap}", lambda: ec2.create_volume(**kwargs)["VolumeId"]
            )
            log.mark("rollback-created", volume_id=volume)
        self._call(
            f"wait for {volume}", lambda: self._wait(ec2, "volume_available", o, VolumeIds=[volume])
        )
        return f"{ref.id}: recreated as {volume} from {snap}"


def _step_tags(key: str) -> dict[str, Any]:
    return {"ResourceType": "snapshot", "Tags": [{"Key": STEP_TAG, "Value": key}]}
