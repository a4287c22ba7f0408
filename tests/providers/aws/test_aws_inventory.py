"""Inventory end to end: moto EC2/EBS/EIP/CloudWatch + stubbed Pricing, RIs and Savings Plans."""

from __future__ import annotations

from decimal import Decimal

import pytest
from estate import cpu, price_everything, run

from lepton_cli.models.resource import Pricing, ResourceKind, ResourceState
from lepton_cli.providers.aws import AwsConfig, AwsProvider
from lepton_cli.providers.base import ProviderContext, Scope

ACCOUNT = "123456789012"  # moto's default account


@pytest.fixture(scope="module")
def estate(aws_module):
    """Two regions: running, stopped and spot instances, volumes, addresses, a snapshot."""
    aws = aws_module
    price_everything(aws, ["us-east-1", "eu-west-1"])
    ec2 = aws.client("ec2")
    web = run(ec2, "m5.large", 2, {"team": "web", "workload": "checkout"})
    stopped = run(ec2, "t3.micro")[0]
    ec2.stop_instances(InstanceIds=[stopped])
    spot = run(ec2, "m5.large", spot=True)[0]
    loose = ec2.create_volume(Size=100, VolumeType="gp3", AvailabilityZone="us-east-1a")["VolumeId"]
    parked = ec2.create_volume(Size=50, VolumeType="gp2", AvailabilityZone="us-east-1a")["VolumeId"]
    ec2.attach_volume(VolumeId=parked, InstanceId=stopped, Device="/dev/sdf")
    idle_ip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    used_ip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=used_ip, InstanceId=web[0])
    snap = ec2.create_snapshot(VolumeId=loose)["SnapshotId"]
    eu = run(aws.client("ec2", "eu-west-1"), "m5.xlarge")[0]
    cpu(aws, "us-east-1", web[0], [float(v) for v in range(1, 21)])
    cpu(
        aws,
        "us-east-1",
        web[0],
        [40.0] * 20,
        "CWAgent",
        "mem_used_percent",
        [{"Name": "InstanceId", "Value": web[0]}, {"Name": "ImageId", "Value": "ami-1"}],
    )
    aws.stubs.reserved.append(
        {
            "reservedInstancesId": "ri-0001",
            "region": "us-east-1",
            "instanceType": "m5.large",
            "instanceCount": "3",
            "duration": "31536000",
            "fixedPrice": "87.60",
            "usagePrice": "0.0",
            "state": "active",
            "start": "2026-01-01T00:00:00.000Z",
            "offeringType": "Partial Upfront",
            "hourly": "0.03",
        }
    )
    aws.stubs.savings_plans.append(
        {
            "savingsPlanId": "sp-1",
            "savingsPlanArn": "arn:aws:savingsplans::123456789012:savingsplan/sp-1",
            "savingsPlanType": "Compute",
            "state": "active",
            "commitment": "1.50",
            "start": "2026-01-01T00:00:00Z",
            "termDurationInSeconds": 31536000,
            "upfrontPaymentAmount": "0",
        }
    )
    return {
        "web": web,
        "stopped": stopped,
        "spot": spot,
        "loose": loose,
        "parked": parked,
        "idle_ip": idle_ip,
        "used_ip": used_ip,
        "snap": snap,
        "eu": eu,
    }


def scan(context, days=1, **cfg):
    provider = AwsProvider(AwsConfig(regions=["us-east-1", "eu-west-1"], **cfg), context)
    found = {r.id: r for r in provider.inventory(Scope(days=days))}
    return provider, found


@pytest.fixture(scope="module")
def scanned(estate, tmp_path_factory):
    context = ProviderContext(cache_dir=tmp_path_factory.mktemp("cache"), max_workers=4)
    return scan(context, snapshot_age_days=0)


def test_instances_are_normalised_with_specs_prices_and_tags(estate, scanned):
    provider, found = scanned
    assert provider.failures == []
    web = found[estate["web"][0]]
    assert (web.provider, web.account, web.region, web.resource_type) == (
        "aws",
        ACCOUNT,
        "us-east-1",
        "aws.ec2-instance",
    )
    assert (web.type, web.vcpus, web.memory_gib, web.kind) == (
        "m5.large",
        2,
        8,
        ResourceKind.COMPUTE,
    )
    # both covered by ri-0001: 0.03 $/h recurring + 87.60 upfront over 8760 h, not 0.096
    assert web.hourly_cost == Decimal("0.04") and web.pricing is Pricing.RESERVED
    assert web.tags == {"team": "web", "workload": "checkout"} and web.zone.startswith("us-east-1")
    assert web.created_at is not None and web.state is ResourceState.RUNNING
    eu = found[estate["eu"]]
    assert (eu.region, eu.vcpus, eu.hourly_cost) == ("eu-west-1", 4, Decimal("0.192"))
    assert eu.pricing is Pricing.ON_DEMAND


def test_stopped_and_spot_instances(estate, scanned):
    _, found = scanned
    stopped = found[estate["stopped"]]
    assert stopped.state is ResourceState.STOPPED and stopped.hourly_cost == 0
    spot = found[estate["spot"]]
    # moto's spot history quotes every type at 0.00001 $/h
    assert spot.pricing is Pricing.SPOT and spot.hourly_cost == Decimal("0.00001")


def test_volumes_addresses_and_snapshots(estate, scanned):
    _, found = scanned
    loose, parked = found[estate["loose"]], found[estate["parked"]]
    assert (loose.state, loose.attached_to, loose.size_gib) == (ResourceState.UNATTACHED, None, 100)
    assert loose.hourly_cost == Decimal("0.08") / 730 * 100
    assert (parked.state, parked.attached_to) == (ResourceState.STOPPED, estate["stopped"])
    assert parked.hourly_cost == Decimal("0.1") / 730 * 50
    ip = found[estate["idle_ip"]]
    assert (ip.kind, ip.state, ip.hourly_cost) == (
        ResourceKind.NETWORK,
        ResourceState.UNATTACHED,
        Decimal("0.005"),
    )
    assert estate["used_ip"] not in found
    snap = found[estate["snap"]]
    assert (
        snap.resource_type == "aws.ebs-snapshot" and snap.hourly_cost == Decimal("0.05") / 730 * 100
    )


def test_recent_snapshots_are_left_out(estate, tmp_path):
    context = ProviderContext(cache_dir=tmp_path, max_workers=4)
    _, found = scan(context, snapshot_age_days=90)
    assert estate["snap"] not in found


def test_commitments_are_owned_reserved_resources(estate, scanned):
    _, found = scanned
    ri = found["ri-0001"]
    assert (ri.kind, ri.pricing, ri.resource_type, ri.type, ri.region) == (
        ResourceKind.OTHER,
        Pricing.RESERVED,
        "aws.reserved-instance",
        "m5.large",
        "us-east-1",
    )
    # 3 reserved at 0.04 $/h; the two web instances carry theirs, one is unused
    assert ri.hourly_cost == Decimal("0.04") and ri.vcpus is None
    assert (ri.tags["instance_count"], ri.tags["instances_covered"]) == ("3", "2")
    # the reservation's 3 x 0.04 $/h is counted once: two instances' worth on them, one on it
    billed = [found[estate["web"][0]], found[estate["web"][1]], ri]
    assert sum((r.hourly_cost for r in billed), Decimal(0)) == Decimal("0.12")
    assert found[estate["spot"]].pricing is Pricing.SPOT  # spot never uses a reservation
    sp = found["arn:aws:savingsplans::123456789012:savingsplan/sp-1"]
    assert (sp.resource_type, sp.hourly_cost, sp.region) == (
        "aws.savings-plan",
        Decimal("1.50"),
        "global",
    )


def test_utilisation_from_cloudwatch(estate, scanned):
    _, found = scanned
    usage = found[estate["web"][0]].utilization
    assert usage.cpu_avg == pytest.approx(0.105) and usage.cpu_p95 == pytest.approx(0.19)
    assert usage.memory_p95 == pytest.approx(0.40)
    assert usage.days == 0  # 20 hourly points cover less than a day of the window
    assert found[estate["web"][1]].utilization is None  # no datapoints: counted at full size
