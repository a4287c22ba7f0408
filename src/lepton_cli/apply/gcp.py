"""Google Cloud: Compute Engine instances, persistent disks and snapshots, static addresses.

An instance is resized stopped (stop -> setMachineType -> start), after checking that the
machine type exists in its zone; every call returns an operation, waited on with a bound.
Compute Engine has no dry run: the checks read the resource, which proves read access.
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
from lepton_cli.providers.gcp.config import GcpConfig

HINT = "grant the write roles in docs/gcp.md to the identity lepton uses"
STOPPED = frozenset({"TERMINATED", "STOPPED", "STOPPING", "SUSPENDED", "SUSPENDING"})


def _parts(link: str) -> tuple[str, str, str, str]:
    """(project, zone or region or "global", collection, name) of a self link."""
    bits = link.split("/projects/", 1)[-1].split("/")
    project, name, collection = bits[0], bits[-1], bits[-2]
    where = bits[2] if len(bits) >= 5 else "global"
    return project, where, collection, name


def _last(url: str) -> str:
    return url.rsplit("/", 1)[-1]


CALLS = Calls(
    terminate=("instances.delete {rid}",),
    stop=("instances.stop {rid}",),
    start=("instances.start {rid}",),
    resize="instances.setMachineType {rid} machineType={to}",
    snapshot=("disks.createSnapshot {rid}",),
    delete_volume="disks.delete {rid}",
    release_address="addresses.delete {rid}",
    delete_snapshot="snapshots.delete {rid}",
)


class GcpExecutor:
    provider = "gcp"

    def __init__(self, config: GcpConfig) -> None:
        self.config = config
        self._clients: dict[str, Any] = {}
        self._credentials: Any = None

    def _client(self, kind: str) -> Any:
        from google.cloud import compute_v1

        from lepton_cli.providers.gcp.clients import default_credentials

        if kind not in self._clients:
            if self._credentials is None:
                self._credentials = default_credentials()[0]
            endpoint = self.config.endpoints.compute
            classes = {
                "instances": compute_v1.InstancesClient,
                "disks": compute_v1.DisksClient,
                "snapshots": compute_v1.SnapshotsClient,
                "addresses": compute_v1.AddressesClient,
                "machine_types": compute_v1.MachineTypesClient,
            }
            self._clients[kind] = classes[kind](
                credentials=self._credentials,
                transport="rest",
                client_options={"api_endpoint": endpoint} if endpoint else {},
            )
        return self._clients[kind]

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        from lepton_cli.providers.gcp.clients import describe, hint_for, sdk_errors

        try:
            return fn()
        except sdk_errors() as e:
            raise ProviderError(f"gcp: {what}: {describe(e)}", hint_for(e) or HINT) from e

    def _wait(self, operation: Any, options: RunOptions) -> None:
        try:
            operation.result(timeout=options.wait_seconds)
        except TimeoutError as e:  # concurrent.futures' TimeoutError is this one since 3.11
            raise ProviderError(
                f"gcp: gave up waiting after {options.wait_seconds:g} s",
                hint="check the resource in the console, then rerun with --resume to continue",
            ) from e

    # ------------------------------------------------------------ reading

    def read(self, ref: ResourceRef) -> Live | None:
        from google.api_core.exceptions import NotFound

        project, where, collection, name = _parts(ref.id)
        readers = {
            "instances": self._instance,
            "disks": self._disk,
            "snapshots": self._snapshot,
            "addresses": self._address,
        }
        try:
            return readers[collection](project, where, name, ref.id)
        except NotFound:
            return None
        except Exception as e:
            from lepton_cli.providers.gcp.clients import describe, sdk_errors

            if isinstance(e, sdk_errors()):
                raise ProviderError(f"gcp: cannot read {ref.id}: {describe(e)}", HINT) from e
            raise

    def _instance(self, project: str, zone: str, name: str, link: str) -> Live:
        i = self._client("instances").get(project=project, zone=zone, instance=name)
        state = ResourceState.STOPPED if i.status in STOPPED else ResourceState.RUNNING
        spot = i.scheduling.provisioning_model == "SPOT" or bool(i.scheduling.preemptible)
        pricing = Pricing.SPOT if spot else Pricing.ON_DEMAND
        details = {"project": project, "zone": zone, "name": name}
        return Live(
            link, _last(i.machine_type), state, i.status, pricing, dict(i.labels), None, details
        )

    def _disk(self, project: str, zone: str, name: str, link: str) -> Live:
        d = self._client("disks").get(project=project, zone=zone, disk=name)
        users = list(d.users)
        state = ResourceState.UNATTACHED
        if users:  # as the scan reports it: stopped when every instance using it is stopped
            owners = [self.read(ResourceRef(id=u, provider="gcp")) for u in users]
            stopped = all(o is None or o.state is ResourceState.STOPPED for o in owners)
            state = ResourceState.STOPPED if stopped else ResourceState.RUNNING
        details = {
            "project": project,
            "zone": zone,
            "name": name,
            "size": d.size_gb,
            "disk_type": d.type_,
        }
        return Live(
            link,
            _last(d.type_),
            state,
            d.status,
            None,
            dict(d.labels),
            users[0] if users else None,
            details,
        )

    def _snapshot(self, project: str, _where: str, name: str, link: str) -> Live:
        s = self._client("snapshots").get(project=project, snapshot=name)
        return Live(
            link,
            "snapshot",
            ResourceState.UNATTACHED,
            s.status,
            None,
            dict(s.labels),
            None,
            {"project": project, "name": name},
        )

    def _address(self, project: str, region: str, name: str, link: str) -> Live:
        a = self._client("addresses").get(project=project, region=region, address=name)
        users = list(a.users)
        state = ResourceState.RUNNING if users else ResourceState.UNATTACHED
        return Live(
            link,
            "static-external-ip",
            state,
            a.status,
            None,
            dict(a.labels),
            users[0] if users else None,
            {"project": project, "region": region},
        )

    def count_running(self, workload: str, account: str, region: str) -> int:
        from google.cloud import compute_v1

        request = compute_v1.AggregatedListInstancesRequest(
            project=account, filter=f'labels.workload = "{workload}"'
        )
        pages = self._call(
            f"count the instances of {workload}",
            lambda: list(self._client("instances").aggregated_list(request=request)),
        )
        return sum(
            1
            for scope, scoped in pages
            if not region or scope.removeprefix("zones/").startswith(region + "-")
            for i in scoped.instances
            if i.status in ("RUNNING", "PROVISIONING", "STAGING")
            and i.labels.get("workload") == workload
        )

    # ------------------------------------------------------------ checks

    def refusal(self, step: ExecStep, live: Live) -> str | None:
        from google.api_core.exceptions import NotFound

        if step.op is StepOp.RELEASE_ADDRESS and live.attached_to:
            return f"{live.id}: still used by {live.attached_to}"
        if step.op is not StepOp.RESIZE or step.to is None or not step.to.type:
            return None
        project, zone, target = live.details["project"], live.details["zone"], step.to.type
        client = self._client("machine_types")
        try:
            self._call(
                f"check machine type {target} in {zone}",
                lambda: client.get(project=project, zone=zone, machine_type=target),
            )
        except ProviderError as e:
            if isinstance(e.__cause__, NotFound):
                return f"{live.id}: machine type {target} is not available in {zone}"
            raise
        return None

    def prove(self, _step: ExecStep, _live: Live) -> str:
        return "no dry run in Compute Engine: read access checked"

    def calls(self, step: ExecStep, live: Live | None, options: RunOptions) -> list[str]:
        return CALLS.of(step, live, options)

    # ------------------------------------------------------------ running

    def run(self, step: ExecStep, live: Live | None, log: StepLog, options: RunOptions) -> None:
        ref = step.target
        live = live or self.read(ref)
        if step.op is StepOp.RESIZE:
            if live is None:
                raise ProviderError(f"gcp: {ref.id} no longer exists", hint=None)
            was = log.intent(type=live.type, running=live.state is ResourceState.RUNNING)
            target = (step.to and step.to.type) or ""
            self._set_type(ref.id, target, bool(was["running"]), log, options, "")
        elif step.op is StepOp.STOP:
            log.intent(power=live.power if live else "TERMINATED")
            if live is not None and live.power not in STOPPED:
                self._stop(ref.id, log, options, "")
        elif step.op is StepOp.DELETE_VOLUME:
            self._delete_disk(ref.id, live, log, options)
        else:
            self._delete_other(step.op, ref.id, live, log, options)

    def _stop(self, link: str, log: StepLog, o: RunOptions, tag: str) -> None:
        project, zone, _, name = _parts(link)
        client = self._client("instances")
        self._call(
            f"stop {name}",
            lambda: self._wait(client.stop(project=project, zone=zone, instance=name), o),
        )
        log.mark(f"{tag}stopped")

    def _set_type(
        self, link: str, target: str, restart: bool, log: StepLog, o: RunOptions, tag: str
    ) -> None:
        from google.cloud import compute_v1

        project, zone, _, name = _parts(link)
        client = self._client("instances")
        current = self._instance(project, zone, name, link)
        if current.type != target:
            if current.power not in ("TERMINATED", "STOPPED"):
                self._stop(link, log, o, tag)
            body = compute_v1.InstancesSetMachineTypeRequest(
                machine_type=f"zones/{zone}/machineTypes/{target}"
            )
            self._call(
                f"set the machine type of {name} to {target}",
                lambda: self._wait(
                    client.set_machine_type(
                        project=project,
                        zone=zone,
                        instance=name,
                        instances_set_machine_type_request_resource=body,
                    ),
                    o,
                ),
            )
            log.mark(f"{tag}resized", type=target)
        if restart and not log.did(f"{tag}started"):
            self._call(
                f"start {name}",
                lambda: self._wait(client.start(project=project, zone=zone, instance=name), o),
            )
            log.mark(f"{tag}started")

    def _delete_disk(self, link: str, live: Live | None, log: StepLog, o: RunOptions) -> None:
        from google.cloud import compute_v1

        details = live.details if live else {}
        was = log.intent(
            size=details.get("size"),
            disk_type=details.get("disk_type"),
            labels=live.tags if live else {},
            snapshot=o.snapshot,
        )
        project, zone, _, name = _parts(link)
        disks = self._client("disks")
        if was["snapshot"] and not log.did("snapshot-completed"):
            snap = f"{name}-lepton-{log.key.split('/')[0]}".lower()[:63].rstrip("-")
            body = compute_v1.Snapshot(name=snap, labels={"lepton-apply": "true"})
            if not self._exists(project, snap):  # taken by a run that crashed before noting it
                self._call(
                    f"snapshot {name}",
                    lambda: self._wait(
                        disks.create_snapshot(
                            project=project, zone=zone, disk=name, snapshot_resource=body
                        ),
                        o,
                    ),
                )
            log.mark(
                "snapshot-completed", snapshot_id=f"projects/{project}/global/snapshots/{snap}"
            )
        if live is not None:
            self._call(
                f"delete {name}",
                lambda: self._wait(disks.delete(project=project, zone=zone, disk=name), o),
            )
        log.mark("deleted")

    def _exists(self, project: str, snapshot: str) -> bool:
        link = f"projects/{project}/global/snapshots/{snapshot}"
        return self.read(ResourceRef(id=link, provider="gcp", account=project)) is not None

    def _delete_other(
        self, op: StepOp, link: str, live: Live | None, log: StepLog, o: RunOptions
    ) -> None:
        project, where, _, name = _parts(link)
        notes = {
            StepOp.TERMINATE: "a deleted instance cannot return",
            StepOp.RELEASE_ADDRESS: "a released address cannot be had back",
            StepOp.DELETE_SNAPSHOT: "a deleted snapshot cannot return",
        }
        log.intent(type=live.type if live else None, note=notes.get(op, ""))
        if live is None:
            return
        deleters: dict[StepOp, Callable[[], Any]] = {
            StepOp.TERMINATE: lambda: self._client("instances").delete(
                project=project, zone=where, instance=name
            ),
            StepOp.RELEASE_ADDRESS: lambda: self._client("addresses").delete(
                project=project, region=where, address=name
            ),
            StepOp.DELETE_SNAPSHOT: lambda: self._client("snapshots").delete(
                project=project, snapshot=name
            ),
        }
        self._call(f"delete {name}", lambda: self._wait(deleters[op](), o))

    # ------------------------------------------------------------ rollback

    def rollback(self, op: str, ref: ResourceRef, log: StepLog, options: RunOptions) -> str:
        was = log.intent()
        if op == StepOp.RESIZE and (log.did("resized") or log.did("stopped")):
            self._set_type(ref.id, was["type"], bool(was["running"]), log, options, "rollback-")
            return f"{ref.id}: machine type {was['type']} restored"
        if op == StepOp.STOP and log.did("stopped"):
            project, zone, _, name = _parts(ref.id)
            client = self._client("instances")
            self._call(
                f"start {name}",
                lambda: self._wait(
                    client.start(project=project, zone=zone, instance=name), options
                ),
            )
            return f"{ref.id}: started again"
        if op == StepOp.DELETE_VOLUME and log.did("deleted"):
            return self._recreate(ref.id, was, log, options)
        if op in (StepOp.RESIZE, StepOp.STOP, StepOp.DELETE_VOLUME):
            return f"{ref.id}: nothing had changed"
        raise CannotUndo(f"{ref.id}: {op} cannot be undone", hint=was.get("note"))

    def _recreate(self, link: str, was: dict[str, Any], log: StepLog, o: RunOptions) -> str:
        from google.cloud import compute_v1

        snap = log.value("snapshot_id")
        if not snap:
            raise CannotUndo(f"{link}: deleted without a snapshot (--no-snapshot)", hint=None)
        project, zone, _, name = _parts(link)
        disk = compute_v1.Disk(
            name=name,
            source_snapshot=snap,
            size_gb=was.get("size"),
            type_=was.get("disk_type"),
            labels=was.get("labels") or {},
        )
        disks = self._client("disks")
        self._call(
            f"recreate {name} from {snap}",
            lambda: self._wait(disks.insert(project=project, zone=zone, disk_resource=disk), o),
        )
        return f"{link}: recreated from {snap}"
