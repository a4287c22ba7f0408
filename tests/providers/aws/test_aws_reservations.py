"""Reserved-instance coverage: which instances a reservation pays for, and what is left over."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lepton_cli.models.resource import Pricing
from lepton_cli.providers.aws import normalize
from lepton_cli.providers.aws.prices import RegionPrices

YEAR = 365 * 24 * 3600


def ec2(iid: str, type_: str = "m5.large", zone: str = "us-east-1a", **extra: Any) -> dict:
    state = extra.pop("state", "running")
    return {
        "InstanceId": iid,
        "InstanceType": type_,
        "State": {"Name": state},
        "Placement": {"AvailabilityZone": zone, "Tenancy": "default"},
        "PlatformDetails": "Linux/UNIX",
        **extra,
    }


def ri(rid: str, count: int, type_: str = "m5.large", **extra: Any) -> dict:
    return {
        "ReservedInstancesId": rid,
        "InstanceType": type_,
        "InstanceCount": count,
        "Duration": YEAR,
        "FixedPrice": 87.6,  # 0.01 $/h over a year
        "UsagePrice": 0.0,
        "RecurringCharges": [{"Frequency": "Hourly", "Amount": 0.03}],
        "ProductDescription": "Linux/UNIX (Amazon VPC)",
        "InstanceTenancy": "default",
        **extra,
    }


def test_a_reservation_covers_up_to_its_count_in_instance_id_order():
    fleet = [ec2("i-c"), ec2("i-a"), ec2("i-b")]
    got = normalize.cover(fleet, [ri("r-1", 2)])
    assert got.rates == {"i-a": Decimal("0.04"), "i-b": Decimal("0.04")}
    assert got.used == {"r-1": 2}
    assert normalize.cover(list(reversed(fleet)), [ri("r-1", 2)]) == got  # order-independent


def test_only_running_on_demand_instances_of_the_same_kind_are_covered():
    fleet = [
        ec2("i-stopped", state="stopped"),
        ec2("i-spot", InstanceLifecycle="spot"),
        ec2("i-bigger", "m5.xlarge"),
        ec2("i-windows", PlatformDetails="Windows"),
        ec2("i-dedicated", Placement={"AvailabilityZone": "us-east-1a", "Tenancy": "dedicated"}),
    ]
    got = normalize.cover(fleet, [ri("r-1", 5)])
    assert got.rates == {} and got.used == {"r-1": 0}


def test_zonal_reservations_match_their_zone_and_go_first():
    fleet = [ec2("i-a", zone="us-east-1b"), ec2("i-b", zone="us-east-1a")]
    regional = ri("r-1", 1)
    zonal = ri("r-2", 1, AvailabilityZone="us-east-1b", FixedPrice=0, RecurringCharges=[])
    got = normalize.cover(fleet, [regional, zonal])
    # going first, the regional one would take i-a (first by id) and leave the zonal one idle
    assert got.rates == {"i-a": Decimal(0), "i-b": Decimal("0.04")}
    assert got.used == {"r-1": 1, "r-2": 1}
    wrong_zone = ri("r-3", 1, AvailabilityZone="us-east-1c")
    assert normalize.cover(fleet, [wrong_zone]).used == {"r-3": 0}


def test_covered_instances_are_reserved_and_the_reservation_keeps_its_unused_part():
    fleet = [ec2("i-a"), ec2("i-b")]
    reservation = ri("r-1", 5, UsagePrice=0.005)
    got = normalize.cover(fleet, [reservation])
    prices = RegionPrices(on_demand={"m5.large": Decimal("0.096")})
    inst = normalize.instance(fleet[0], "1", "us-east-1", None, prices, None, got.rates["i-a"])
    assert (inst.pricing, inst.hourly_cost) == (Pricing.RESERVED, Decimal("0.045"))
    left = normalize.reserved_instance(reservation, "1", "us-east-1", got.used["r-1"])
    assert left.hourly_cost == Decimal("0.045") * 3  # three of five reserved are unused
    assert left.tags["instances_covered"] == "2" and left.tags["instance_count"] == "5"
    plain = normalize.instance(fleet[1], "1", "us-east-1", None, prices, None)
    assert (plain.pricing, plain.hourly_cost) == (Pricing.ON_DEMAND, Decimal("0.096"))
