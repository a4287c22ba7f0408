"""Prices: the Pricing API (on-demand and 1-year no-upfront reserved, shared tenancy, per
platform), spot price history, EBS storage, and instance-type specs from DescribeInstanceTypes.

A platform is what EC2 bills an instance as (its ``PlatformDetails``): Linux/UNIX, Windows,
RHEL, SUSE, SQL Server editions... Each one has its own Pricing API product (operatingSystem,
licenseModel, preInstalledSw) and spot product description; :data:`PLATFORMS` maps them.
Linux prices are always read for the types in use; another platform's only for the types
running it. Calls grow with the number of distinct (type, platform) pairs and pages, never
with the number of instances.
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
LINUX = "linux"
TYPE_BATCH = 100  # DescribeInstanceTypes takes at most 100 names per call
FILTER_BATCH = 100  # names per Pricing ANY_OF filter; keeps requests small

_FAMILY_KIND = {"m": "general", "t": "general", "a": "general", "c": "compute"}
_FAMILY_KIND |= dict.fromkeys("rxzu", "memory") | dict.fromkeys("pgfi", "accelerated")


@dataclass(frozen=True)
class Platform:
    """One EC2 billing platform: lepton's name and how the price APIs spell it."""

    name: str  # lepton's: linux | windows | rhel | suse | ...
    operating_system: str  # the Pricing API's operatingSystem
    spot_products: tuple[str, ...] = ()  # DescribeSpotPriceHistory ProductDescriptions
    license_model: str = "No License required"
    software: str = "NA"  # the Pricing API's preInstalledSw


# EC2 PlatformDetails -> Platform (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/
# billing-info-fields.html). Spot sells Linux, Windows, RHEL and SUSE only.
PLATFORMS = {
    "Linux/UNIX": Platform(LINUX, "Linux", ("Linux/UNIX", "Linux/UNIX (Amazon VPC)")),
    "Windows": Platform("windows", "Windows", ("Windows", "Windows (Amazon VPC)")),
    "Windows BYOL": Platform("windows-byol", "Windows", (), "Bring your own license"),
    "Red Hat Enterprise Linux": Platform(
        "rhel", "RHEL", ("Red Hat Enterprise Linux", "Red Hat Enterprise Linux (Amazon VPC)")
    ),
    "Red Hat Enterprise Linux with HA": Platform("rhel-ha", "Red Hat Enterprise Linux with HA"),
    "SUSE Linux": Platform("suse", "SUSE", ("SUSE Linux", "SUSE Linux (Amazon VPC)")),
    "Ubuntu Pro": Platform("ubuntu-pro", "Ubuntu Pro"),
    "Windows with SQL Server Standard": Platform(
        "windows-sql-standard", "Windows", software="SQL Std"
    ),
    "Windows with SQL Server Enterprise": Platform(
        "windows-sql-enterprise", "Windows", software="SQL Ent"
    ),
    "Windows with SQL Server Web": Platform("windows-sql-web", "Windows", software="SQL Web"),
    "Linux with SQL Server Standard": Platform("linux-sql-standard", "Linux", software="SQL Std"),
    "Linux with SQL Server Enterprise": Platform(
        "linux-sql-enterprise", "Linux", software="SQL Ent"
    ),
    "Linux with SQL Server Web": Platform("linux-sql-web", "Linux", software="SQL Web"),
}
BY_NAME = {p.name: p for p in PLATFORMS.values()}


def platform_of(instance: dict[str, Any]) -> Platform:
    """The platform EC2 bills ``instance`` as: its PlatformDetails, else ``Platform`` (set to
    "windows" only), else Linux/UNIX. An unknown PlatformDetails keeps its own lower-case name
    and the Linux price filters (a lower bound: its licence is not priced)."""
    details = instance.get("PlatformDetails")
    if not details:
        details = "Windows" if str(instance.get("Platform", "")).lower() == "windows" else None
    if not details:
        return PLATFORMS["Linux/UNIX"]
    known = PLATFORMS.get(str(details))
    if known is not None:
        return known
    return Platform(str(details).lower().replace("/", "-").replace(" ", "-"), "Linux")


@dataclass(frozen=True)
class TypeSpec:
    """What DescribeInstanceTypes says about one instance type."""

    name: str
    vcpus: float
    memory_gib: float
    arch: str
    gpus: int = 0
    gpu_model: str | None = None
    gpu_memory_gib: float | None = None  # per GPU


@dataclass
class RegionPrices:
    """Hourly prices for one region, filled by the price source."""

    on_demand: dict[str, Decimal] = field(default_factory=dict)
    reserved: dict[str, Decimal] = field(default_factory=dict)
    spot: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (type, zone)
    storage_gb_month: dict[str, Decimal] = field(default_factory=dict)
    platforms: dict[str, RegionPrices] = field(default_factory=dict)  # other platforms' prices

    def of(self, platform: str) -> RegionPrices:
        """The compute prices of ``platform`` (these, for Linux)."""
        if platform == LINUX:
            return self
        return self.platforms.setdefault(platform, RegionPrices())

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


def arch_of(archs: Sequence[str]) -> str:
    """x86_64 | arm64 from SupportedArchitectures (i386 and the Mac variants fold in)."""
    return "arm64" if any(a.startswith("arm64") for a in archs) else "x86_64"


def parse_type(raw: dict[str, Any]) -> TypeSpec:
    """One DescribeInstanceTypes entry -> TypeSpec (GPUs: the count, the first model's name and
    its memory per GPU; EC2 types carry one GPU model each)."""
    archs = raw.get("ProcessorInfo", {}).get("SupportedArchitectures") or ["x86_64"]
    cards = (raw.get("GpuInfo") or {}).get("Gpus") or []
    gpus = sum(int(g.get("Count", 0)) for g in cards)
    memory = cards[0].get("MemoryInfo", {}).get("SizeInMiB") if cards else None
    return TypeSpec(
        name=raw["InstanceType"],
        vcpus=float(raw["VCpuInfo"]["DefaultVCpus"]),
        memory_gib=raw["MemoryInfo"]["SizeInMiB"] / 1024,
        arch=arch_of(archs),
        gpus=gpus,
        gpu_model=str(cards[0]["Name"]) if cards and cards[0].get("Name") else None,
        gpu_memory_gib=round(memory / 1024, 2) if gpus and memory else None,
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


def compute_prices(
    pricing: Any,
    region: str,
    types: Sequence[str],
    out: RegionPrices,
    platform: Platform = PLATFORMS["Linux/UNIX"],
) -> None:
    """On-demand and reserved hourly prices for ``types`` in ``region`` on ``platform`` (shared
    tenancy), into ``out`` (the platform's own prices: pass ``prices.of(platform.name)``)."""
    base = [
        _match("regionCode", region),
        _match("operatingSystem", platform.operating_system),
        _match("licenseModel", platform.license_model),
        _match("tenancy", "Shared"),
        _match("preInstalledSw", platform.software),
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


def spot_prices(
    ec2: Any, types: Sequence[str], out: RegionPrices, platform: Platform = PLATFORMS["Linux/UNIX"]
) -> None:
    """The current spot price of each type in each zone on ``platform`` (the newest record
    wins); nothing for a platform spot does not sell."""
    newest: dict[tuple[str, str], tuple[str, Decimal]] = {}
    if not platform.spot_products:
        return
    for batch in batches(sorted(set(types)), FILTER_BATCH):
        pages = ec2.get_paginator("describe_spot_price_history").paginate(
            InstanceTypes=batch,
            ProductDescriptions=list(platform.spot_products),
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


def licensed_prices(
    pricing: Any, ec2: Any, region: str, instances: Iterable[dict[str, Any]], out: RegionPrices
) -> None:
    """On-demand, reserved and spot prices of every non-Linux platform the ``instances`` run,
    for the types running it (``out.of(platform)``): one Pricing query per platform."""
    wanted: dict[str, tuple[Platform, set[str]]] = {}
    for raw in instances:
        platform = platform_of(raw)
        if platform.name != LINUX:
            wanted.setdefault(platform.name, (platform, set()))[1].add(raw["InstanceType"])
    for name, (platform, types) in sorted(wanted.items()):
        compute_prices(pricing, region, sorted(types), out.of(name), platform)
        spot = sorted(
            i["InstanceType"]
            for i in instances
            if i.get("InstanceLifecycle") == "spot" and platform_of(i).name == name
        )
        if spot:
            spot_prices(ec2, spot, out.of(name), platform)


OFFERED_PLATFORMS = (PLATFORMS["Linux/UNIX"], PLATFORMS["Windows"])  # what refresh prices


def offering_prices(pricing: Any, ec2: Any, region: str, types: Sequence[str]) -> RegionPrices:
    """Linux and Windows prices of ``types`` (on-demand, reserved, spot) for the catalog."""
    prices = RegionPrices()
    for platform in OFFERED_PLATFORMS:
        compute_prices(pricing, region, types, prices.of(platform.name), platform)
        spot_prices(ec2, types, prices.of(platform.name), platform)
    return prices


def offerings_for(
    region: str, specs: dict[str, TypeSpec], prices: RegionPrices
) -> Iterator[Offering]:
    """Offerings for every (type, platform) with an on-demand price, sorted by type then
    platform (Linux first). Windows is sold only on x86_64 types."""
    for name in sorted(specs):
        spec = specs[name]
        if spec.vcpus <= 0 or spec.memory_gib <= 0:
            continue
        for platform in (LINUX, *sorted(prices.platforms)):
            table = prices.of(platform)
            if name in table.on_demand:
                yield _offering(region, spec, platform, table)


def _offering(region: str, spec: TypeSpec, platform: str, prices: RegionPrices) -> Offering:
    by_model = {Pricing.ON_DEMAND: prices.on_demand[spec.name]}
    if spec.name in prices.reserved:
        by_model[Pricing.RESERVED] = prices.reserved[spec.name]
    spot = prices.spot_price(spec.name)
    if spot is not None:
        by_model[Pricing.SPOT] = spot
    return Offering(
        provider="aws",
        region=region,
        type=spec.name,
        vcpus=spec.vcpus,
        memory_gib=spec.memory_gib,
        family=family_kind(spec.name),
        arch=spec.arch,
        platform=platform,
        gpus=spec.gpus,
        gpu_model=spec.gpu_model,
        gpu_memory_gib=spec.gpu_memory_gib,
        prices=by_model,
    )
