"""Waste findings: what is paid for and does nothing, and what removing it saves a month.

Four rules, each a pure function of a resource and the settings:
- idle compute: running, cpu_p95 under ``idle_threshold`` measured over >= ``idle_min_days``;
- stopped compute still paying: its own run-rate (an Azure VM stopped but not deallocated still
  bills) plus the disks and addresses attached to it, as one finding per instance;
- unattached volumes, and old snapshots (providers report only snapshots past their age limit);
- unattached addresses.
A resource's ``hourly_cost`` is what it costs in its current state (a stopped EC2 instance: 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from lepton_cli.models import Inventory, Resource, ResourceKind, ResourceState


class FindingKind(StrEnum):
    IDLE_COMPUTE = "idle-compute"
    STOPPED_PAYING = "stopped-instance-paying"
    UNATTACHED_VOLUME = "unattached-volume"
    OLD_SNAPSHOT = "old-snapshot"
    UNATTACHED_ADDRESS = "unattached-address"


class IdleRule(Protocol):
    """What the rules read: the settings, or the optimizer's problem options."""

    @property
    def idle_threshold(self) -> float: ...

    @property
    def idle_min_days(self) -> int: ...


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    resource: Resource
    reason: str
    monthly_saving: Decimal


def is_idle(resource: Resource, settings: IdleRule) -> bool:
    """Running compute whose cpu_p95 stayed under the idle threshold for long enough to know."""
    u = resource.utilization
    return (
        resource.kind is ResourceKind.COMPUTE
        and resource.state is ResourceState.RUNNING
        and u is not None
        and u.cpu_p95 is not None
        and u.cpu_p95 < settings.idle_threshold
        and (u.days or 0) >= settings.idle_min_days
    )


def _idle(r: Resource, s: IdleRule) -> Finding | None:
    if not is_idle(r, s) or r.utilization is None:
        return None
    u = r.utilization
    reason = f"cpu_p95 {u.cpu_p95 or 0:.1%} < {s.idle_threshold:.0%} over {u.days} days"
    return Finding(FindingKind.IDLE_COMPUTE, r, reason, r.monthly_cost)


def _stopped(r: Resource, attached: list[Resource]) -> Finding | None:
    if r.kind is not ResourceKind.COMPUTE or r.state is not ResourceState.STOPPED:
        return None
    saving = r.monthly_cost + sum((a.monthly_cost for a in attached), Decimal(0))
    if saving <= 0:
        return None
    disks = [a for a in attached if a.kind is ResourceKind.STORAGE]
    size = sum(d.size_gib or 0 for d in disks)
    reason = f"stopped, still paying for {len(disks)} disk(s) ({size:g} GiB)"
    if r.monthly_cost > 0:
        reason = f"stopped but still billed, and for {len(disks)} disk(s) ({size:g} GiB)"
    return Finding(FindingKind.STOPPED_PAYING, r, reason, saving)


def _volume(r: Resource) -> Finding | None:
    if r.kind is not ResourceKind.STORAGE or r.state is not ResourceState.UNATTACHED:
        return None
    if r.monthly_cost <= 0:
        return None
    if r.resource_type and r.resource_type.endswith("snapshot"):
        since = f" from {r.created_at:%Y-%m-%d}" if r.created_at else ""
        return Finding(FindingKind.OLD_SNAPSHOT, r, f"old snapshot{since}", r.monthly_cost)
    return Finding(FindingKind.UNATTACHED_VOLUME, r, "not attached to anything", r.monthly_cost)


def _address(r: Resource) -> Finding | None:
    if r.kind is not ResourceKind.NETWORK or r.state is not ResourceState.UNATTACHED:
        return None
    return Finding(FindingKind.UNATTACHED_ADDRESS, r, "address not associated", r.monthly_cost)


def findings(inventory: Inventory, settings: IdleRule) -> list[Finding]:
    """Every finding, largest saving first (ties by resource id, so output is stable)."""
    attached: dict[str, list[Resource]] = {}
    for r in inventory.resources:
        if r.attached_to:  # ARM ids differ in case between a disk's managedBy and the VM's id
            attached.setdefault(r.attached_to.lower(), []).append(r)
    found = [
        f
        for r in inventory.resources
        if not r.protected
        for f in (
            _idle(r, settings),
            _stopped(r, attached.get(r.id.lower(), [])),
            _volume(r),
            _address(r),
        )
        if f
    ]
    return sorted(found, key=lambda f: (-f.monthly_saving, f.resource.id, f.kind.value))
