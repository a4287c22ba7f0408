"""Compute Engine prices from the Cloud Billing Catalog, combined into per-machine-type offerings.

Google prices a predefined machine type as a sum of per-family resource prices, not as one SKU:
``vCPUs × core price + GiB × RAM price`` (https://cloud.google.com/compute/vm-instance-pricing).
The catalog lists one SKU per family, resource, usage type and region, e.g.

    "N2 Instance Core running in Americas"              usageType OnDemand     unit h
    "Spot Preemptible N2 Instance Ram running in Paris" usageType Preemptible  unit GiBy.h
    "Commitment v1: N2D AMD Cpu in Americas for 1 Year" usageType Commit1Yr    unit h

so :func:`price_book` reads those into a :class:`PriceBook` and :func:`combine` prices a shape.

GPUs are priced on their own SKUs, per GPU-hour ("Nvidia L4 GPU running in Americas",
"Spot Preemptible Nvidia Tesla A100 GPU running in ...", "Commitment v1: Nvidia L4 GPU in ...
for 1 Year"): an accelerator-optimized type (a2, a3, g2) costs its vCPUs and RAM at its
family's rates plus its GPUs, and so does an N1 instance with GPUs attached.
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
_GPU_SKU = re.compile(
    r"^(?:Spot Preemptible |Preemptible )?(?:Commitment(?: v1)?: )?Nvidia (?:Tesla )?"
    r"(?P<model>[A-Z]\d+[A-Z]?(?: \d+GB)?(?: Mega)?) GPU\b"
)
# Windows Server on Compute Engine: a per-vCPU-hour licence on every machine type with more
# than one shared core (https://cloud.google.com/compute/disks-image-pricing#windows_server_pro),
# used when the catalog's licence SKU was not read.
WINDOWS_PER_VCPU_HOUR = Decimal("0.046")
WINDOWS_SHARED_CORE_HOUR = Decimal("0.02")  # f1-micro, g1-small, e2 shared-core
_WINDOWS_SKU = re.compile(r"^Licensing Fee for Windows Server \d+ Datacenter Edition \(CPU cost\)")
# Compute Engine accelerator type -> the model as the GPU SKUs name it, and memory per GPU.
ACCELERATORS = {
    "nvidia-l4": ("L4", 24.0),
    "nvidia-tesla-t4": ("T4", 16.0),
    "nvidia-tesla-v100": ("V100", 16.0),
    "nvidia-tesla-p100": ("P100", 16.0),
    "nvidia-tesla-p4": ("P4", 8.0),
    "nvidia-tesla-a100": ("A100", 40.0),
    "nvidia-a100-80gb": ("A100 80GB", 80.0),
    "nvidia-h100-80gb": ("H100 80GB", 80.0),
    "nvidia-h100-mega-80gb": ("H100 80GB Mega", 80.0),
    "nvidia-h200-141gb": ("H200 141GB", 141.0),
}

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
    resource_group: str = ""


def accelerator_sku_model(accelerator_type: str) -> str:
    """The model a GPU SKU names for a Compute Engine accelerator type (``nvidia-l4`` -> L4)."""
    known = ACCELERATORS.get(accelerator_type)
    if known is not None:
        return known[0]
    name = accelerator_type.removeprefix("nvidia-").removeprefix("tesla-")
    return name.replace("-", " ").upper()


def gpu_model(accelerator_type: str) -> str:
    """lepton's GPU model name: ``nvidia-a100-80gb`` -> A100 (memory is told apart)."""
    return accelerator_sku_model(accelerator_type).split(" ")[0]


def gpu_memory_gib(accelerator_type: str) -> float | None:
    known = ACCELERATORS.get(accelerator_type)
    return known[1] if known else None


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
        resource_group=sku.category.resource_group,
    )


@dataclass
class PriceBook:
    """Hourly per-resource prices by family and region, and storage and address prices."""

    currency: str = "USD"
    # (family, region, pricing, "core" | "ram") -> price per vCPU-hour or GiB-hour
    compute: dict[tuple[str, str, Pricing, str], Decimal] = field(default_factory=dict)
    disks: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # per GiB-month
    addresses: dict[str, Decimal] = field(default_factory=dict)  # per hour, reserved and unused
    # (GPU model as the SKUs name it, region, pricing) -> price per GPU-hour
    gpus: dict[tuple[str, str, Pricing], Decimal] = field(default_factory=dict)
    windows_per_vcpu: Decimal | None = None  # the licence SKU's price per vCPU-hour

    def windows_licence(self, machine_type: str, vcpus: float) -> Decimal:
        """What the Windows Server licence adds per hour to one instance."""
        if machine_type in SHARED_CORE_VCPUS or machine_type in ("f1-micro", "g1-small"):
            return WINDOWS_SHARED_CORE_HOUR
        return (self.windows_per_vcpu or WINDOWS_PER_VCPU_HOUR) * _dec(vcpus)

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
        elif _WINDOWS_SKU.match(rate.description):
            self.windows_per_vcpu = rate.price

    def _add_compute(self, rate: SkuRate) -> None:
        pricing = USAGE_PRICING.get(rate.usage_type)
        gpu = _GPU_SKU.match(rate.description)
        if gpu is not None and pricing is not None and "Workstation" not in rate.description:
            for region in rate.regions:
                self.gpus[(gpu["model"], region, pricing)] = rate.price
            return
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
            "gpus": [[*key, str(price)] for key, price in sorted(self.gpus.items())],
            "windows_per_vcpu": None
            if self.windows_per_vcpu is None
            else str(self.windows_per_vcpu),
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
            gpus={(m, r, Pricing(p)): Decimal(v) for m, r, p, v in data["gpus"]},
            windows_per_vcpu=_optional_decimal(data["windows_per_vcpu"]),
        )

    def gpu_prices(
        self, region: str, accelerators: Iterable[tuple[str, int]]
    ) -> dict[Pricing, Decimal] | None:
        """Hourly price of these (accelerator type, count) per pricing model; a model is left
        out when a GPU lacks its price. None when there are no GPUs."""
        wanted = [(accelerator_sku_model(t), n) for t, n in accelerators if n]
        if not wanted:
            return None
        prices: dict[Pricing, Decimal] = {}
        for pricing in Pricing:
            each = [self.gpus.get((model, region, pricing)) for model, _ in wanted]
            if all(p is not None for p in each):
                prices[pricing] = sum(
                    (p * n for p, (_, n) in zip(each, wanted, strict=True) if p is not None),
                    Decimal(0),
                )
        return prices


def _optional_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


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
    book: PriceBook,
    machine_type: str,
    region: str,
    vcpus: float,
    memory_gib: float,
    accelerators: Iterable[tuple[str, int]] = (),
) -> dict[Pricing, Decimal]:
    """Hourly prices of one machine type in one region (custom types use the custom SKUs),
    with its GPUs (``accelerators``: (accelerator type, count)) when it has any."""
    family = family_of(machine_type)
    cpus = billed_vcpus(machine_type, vcpus)
    prices = book.machine_prices(family, region, cpus, memory_gib)
    if not prices and family.endswith("-custom"):
        # E2 custom shapes are billed at the predefined E2 rates.
        prices = book.machine_prices(family.removesuffix("-custom"), region, cpus, memory_gib)
    gpus = book.gpu_prices(region, accelerators)
    if gpus is None:
        return prices
    return {p: price + gpus[p] for p, price in prices.items() if p in gpus}


@dataclass(frozen=True)
class MachineShape:
    """A machine type as Compute Engine lists it (from machineTypes.aggregatedList)."""

    name: str
    region: str
    vcpus: float
    memory_gib: float
    shared_cpu: bool = False
    accelerators: int = 0
    accelerator_type: str | None = None  # e.g. nvidia-l4 (accelerator-optimized types)
    arch: str | None = None  # x86_64 | arm64 when Compute Engine says; else by family

    @property
    def architecture(self) -> str:
        return self.arch or ("arm64" if family_of(self.name) in ARM_FAMILIES else "x86_64")

    @property
    def gpu_list(self) -> list[tuple[str, int]]:
        """The (accelerator type, count) the machine type comes with."""
        if self.accelerators and self.accelerator_type:
            return [(self.accelerator_type, self.accelerators)]
        return []


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

    Shared-core types are skipped (they bill a fraction of a vCPU); accelerator-optimized
    types are priced with their GPUs' SKUs, and skipped when a GPU has no price there.
    """
    seen: set[tuple[str, str]] = set()
    for shape in shapes:
        if shape.shared_cpu or (shape.region, shape.name) in seen:
            continue
        if shape.accelerators and not shape.accelerator_type:
            continue  # GPUs of an unknown model cannot be priced
        seen.add((shape.region, shape.name))
        prices = book.machine_prices(
            family_of(shape.name), shape.region, shape.vcpus, shape.memory_gib
        )
        gpus = book.gpu_prices(shape.region, shape.gpu_list)
        if gpus is not None:
            prices = {p: price + gpus[p] for p, price in prices.items() if p in gpus}
        if Pricing.ON_DEMAND in prices:
            yield _offering(shape, prices)


def _offering(shape: MachineShape, prices: Mapping[Pricing, Decimal]) -> Offering:
    family = "accelerated" if shape.gpu_list else offering_family(shape.name)
    gpu_type = shape.accelerator_type if shape.gpu_list else None
    return Offering(
        provider="gcp",
        region=shape.region,
        type=shape.name,
        vcpus=shape.vcpus,
        memory_gib=shape.memory_gib,
        family=family,
        arch=shape.architecture,
        gpus=shape.accelerators if gpu_type else 0,
        gpu_model=gpu_model(gpu_type) if gpu_type else None,
        gpu_memory_gib=gpu_memory_gib(gpu_type) if gpu_type else None,
        prices=dict(prices),
    )
