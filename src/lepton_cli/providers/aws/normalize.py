"""Raw EC2 / Savings Plans pages -> Resource. Pure functions: no client, no network.

Owned commitments (reserved instances, savings plans) are Resources of kind ``other`` with
pricing ``reserved``: their hourly cost is what the commitment bills each hour whether used or
not, and they carry no vCPUs, so they never count as capacity to place workloads on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lepton_cli.models import Resource, Utilization
from lepton_cli.models.resource import Pricing, ResourceKind, ResourceState
from lepton_cli.providers.aws.prices import ELASTIC_IP_HOURLY, RegionPrices, TypeSpec

_STATES = {
    "pending": ResourceState.RUNNING,
    "running": ResourceState.RUNNING,
    "stopping": ResourceState.STOPPED,
    "stopped": ResourceState.STOPPED,
}
PLATFORM_TAG = "lepton:platform"  # set for non-Linux instances, priced at the Linux rate


def tags(raw: dict[str, Any]) -> dict[str, str]:
    """EC2's ``[{"Key", "Value"}]`` tag list as a mapping."""
    return {t["Key"]: t.get("Value", "") for t in raw.get("Tags") or []}


def live_state(instance: dict[str, Any]) -> ResourceState | None:
    """running | stopped, or None for a terminated / shutting-down instance."""
    return _STATES.get(instance["State"]["Name"])


def instance_pricing(instance: dict[str, Any]) -> Pricing:
    return Pricing.SPOT if instance.get("InstanceLifecycle") == "spot" else Pricing.ON_DEMAND


def instance_hourly(instance: dict[str, Any], prices: RegionPrices) -> Decimal:
    """What the instance bills per hour now: nothing when stopped, else spot or on-demand."""
    if live_state(instance) is not ResourceState.RUNNING:
        return Decimal(0)
    type_, zone = instance["InstanceType"], instance.get("Placement", {}).get("AvailabilityZone")
    if instance_pricing(instance) is Pricing.SPOT:
        spot = prices.spot_price(type_, zone)
        if spot is not None:
            return spot
    return prices.on_demand.get(type_, Decimal(0))


def instance(
    raw: dict[str, Any],
    account: str,
    region: str,
    spec: TypeSpec | None,
    prices: RegionPrices,
    usage: Utilization | None,
) -> Resource:
    """One DescribeInstances entry -> an ``aws.ec2-instance`` Resource."""
    labels = tags(raw)
    platform = raw.get("PlatformDetails") or raw.get("Platform")
    if platform and not str(platform).startswith("Linux"):
        labels[PLATFORM_TAG] = str(platform).lower()
    return Resource(
        id=raw["InstanceId"],
        provider="aws",
        account=account,
        region=region,
        zone=raw.get("Placement", {}).get("AvailabilityZone"),
        kind=ResourceKind.COMPUTE,
        resource_type="aws.ec2-instance",
        type=raw["InstanceType"],
        pricing=instance_pricing(raw),
        hourly_cost=instance_hourly(raw, prices),
        vcpus=spec.vcpus if spec else None,
        memory_gib=spec.memory_gib if spec else None,
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


def reserved_instance(raw: dict[str, Any], account: str, region: str) -> Resource:
    """An active reserved instance: its recurring hourly charge plus the upfront fee spread
    over the term, times the count."""
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
    count = int(raw.get("InstanceCount") or 1)
    labels = tags(raw) | {
        "instance_count": str(count),
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
        hourly_cost=(recurring + upfront) * count,
        created_at=raw.get("Start"),
        tags=labels,
    )


def savings_plan(raw: dict[str, Any], account: str) -> Resource:
    """An active savings plan: its hourly commitment (plus any upfront fee over the term)."""
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
