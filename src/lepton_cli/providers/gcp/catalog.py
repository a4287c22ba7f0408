"""Compute Engine prices from the Cloud Billing Catalog, combined into per-machine-type offerings.

Google prices a predefined machine type as a sum of per-family resource prices, not as one SKU:
``vCPUs × core price + GiB × RAM price`` (https://cloud.google.com/compute/vm-instance-pricing).
The catalog lists one SKU per family, resource, usage type and region, e.g.

    "N2 Instance Core running in Americas"              usageType OnDemand     unit h
    "Spot Preemptible N2 Instance Ram running in Paris" usageType Preemptible  unit GiBy.h
    "Commitment v1: N2D AMD Cpu in Americas for 1 Year" usageType Commit1Yr    unit h

so :func:`price_book` reads those into a :class:`PriceBook` and :func:`combine` prices a shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lepton_cli.models import Offering, Pricing

COMPUTE_SERVICE = "services/6F81-5844-456A"  # Compute Engine in the Cloud Billing Catalog
NANOS = Decimal(1_000_000_000)

USAGE_PRICING = {
    "OnDemand": Pricing.ON_DEMAND,
    "Preemptible": Pricing.SPOT,  # spot and legacy preemptible VMs share these SKUs
    "Commit1Yr": Pricing.RESERVED,  # 1-year resource-based committed use
}

_COMPUTE_SKU = re.compile(
    r"^(?:Spot Preemptible |Preemptible )?(?:Commitment(?: v1)?: )?"
    r"(?P<family>[A-Z]\d[A-Z]?|Compute optimized|Memory-optimized)?"
    r"(?: AMD| Intel| Arm)?(?P<custom> ?Custom)?(?: Predefined)?(?: Instance)? ?"
    r"(?P<resource>Core|Cpu|Ram)\b"
)
_NAMED_FAMILIES = {"Compute optimized": "c2", "Memory-optimized": "m1"}
_DISK_SKU = re.compile(r"^(?P<kind>Storage|SSD backed|Balanced|Extreme) PD Capacity\b")
_DISK_TYPES = {
    "Storage": "pd-standard",
    "SSD backed": "pd-ssd",
    "Balanced": "pd-balanced",
    "Extreme": "pd-extreme",
}
_STATIC_IP_SKU = re.compile(r"^Static Ip Charge\b")

# Shared-core E2 types bill a fraction of a vCPU (the rest of the machine is priced normally).
SHARED_CORE_VCPUS = {"e2-micro": 0.25, "e2-small": 0.5, "e2-medium": 1.0}
ARM_FAMILIES = frozenset({"t2a", "c4a", "n4a"})
COMPUTE_FAMILIES = frozenset({"c2", "c2d", "c3", "c3d", "c4", "c4d", "h3", "h4d"})
MEMORY_FAMILIES = frozenset({"m1", "m2", "m3", "m4", "x4"})


@dataclass(frozen=True)
class SkuRate:
    """The parts of one catalog SKU that pricing needs."""

    description: str
    resource_family: str
    usage_type: str
    regions: tuple[str, ...]
    unit: str
    price: Decimal
    currency: str


def sku_rate(sku: Any) -> SkuRate | None:
    """A :class:`SkuRate` from a ``google.cloud.billing_v1.Sku``; None when it has no price."""
    if not sku.pricing_info:
        return None
    expression = sku.pricing_info[-1].pricing_expression  # the latest entry of the timeline
    rates = list(expression.tiered_rates)
    if not rates:
        return None
    # Tiered SKUs start with a free tier; the first paid tier is the list price.
    rate = next((r for r in rates if r.unit_price.units or r.unit_price.nanos), rates[-1])
    money = rate.unit_price
    return SkuRate(
        description=sku.description,
        resource_family=sku.category.resource_family,
        usage_type=sku.category.usage_type,
        regions=tuple(sku.service_regions),
        unit=expression.usage_unit,
        price=Decimal(money.units) + Decimal(money.nanos) / NANOS,
        currency=money.currency_code or "USD",
    )


@dataclass
class PriceBook:
    """Hourly per-resource prices by family and region, and storage and address prices."""

    currency: str = "USD"
    # (family, region, pricing, "core" | "ram") -> price per vCPU-hour or GiB-hour
    compute: dict[tuple[str, str, Pricing, str], Decimal] = field(default_factory=dict)
    disks: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # per GiB-month
    addresses: dict[str, Decimal] = field(default_factory=dict)  # per hour, reserved and unused

    def add(self, rate: SkuRate) -> None:
        """File one SKU under the price it sets; SKUs lepton does not price are ignored."""
        self.currency = rate.currency
        if rate.resource_family == "Compute":
            self._add_compute(rate)
        elif rate.usage_type == "OnDemand" and (match := _DISK_SKU.match(rate.description)):
            for region in rate.regions:
                self.disks[(_DISK_TYPES[match["kind"]], region)] = rate.price
        elif rate.usage_type == "OnDemand" and _STATIC_IP_SKU.match(rate.description):
            for region in rate.regions:
                self.addresses[region] = rate.price

    def _add_compute(self, rate: SkuRate) -> None:
        pricing = USAGE_PRICING.get(rate.usage_type)
        match = _COMPUTE_SKU.match(rate.description)
        if pricing is None or match is None:
            return
        family = _NAMED_FAMILIES.get(match["family"] or "", (match["family"] or "n1").lower())
        if match["custom"]:
            family = f"{family}-custom"
        resource = "ram" if match["resource"] == "Ram" else "core"
        for region in rate.regions:
            self.compute[(family, region, pricing, resource)] = rate.price

    def machine_prices(
        self, family: str, region: str, vcpus: float, memory_gib: float
    ) -> dict[Pricing, Decimal]:
        """Hourly price per pricing model: vCPUs × core price + GiB × RAM price."""
        prices: dict[Pricing, Decimal] = {}
        for pricing in Pricing:
            core = self.compute.get((family, region, pricing, "core"))
            ram = self.compute.get((family, region, pricing, "ram"))
            if core is not None and ram is not None:
                prices[pricing] = core * _dec(vcpus) + ram * _dec(memory_gib)
        return prices

    def to_data(self) -> dict[str, Any]:
        """Plain JSON data :meth:`from_data` reads back (what the on-disk cache stores)."""
        return {
            "currency": self.currency,
            "compute": [[*key, str(price)] for key, price in sorted(self.compute.items())],
            "disks": [[*key, str(price)] for key, price in sorted(self.disks.items())],
            "addresses": {region: str(price) for region, price in self.addresses.items()},
        }

    def to_json(self) -> str:
        """:meth:`to_data` as a JSON document."""
        return json.dumps(self.to_data())

    @classmethod
    def from_json(cls, text: str) -> PriceBook:
        return cls.from_data(json.loads(text))

    @classmethod
    def from_data(cls, data: Any) -> PriceBook:
        """The book :meth:`to_data` wrote; other data raises ValueError, KeyError, TypeError or
        an ArithmeticError (a bad number)."""
        return cls(
            currency=data["currency"],
            compute={(f, r, Pricing(p), k): Decimal(v) for f, r, p, k, v in data["compute"]},
            disks={(t, r): Decimal(v) for t, r, v in data["disks"]},
            addresses={r: Decimal(v) for r, v in data["addresses"].items()},
        )


def price_book(skus: Iterable[Any]) -> PriceBook:
    """Read ``billing_v1.Sku`` objects (all pages of Compute Engine) into a price book."""
    book = PriceBook()
    for sku in skus:
        rate = sku_rate(sku)
        if rate is not None:
            book.add(rate)
    return book


def _dec(value: float) -> Decimal:
    return Decimal(str(value))


def family_of(machine_type: str) -> str:
    """Pricing family of a machine type: ``n2-standard-4`` -> n2, ``custom-2-4096`` -> n1-custom."""
    parts = machine_type.split("-")
    if parts[0] == "custom":
        return "n1-custom"
    if len(parts) > 1 and parts[1] == "custom":
        return f"{parts[0]}-custom"
    return parts[0]


def custom_shape(machine_type: str) -> tuple[float, float] | None:
    """(vCPUs, GiB) of a custom machine type such as ``n2-custom-4-16384``, else None."""
    match = re.fullmatch(r"(?:[a-z0-9]+-)?custom-(\d+)-(\d+)", machine_type)
    return (float(match[1]), int(match[2]) / 1024) if match else None


def billed_vcpus(machine_type: str, vcpus: float) -> float:
    """The vCPUs a machine type is billed for (a fraction for shared-core E2 types)."""
    return SHARED_CORE_VCPUS.get(machine_type, vcpus)


def instance_prices(
    book: PriceBook, machine_type: str, region: str, vcpus: float, memory_gib: float
) -> dict[Pricing, Decimal]:
    """Hourly prices of one machine type in one region (custom types use the custom SKUs)."""
    family = family_of(machine_type)
    cpus = billed_vcpus(machine_type, vcpus)
    prices = book.machine_prices(family, region, cpus, memory_gib)
    if not prices and family.endswith("-custom"):
        # E2 custom shapes are billed at the predefined E2 rates.
        prices = book.machine_prices(family.removesuffix("-custom"), region, cpus, memory_gib)
    return prices


@dataclass(frozen=True)
class MachineShape:
    """A machine type as Compute Engine lists it (from machineTypes.aggregatedList)."""

    name: str
    region: str
    vcpus: float
    memory_gib: float
    shared_cpu: bool = False
    accelerators: int = 0


def offering_family(machine_type: str) -> str:
    """general | compute | memory | arm, as the optimizer's Offering.family expects."""
    family = family_of(machine_type)
    if family in ARM_FAMILIES:
        return "arm"
    if family in COMPUTE_FAMILIES or "-highcpu-" in machine_type:
        return "compute"
    if family in MEMORY_FAMILIES or "-highmem-" in machine_type or "-megamem-" in machine_type:
        return "memory"
    return "general"


def offerings(book: PriceBook, shapes: Iterable[MachineShape]) -> Iterator[Offering]:
    """One Offering per (region, machine type) that has an on-demand price.

    Shared-core types and types with attached GPUs are skipped: their price is not
    ``vCPUs × core + GiB × RAM`` (the GPU is billed on its own SKU).
    """
    seen: set[tuple[str, str]] = set()
    for shape in shapes:
        if shape.shared_cpu or shape.accelerators or (shape.region, shape.name) in seen:
            continue
        seen.add((shape.region, shape.name))
        prices = book.machine_prices(
            family_of(shape.name), shape.region, shape.vcpus, shape.memory_gib
        )
        if Pricing.ON_DEMAND in prices:
            yield _offering(shape, prices)


def _offering(shape: MachineShape, prices: Mapping[Pricing, Decimal]) -> Offering:
    family = offering_family(shape.name)
    return Offering(
        provider="gcp",
        region=shape.region,
        type=shape.name,
        vcpus=shape.vcpus,
        memory_gib=shape.memory_gib,
        family=family,
        arch="arm64" if family == "arm" else "x86_64",
        prices=dict(prices),
    )
