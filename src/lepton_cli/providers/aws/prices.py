"""Prices: the Pricing API (on-demand and 1-year no-upfront reserved, Linux, shared tenancy),
spot price history, EBS storage, and instance-type specs from DescribeInstanceTypes.

Calls grow with the number of distinct types and pages, never with the number of instances.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lepton_cli.models import HOURS_PER_MONTH, Offering, Pricing

# AWS's public IPv4 charge, since 2024-02-01, for every address including idle Elastic IPs.
ELASTIC_IP_HOURLY = Decimal("0.005")
# us-east-1 list prices ($/GB-month), used only when the Pricing API has no answer.
FALLBACK_EBS_GB_MONTH = {
    "gp3": Decimal("0.08"),
    "gp2": Decimal("0.10"),
    "io1": Decimal("0.125"),
    "io2": Decimal("0.125"),
    "st1": Decimal("0.045"),
    "sc1": Decimal("0.015"),
    "standard": Decimal("0.05"),
}
FALLBACK_SNAPSHOT_GB_MONTH = Decimal("0.05")
SNAPSHOT_KEY = "snapshot"
SPOT_PRODUCTS = ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"]
TYPE_BATCH = 100  # DescribeInstanceTypes takes at most 100 names per call
FILTER_BATCH = 100  # names per Pricing ANY_OF filter; keeps requests small

_FAMILY_KIND = {"m": "general", "t": "general", "a": "general", "c": "compute"}
_FAMILY_KIND |= dict.fromkeys("rxzu", "memory") | dict.fromkeys("pgfi", "accelerated")


@dataclass(frozen=True)
class TypeSpec:
    """What DescribeInstanceTypes says about one instance type."""

    name: str
    vcpus: float
    memory_gib: float
    arch: str
    gpus: int = 0


@dataclass
class RegionPrices:
    """Hourly prices for one region, filled by the price source."""

    on_demand: dict[str, Decimal] = field(default_factory=dict)
    reserved: dict[str, Decimal] = field(default_factory=dict)
    spot: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (type, zone)
    storage_gb_month: dict[str, Decimal] = field(default_factory=dict)

    def spot_price(self, type_: str, zone: str | None = None) -> Decimal | None:
        """The spot price in ``zone``, else the lowest in the region."""
        if zone and (type_, zone) in self.spot:
            return self.spot[type_, zone]
        prices = [p for (t, _), p in self.spot.items() if t == type_]
        return min(prices) if prices else None

    def gb_hour(self, volume_type: str) -> Decimal:
        per_month = self.storage_gb_month.get(volume_type) or FALLBACK_EBS_GB_MONTH.get(
            volume_type, FALLBACK_EBS_GB_MONTH["gp3"]
        )
        return per_month / HOURS_PER_MONTH

    def snapshot_gb_hour(self) -> Decimal:
        per_month = self.storage_gb_month.get(SNAPSHOT_KEY, FALLBACK_SNAPSHOT_GB_MONTH)
        return per_month / HOURS_PER_MONTH


def family(type_: str) -> str:
    """``m5`` for ``m5.large``."""
    return type_.split(".", 1)[0]


def family_kind(type_: str) -> str:
    """general | compute | memory | accelerated | storage, from the family's first letter."""
    return _FAMILY_KIND.get(type_[:1], "storage" if type_[:1] in "dhi" else "general")


def batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- instance-type specs ---------------------------------------------------------------------


def parse_type(raw: dict[str, Any]) -> TypeSpec:
    """One DescribeInstanceTypes entry -> TypeSpec."""
    archs = raw.get("ProcessorInfo", {}).get("SupportedArchitectures") or ["x86_64"]
    gpus = sum(g.get("Count", 0) for g in (raw.get("GpuInfo") or {}).get("Gpus", []))
    return TypeSpec(
        name=raw["InstanceType"],
        vcpus=float(raw["VCpuInfo"]["DefaultVCpus"]),
        memory_gib=raw["MemoryInfo"]["SizeInMiB"] / 1024,
        arch="arm64" if "arm64" in archs else archs[0],
        gpus=int(gpus),
    )


def type_specs(ec2: Any, types: Iterable[str]) -> dict[str, TypeSpec]:
    """Specs of exactly these types, 100 names a call, paged."""
    specs: dict[str, TypeSpec] = {}
    for batch in batches(sorted(set(types)), TYPE_BATCH):
        pages = ec2.get_paginator("describe_instance_types").paginate(InstanceTypes=batch)
        specs |= {t.name: t for p in pages for t in map(parse_type, p["InstanceTypes"])}
    return specs


def family_specs(ec2: Any, families: Iterable[str]) -> dict[str, TypeSpec]:
    """Specs of every size in these families (the neighbours an optimizer may move to)."""
    names = [f"{f}.*" for f in sorted(set(families))]
    specs: dict[str, TypeSpec] = {}
    for batch in batches(names, 200):  # a filter takes up to 200 values
        filters = [{"Name": "instance-type", "Values": batch}]
        pages = ec2.get_paginator("describe_instance_types").paginate(Filters=filters)
        specs |= {t.name: t for p in pages for t in map(parse_type, p["InstanceTypes"])}
    return specs


# --- Pricing API -------------------------------------------------------------------------------


def _term_prices(terms: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Decimal]]:
    """(term attributes, hourly USD) for each term whose price is per hour."""
    for term in terms.values():
        for dim in term.get("priceDimensions", {}).values():
            if dim.get("unit") in ("Hrs", "Hours") and "USD" in dim.get("pricePerUnit", {}):
                yield term.get("termAttributes", {}), Decimal(dim["pricePerUnit"]["USD"])


def parse_compute_item(item: dict[str, Any]) -> tuple[str, Decimal | None, Decimal | None]:
    """(instance type, on-demand hourly, 1-year standard no-upfront reserved hourly)."""
    type_ = item["product"]["attributes"]["instanceType"]
    terms = item.get("terms", {})
    on_demand = next((p for _, p in _term_prices(terms.get("OnDemand", {}))), None)
    reserved = next(
        (
            p
            for attrs, p in _term_prices(terms.get("Reserved", {}))
            if attrs.get("LeaseContractLength") == "1yr"
            and attrs.get("PurchaseOption") == "No Upfront"
            and attrs.get("OfferingClass", "standard") == "standard"
        ),
        None,
    )
    return type_, on_demand, reserved


def parse_storage_item(item: dict[str, Any]) -> tuple[str, Decimal] | None:
    """(volume type or "snapshot", $/GB-month) for an EBS storage or snapshot product."""
    attrs = item["product"].get("attributes", {})
    key = attrs.get("volumeApiName")
    if key is None and str(attrs.get("usagetype", "")).endswith("EBS:SnapshotUsage"):
        key = SNAPSHOT_KEY
    for term in item.get("terms", {}).get("OnDemand", {}).values():
        for dim in term.get("priceDimensions", {}).values():
            if key and dim.get("unit") == "GB-Mo" and "USD" in dim.get("pricePerUnit", {}):
                return key, Decimal(dim["pricePerUnit"]["USD"])
    return None


def _products(pricing: Any, filters: list[dict[str, str]]) -> Iterator[dict[str, Any]]:
    pages = pricing.get_paginator("get_products").paginate(
        ServiceCode="AmazonEC2", Filters=filters, FormatVersion="aws_v1"
    )
    for page in pages:
        # PriceList entries are JSON documents inside JSON strings: decode twice.
        yield from (json.loads(raw) for raw in page.get("PriceList", []))


def _match(field_: str, value: str, kind: str = "TERM_MATCH") -> dict[str, str]:
    return {"Type": kind, "Field": field_, "Value": value}


def compute_prices(pricing: Any, region: str, types: Sequence[str], out: RegionPrices) -> None:
    """On-demand and reserved hourly prices for ``types`` in ``region`` (Linux, shared)."""
    base = [
        _match("regionCode", region),
        _match("operatingSystem", "Linux"),
        _match("tenancy", "Shared"),
        _match("preInstalledSw", "NA"),
        _match("capacitystatus", "Used"),
    ]
    for batch in batches(sorted(set(types)), FILTER_BATCH):
        names = _match("instanceType", ",".join(batch), "ANY_OF")
        for item in _products(pricing, [*base, names]):
            type_, on_demand, reserved = parse_compute_item(item)
            if on_demand is not None:
                out.on_demand[type_] = on_demand
            if reserved is not None:
                out.reserved[type_] = reserved


def storage_prices(pricing: Any, region: str, out: RegionPrices) -> None:
    """EBS volume and snapshot $/GB-month in ``region``."""
    families = _match("productFamily", "Storage,Storage Snapshot", "ANY_OF")
    for item in _products(pricing, [_match("regionCode", region), families]):
        parsed = parse_storage_item(item)
        if parsed:
            out.storage_gb_month[parsed[0]] = parsed[1]


def spot_prices(ec2: Any, types: Sequence[str], out: RegionPrices) -> None:
    """The current spot price of each type in each zone (the newest record wins)."""
    newest: dict[tuple[str, str], tuple[str, Decimal]] = {}
    for batch in batches(sorted(set(types)), FILTER_BATCH):
        pages = ec2.get_paginator("describe_spot_price_history").paginate(
            InstanceTypes=batch,
            ProductDescriptions=SPOT_PRODUCTS,
            MaxResults=1000,
            StartTime=dt.datetime.now(
                dt.UTC
            ),  # from now: only the price in force, one record per type and zone
        )
        for record in (r for p in pages for r in p["SpotPriceHistory"]):
            key = (record["InstanceType"], record["AvailabilityZone"])
            stamp = str(record.get("Timestamp", ""))
            if key not in newest or stamp > newest[key][0]:
                newest[key] = (stamp, Decimal(record["SpotPrice"]))
    out.spot |= {k: price for k, (_, price) in newest.items()}


def offerings_for(
    region: str, specs: dict[str, TypeSpec], prices: RegionPrices
) -> Iterator[Offering]:
    """Offerings for every type with an on-demand price, sorted by type."""
    for name in sorted(specs):
        spec, on_demand = specs[name], prices.on_demand.get(name)
        if on_demand is None or spec.vcpus <= 0 or spec.memory_gib <= 0:
            continue
        by_model = {Pricing.ON_DEMAND: on_demand}
        if name in prices.reserved:
            by_model[Pricing.RESERVED] = prices.reserved[name]
        spot = prices.spot_price(name)
        if spot is not None:
            by_model[Pricing.SPOT] = spot
        yield Offering(
            provider="aws",
            region=region,
            type=name,
            vcpus=spec.vcpus,
            memory_gib=spec.memory_gib,
            family=family_kind(name),
            arch=spec.arch,
            prices=by_model,
        )
