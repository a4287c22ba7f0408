"""Azure: virtual machines, managed disks and snapshots, public IP addresses.

A VM is resized deallocated (deallocate -> update size -> start), after checking that the size
is among those available for that VM (``virtualMachines/{vm}/vmSizes``); "stop" deallocates,
since a VM that is only powered off still bills its compute. Azure has no dry run: the checks
read the resource, which proves read access; write access shows at the first call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lepton_cli.apply.executor import Calls, CannotUndo, Live, RunOptions
from lepton_cli.apply.journal import StepLog
from lepton_cli.apply.steps import ExecStep
from lepton_cli.errors import ProviderError
from lepton_cli.models import Pricing, ResourceState
from lepton_cli.plan.model import ResourceRef, StepOp
from lepton_cli.providers.azure.clients import AzureClients
from lepton_cli.providers.azure.config import AzureConfig
from lepton_cli.providers.azure.normalize import text

HINT = "grant the write roles in docs/azure.md to the identity lepton uses"
STOPPED = ("deallocated", "stopped", "deallocating", "stopping")


def _parts(resource_id: str) -> tuple[str, str, str, str]:
    """(subscription, resource group, type, name) of an ARM id."""
    bits = resource_id.strip("/").split("/")
    low = [b.lower() for b in bits]
    sub = bits[low.index("subscriptions") + 1]
    group = bits[low.index("resourcegroups") + 1]
    return sub, group, bits[-2].lower(), bits[-1]


def _power(vm: Any) -> str:
    statuses = vm.instance_view.statuses if vm.instance_view else []
    for s in statuses or []:
        if s.code and s.code.startswith("PowerState/"):
            return str(s.code.split("/", 1)[1])
    return "unknown"


CALLS = Calls(
    terminate=("virtualMachines.delete {rid}",),
    stop=("virtualMachines.deallocate {rid}",),
    start=("virtualMachines.start {rid}",),
    resize="virtualMachines.update {rid} vmSize={to}",
    snapshot=("snapshots.createOrUpdate (copy of {rid})",),
    delete_volume="disks.delete {rid}",
    release_address="publicIPAddresses.delete {rid}",
    delete_snapshot="snapshots.delete {rid}",
)


class AzureExecutor:
    provider = "azure"

    def __init__(self, config: AzureConfig) -> None:
        self.clients = AzureClients(config)
        self.wait_seconds = RunOptions().wait_seconds  # set from the run's options

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        from azure.core.exceptions import AzureError

        try:
            return fn()
        except AzureError as e:
            message = getattr(e, "message", None) or type(e).__name__
            raise ProviderError(f"azure: {what}: {message.splitlines()[0]}", HINT) from e

    def _compute(self, rid: str) -> Any:
        return self.clients.compute(_parts(rid)[0])

    def _network(self, rid: str) -> Any:
        return self.clients.network(_parts(rid)[0])

    # ------------------------------------------------------------ reading

    def read(self, ref: ResourceRef) -> Live | None:
        from azure.core.exceptions import ResourceNotFoundError

        _sub, _group, kind, _name = _parts(ref.id)
        readers = {
            "virtualmachines": self._vm,
            "disks": self._disk,
            "snapshots": self._snapshot,
            "publicipaddresses": self._address,
        }
        try:
            live: Live = self._call(f"cannot read {ref.id}", lambda: readers[kind](ref.id))
            return live
        except ProviderError as e:
            if isinstance(e.__cause__, ResourceNotFoundError):
                return None
            raise

    def _vm(self, rid: str) -> Live:
        _, group, _, name = _parts(rid)
        vm = self._compute(rid).virtual_machines.get(group, name, expand="instanceView")
        power = _power(vm)
        state = ResourceState.STOPPED if power in STOPPED else ResourceState.RUNNING
        spot = text(vm.priority or "") in ("Spot", "Low")
        pricing = Pricing.SPOT if spot else Pricing.ON_DEMAND
        size = vm.hardware_profile.vm_size if vm.hardware_profile else None
        return Live(rid, size, state, power, pricing, dict(vm.tags or {}), None, {})

    def _disk(self, rid: str) -> Live:
        _, group, _, name = _parts(rid)
        disk = self._compute(rid).disks.get(group, name)
        state = ResourceState.UNATTACHED
        if disk.managed_by:  # as the scan reports it: stopped with a deallocated VM
            owner = self.read(ResourceRef(id=disk.managed_by, provider="azure"))
            stopped = owner is None or owner.state is ResourceState.STOPPED
            state = ResourceState.STOPPED if stopped else ResourceState.RUNNING
        details = {
            "location": disk.location,
            "sku": disk.sku.name if disk.sku else None,
            "size": disk.disk_size_gb,
            "zones": list(disk.zones or []),
        }
        power = text(disk.disk_state or "")
        return Live(
            rid, details["sku"], state, power, None, dict(disk.tags or {}), disk.managed_by, details
        )

    def _snapshot(self, rid: str) -> Live:
        _, group, _, name = _parts(rid)
        snap = self._compute(rid).snapshots.get(group, name)
        return Live(
            rid,
            "snapshot",
            ResourceState.UNATTACHED,
            "snapshot",
            None,
            dict(snap.tags or {}),
            None,
            {"size": snap.disk_size_gb},
        )

    def _address(self, rid: str) -> Live:
        _, group, _, name = _parts(rid)
        ip = self._network(rid).public_ip_addresses.get(group, name)
        attached = ip.ip_configuration.id if ip.ip_configuration else None
        state = ResourceState.RUNNING if attached else ResourceState.UNATTACHED
        return Live(
            rid,
            "public-ip",
            state,
            "associated" if attached else "unassociated",
            None,
            dict(ip.tags or {}),
            attached,
            {"ip": ip.ip_address},
        )

    def count_running(self, workload: str, account: str, region: str) -> int:
        compute = self.clients.compute(account)
        vms = self._call(
            f"count the VMs of {workload}",
            lambda: list(compute.virtual_machines.list_all(status_only="true")),
        )
        wanted = region.replace(" ", "").lower()
        return sum(
            1
            for vm in vms
            if (vm.tags or {}).get("workload") == workload
            and (not wanted or vm.location.replace(" ", "").lower() == wanted)
            and _power(vm) in ("running", "starting")
        )

    # ------------------------------------------------------------ checks

    def refusal(self, step: ExecStep, live: Live) -> str | None:
        if step.op is StepOp.RELEASE_ADDRESS and live.attached_to:
            return f"{live.id}: still associated with {live.attached_to}"
        if step.op is not StepOp.RESIZE or step.to is None:
            return None
        _, group, _, name = _parts(live.id)
        compute = self._compute(live.id)
        sizes = self._call(
            f"list the sizes available for {name}",
            lambda: [s.name for s in compute.virtual_machines.list_available_sizes(group, name)],
        )
        if step.to.type not in sizes:
            return f"{live.id}: size {step.to.type} is not available for this VM"
        return None

    def prove(self, _step: ExecStep, _live: Live) -> str:
        return "no dry run in Azure: read access checked"

    def calls(self, step: ExecStep, live: Live | None, options: RunOptions) -> list[str]:
        return CALLS.of(step, live, options)

    # ------------------------------------------------------------ running

    def run(self, step: ExecStep, live: Live | None, log: StepLog, options: RunOptions) -> None:
        ref = step.target
        self.wait_seconds = options.wait_seconds
        live = live or self.read(ref)
        if step.op is StepOp.RESIZE:
            if live is None:
                raise ProviderError(f"azure: {ref.id} no longer exists", hint=None)
            was = log.intent(type=live.type, running=live.state is ResourceState.RUNNING)
            self._set_size(ref.id, (step.to and step.to.type) or "", was["running"], log, "")
        elif step.op is StepOp.STOP:
            log.intent(power=live.power if live else "deallocated")
            if live is not None and live.power not in STOPPED:
                self._deallocate(ref.id, log, "")
        elif step.op is StepOp.DELETE_VOLUME:
            self._delete_disk(ref.id, live, log, options)
        else:
            self._delete_other(step.op, ref.id, live, log)

    def _wait(self, poller: Any) -> Any:
        """The operation's result, waiting at most ``wait_seconds`` (azure-core's ``result``
        returns None on a timeout instead of raising)."""
        result = poller.result(timeout=self.wait_seconds)
        if not poller.done():
            raise ProviderError(
                f"azure: gave up waiting after {self.wait_seconds:g} s",
                hint="check the resource in the portal, then rerun with --resume to continue",
            )
        return result

    def _deallocate(self, rid: str, log: StepLog, tag: str) -> None:
        _, group, _, name = _parts(rid)
        vms = self._compute(rid).virtual_machines
        self._call(f"deallocate {name}", lambda: self._wait(vms.begin_deallocate(group, name)))
        log.mark(f"{tag}stopped")

    def _set_size(self, rid: str, size: str, restart: bool, log: StepLog, tag: str) -> None:
        _, group, _, name = _parts(rid)
        vms = self._compute(rid).virtual_machines
        current = self._vm(rid)
        if current.type != size:
            if current.power not in ("deallocated", "stopped"):
                self._deallocate(rid, log, tag)
            update = {"properties": {"hardwareProfile": {"vmSize": size}}}  # the wire shape
            self._call(
                f"resize {name} to {size}",
                lambda: self._wait(vms.begin_update(group, name, update)),
            )
            log.mark(f"{tag}resized", type=size)
        if restart and not log.did(f"{tag}started"):
            self._call(f"start {name}", lambda: self._wait(vms.begin_start(group, name)))
            log.mark(f"{tag}started")

    def _delete_disk(self, rid: str, live: Live | None, log: StepLog, o: RunOptions) -> None:
        details = live.details if live else {}
        was = log.intent(**details, tags=live.tags if live else {}, snapshot=o.snapshot)
        _, group, _, name = _parts(rid)
        compute = self._compute(rid)
        if was["snapshot"] and not log.did("snapshot-completed"):
            snap_name = f"{name}-lepton-{log.key.split('/')[0]}"[:80]
            body = {
                "location": was["location"],
                "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": rid}},
                "tags": {"lepton:apply-step": log.key},
            }
            snap = self._call(
                f"snapshot {name}",
                lambda: self._wait(
                    compute.snapshots.begin_create_or_update(group, snap_name, body)
                ),
            )
            log.mark("snapshot-completed", snapshot_id=snap.id)
        if live is not None:
            self._call(
                f"delete {name}", lambda: self._wait(compute.disks.begin_delete(group, name))
            )
        log.mark("deleted")

    def _delete_other(self, op: StepOp, rid: str, live: Live | None, log: StepLog) -> None:
        _, group, _, name = _parts(rid)
        notes = {
            StepOp.TERMINATE: "a deleted VM cannot return",
            StepOp.RELEASE_ADDRESS: "a deleted address cannot be had back",
            StepOp.DELETE_SNAPSHOT: "a deleted snapshot cannot return",
        }
        log.intent(type=live.type if live else None, note=notes.get(op, ""))
        if live is None:
            return
        deleters = {
            StepOp.TERMINATE: lambda: self._compute(rid).virtual_machines.begin_delete(group, name),
            StepOp.RELEASE_ADDRESS: lambda: self._network(rid).public_ip_addresses.begin_delete(
                group, name
            ),
            StepOp.DELETE_SNAPSHOT: lambda: self._compute(rid).snapshots.begin_delete(group, name),
        }
        self._call(f"delete {name}", lambda: self._wait(deleters[op]()))

    # ------------------------------------------------------------ rollback

    def rollback(self, op: str, ref: ResourceRef, log: StepLog, options: RunOptions) -> str:
        self.wait_seconds = options.wait_seconds
        was = log.intent()
        if op == StepOp.RESIZE and (log.did("resized") or log.did("stopped")):
            self._set_size(ref.id, was["type"], bool(was["running"]), log, "rollback-")
            return f"{ref.id}: size {was['type']} restored"
        if op == StepOp.STOP and log.did("stopped"):
            _, group, _, name = _parts(ref.id)
            vms = self._compute(ref.id).virtual_machines
            self._call(f"start {name}", lambda: self._wait(vms.begin_start(group, name)))
            return f"{ref.id}: started again"
        if op == StepOp.DELETE_VOLUME and log.did("deleted"):
            return self._recreate(ref.id, was, log)
        if op in (StepOp.RESIZE, StepOp.STOP, StepOp.DELETE_VOLUME):
            return f"{ref.id}: nothing had changed"
        raise CannotUndo(f"{ref.id}: {op} cannot be undone", hint=was.get("note"))

    def _recreate(self, rid: str, was: dict[str, Any], log: StepLog) -> str:
        snap = log.value("snapshot_id")
        if not snap:
            raise CannotUndo(f"{rid}: deleted without a snapshot (--no-snapshot)", hint=None)
        _, group, _, name = _parts(rid)
        disk: dict[str, Any] = {
            "location": was["location"],
            "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": snap}},
            "tags": was.get("tags") or {},
        }
        if was.get("sku"):
            disk["sku"] = {"name": was["sku"]}
        if was.get("zones"):
            disk["zones"] = was["zones"]
        compute = self._compute(rid)
        self._call(
            f"recreate {name} from its snapshot",
            lambda: self._wait(compute.disks.begin_create_or_update(group, name, disk)),
        )
        return f"{rid}: recreated from {snap}"
