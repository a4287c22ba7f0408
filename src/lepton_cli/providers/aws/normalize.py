"""Raw EC2 / Savings Plans pages -> Resource. Pure functions: no client, no network.

Owned commitments (reserved instances, savings plans) are Resources of kind ``other`` with
pricing ``reserved`` and no vCPUs, so they never count as capacity to place workloads on.
A reserved instance's cost is split so nothing is counted twice: each running instance it covers
is priced ``reserved`` at the reservation's effective hourly rate, and the reservation itself
keeps only the cost of its unused part. A savings plan carries its hourly commitment; the
instances it covers stay priced on-demand (its per-type discount is not applied).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lepton_cli.models import Resource, Utilization
from lepton_cli.models.resource import Pricing, ResourceKind, ResourceState
from lepton_cli.providers.aws.prices import (
    ELASTIC_IP_HOURLY,
    RegionPrices,
    TypeSpec,
    arch_of,
    platform_of,
)

_STATES = {
    "pending": ResourceState.RUNNING,
    "running": ResourceState.RUNNING,
    "stopping": ResourceState.STOPPED,
    "stopped": ResourceState.STOPPED,
}


def tags(raw: dict[str, Any]) -> dict[str, str]:
    """EC2's ``[{"Key", "Value"}]`` tag list as a mapping."""
    return {t["Key"]: t.get("Value", "") for t in raw.get("Tags") or []}


def live_state(instance: dict[str, Any]) -> ResourceState | None:
    """running | stopped, or None for a terminated / shutting-down instance."""
    return _STATES.get(instance["State"]["Name"])


def instance_pricing(instance: dict[str, Any]) -> Pricing:
    return Pricing.SPOT if instance.get("InstanceLifecycle") == "spot" else Pricing.ON_DEMAND


def instance_hourly(instance: dict[str, Any], prices: RegionPrices) -> Decimal:
    """What the instance bills per hour now: nothing when stopped, else spot or on-demand at
    its platform's rate (a Windows instance at the Windows rate). A platform whose price is
    unknown falls back to the Linux rate, its floor."""
    if live_state(instance) is not ResourceState.RUNNING:
        return Decimal(0)
    type_, zone = instance["InstanceType"], instance.get("Placement", {}).get("AvailabilityZone")
    tables = [prices.of(platform_of(instance).name), prices]
    if instance_pricing(instance) is Pricing.SPOT:
        spot = next((p for t in tables if (p := t.spot_price(type_, zone)) is not None), None)
        if spot is not None:
            return spot
    return next((t.on_demand[type_] for t in tables if type_ in t.on_demand), Decimal(0))


def instance_arch(instance: dict[str, Any], spec: TypeSpec | None) -> str:
    """The type's architecture (DescribeInstanceTypes), else the instance's own."""
    if spec is not None:
        return spec.arch
    return arch_of([str(instance.get("Architecture") or "x86_64")])


def instance(
    raw: dict[str, Any],
    account: str,
    region: str,
    spec: TypeSpec | None,
    prices: RegionPrices,
    usage: Utilization | None,
    reserved_rate: Decimal | None = None,
) -> Resource:
    """One DescribeInstances entry -> an ``aws.ec2-instance`` Resource; ``reserved_rate`` is
    the hourly rate of the reserved instance covering it, if one does (see ``cover``)."""
    labels = tags(raw)
    pricing = Pricing.RESERVED if reserved_rate is not None else instance_pricing(raw)
    hourly = reserved_rate if reserved_rate is not None else instance_hourly(raw, prices)
    return Resource(
        id=raw["InstanceId"],
        provider="aws",
        account=account,
        region=region,
        zone=raw.get("Placement", {}).get("AvailabilityZone"),
        kind=ResourceKind.COMPUTE,
        resource_type="aws.ec2-instance",
        type=raw["InstanceType"],
        pricing=pricing,
        hourly_cost=hourly,
        vcpus=spec.vcpus if spec else None,
        memory_gib=spec.memory_gib if spec else None,
        arch=instance_arch(raw, spec),
        platform=platform_of(raw).name,
        gpus=spec.gpus if spec else None,
        gpu_model=spec.gpu_model if spec else None,
        utilization=usage,
        state=live_state(raw) or ResourceState.STOPPED,
        created_at=raw.get("LaunchTime"),
        tags=labels,
    )


def volume(
    raw: dict[str, Any],
    account: str,
    region: str,
    prices: RegionPrices,
    stopped: set[str],
) -> Resource:
    """One DescribeVolumes entry -> ``aws.ebs-volume``; unattached, or stopped with its
    instance (``stopped`` holds the ids of stopped instances)."""
    attached = next((a["InstanceId"] for a in raw.get("Attachments") or []), None)
    if attached is None:
        state = ResourceState.UNATTACHED
    else:
        state = ResourceState.STOPPED if attached in stopped else ResourceState.RUNNING
    size = int(raw["Size"])
    return Resource(
        id=raw["VolumeId"],
        provider="aws",
        account=account,
        region=region,
        zone=raw.get("AvailabilityZone"),
        kind=ResourceKind.STORAGE,
        resource_type="aws.ebs-volume",
        type=raw.get("VolumeType", "gp2"),
        hourly_cost=prices.gb_hour(raw.get("VolumeType", "gp2")) * size,
        size_gib=size,
        state=state,
        attached_to=attached,
        created_at=raw.get("CreateTime"),
        tags=tags(raw),
    )


def elastic_ip(raw: dict[str, Any], account: str, region: str) -> Resource:
    """An Elastic IP associated with nothing: billed at the public IPv4 rate for nothing."""
    return Resource(
        id=raw.get("AllocationId") or raw["PublicIp"],
        provider="aws",
        account=account,
        region=region,
        kind=ResourceKind.NETWORK,
        resource_type="aws.elastic-ip",
        type="elastic-ip",
        hourly_cost=ELASTIC_IP_HOURLY,
        state=ResourceState.UNATTACHED,
        tags=tags(raw),
    )


def snapshot(raw: dict[str, Any], account: str, region: str, prices: RegionPrices) -> Resource:
    """An old snapshot, costed at its source volume's size: an upper bound, since snapshots
    are incremental and EC2 does not report the bytes each one holds."""
    size = int(raw.get("VolumeSize") or 0)
    return Resource(
        id=raw["SnapshotId"],
        provider="aws",
        account=account,
        region=region,
        kind=ResourceKind.STORAGE,
        resource_type="aws.ebs-snapshot",
        type="snapshot",
        hourly_cost=prices.snapshot_gb_hour() * size,
        size_gib=size,
        state=ResourceState.UNATTACHED,
        attached_to=raw.get("VolumeId"),
        created_at=raw.get("StartTime"),
        tags=tags(raw),
    )


def reservation_rate(raw: dict[str, Any]) -> Decimal:
    """What one instance of a reservation costs an hour: its hourly charges (recurring and the
    legacy usage price) plus its upfront fee spread over the term."""
    hours = Decimal(int(raw.get("Duration") or 0)) / 3600
    upfront = Decimal(str(raw.get("FixedPrice") or 0)) / hours if hours else Decimal(0)
    recurring = sum(
        (
            Decimal(str(c.get("Amount", 0)))
            for c in raw.get("RecurringCharges") or []
            if c.get("Frequency") == "Hourly"
        ),
        Decimal(0),
    )
    return recurring + Decimal(str(raw.get("UsagePrice") or 0)) + upfront


@dataclass
class Coverage:
    """Which instances the reservations of one account and region cover."""

    rates: dict[str, Decimal] = field(default_factory=dict)  # instance id -> reserved rate
    used: dict[str, int] = field(default_factory=dict)  # reservation id -> instances covered


def _platform(text: str | None) -> str:
    """``Linux/UNIX (Amazon VPC)`` and ``Linux/UNIX`` alike, as one lower-case name."""
    return (text or "Linux/UNIX").lower().removesuffix(" (amazon vpc)")


def _coverable(raw: dict[str, Any]) -> bool:
    """Only running on-demand instances use a reservation (a stopped one leaves it idle)."""
    return live_state(raw) is ResourceState.RUNNING and instance_pricing(raw) is Pricing.ON_DEMAND


def _fits(ri: dict[str, Any], raw: dict[str, Any]) -> bool:
    """Same type, platform and tenancy; same zone too when the reservation is zonal."""
    placement = raw.get("Placement") or {}
    platform = raw.get("PlatformDetails") or ("Windows" if raw.get("Platform") else None)
    zone = ri.get("AvailabilityZone")
    return (
        ri["InstanceType"] == raw["InstanceType"]
        and _platform(ri.get("ProductDescription")) == _platform(platform)
        and ri.get("InstanceTenancy", "default") == placement.get("Tenancy", "default")
        and (not zone or zone == placement.get("AvailabilityZone"))
    )


def cover(instances: list[dict[str, Any]], reserved: list[dict[str, Any]]) -> Coverage:
    """Match each reservation to up to InstanceCount running on-demand instances of the same
    account and region that fit it. Zonal reservations go first (they fit fewer instances,
    as AWS applies them first); ties and instances go in id order, so a rerun matches alike."""
    out = Coverage()
    free = sorted((i for i in instances if _coverable(i)), key=lambda i: str(i["InstanceId"]))
    for ri in sorted(
        reserved, key=lambda r: (not r.get("AvailabilityZone"), r["ReservedInstancesId"])
    ):
        count = int(ri.get("InstanceCount") or 1)
        taken = [i for i in free if _fits(ri, i)][:count]
        rate = reservation_rate(ri)
        out.rates.update((i["InstanceId"], rate) for i in taken)
        out.used[ri["ReservedInstancesId"]] = len(taken)
        free = [i for i in free if i["InstanceId"] not in out.rates]
    return out


def reserved_instance(raw: dict[str, Any], account: str, region: str, used: int = 0) -> Resource:
    """An active reserved instance, costing only its unused part: the instances it covers
    (``used``, from ``cover``) carry its rate themselves."""
    count = int(raw.get("InstanceCount") or 1)
    used = min(used, count)
    labels = tags(raw) | {
        "instance_count": str(count),
        "instances_covered": str(used),
        "offering": str(raw.get("OfferingType", "")),
    }
    return Resource(
        id=raw["ReservedInstancesId"],
        provider="aws",
        account=account,
        region=region,
        zone=raw.get("AvailabilityZone"),
        kind=ResourceKind.OTHER,
        resource_type="aws.reserved-instance",
        type=raw["InstanceType"],
        pricing=Pricing.RESERVED,
        hourly_cost=reservation_rate(raw) * (count - used),
        created_at=raw.get("Start"),
        tags=labels,
    )


def savings_plan(raw: dict[str, Any], account: str) -> Resource:
    """An active savings plan: its hourly commitment (plus any upfront fee over the term).
    The instances it covers are priced on-demand: AWS discounts them by per-type rates that
    DescribeSavingsPlans does not give, so the plan's discount is not applied per instance."""
    seconds = Decimal(int(raw.get("termDurationInSeconds") or 0))
    upfront = Decimal(str(raw.get("upfrontPaymentAmount") or 0))
    hourly = Decimal(str(raw.get("commitment") or 0)) + (upfront * 3600 / seconds if seconds else 0)
    start = raw.get("start")
    return Resource(
        id=raw.get("savingsPlanArn") or raw["savingsPlanId"],
        provider="aws",
        account=account,
        region=raw.get("region") or "global",
        kind=ResourceKind.OTHER,
        resource_type="aws.savings-plan",
        type=str(raw.get("savingsPlanType", "Compute")),
        pricing=Pricing.RESERVED,
        hourly_cost=hourly,
        created_at=dt.datetime.fromisoformat(start.replace("Z", "+00:00")) if start else None,
        tags={str(k): str(v) for k, v in (raw.get("tags") or {}).items()},
    )
