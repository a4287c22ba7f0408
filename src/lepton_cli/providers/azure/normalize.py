"""Pure mappings from Azure API answers to lepton models. No I/O, no SDK imports.

SDK model objects arrive duck-typed (attribute access only) so these functions are easy to
reason about and never leak SDK types out of the provider package.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lepton_cli.models import (
    CostRecord,
    Pricing,
    Resource,
    ResourceKind,
    ResourceState,
    Utilization,
)
from lepton_cli.models.money import HOURS_PER_MONTH

PROVIDER = "azure"
FOCUS_PROVIDER_NAME = "Microsoft"
SPOT_PRIORITIES = ("spot", "low")
# Azure PricingModel -> FOCUS PricingCategory.
PRICING_CATEGORY = {
    "ondemand": "Standard",
    "spot": "Dynamic",
    "reservation": "Committed",
    "savingsplan": "Committed",
}
# Azure MeterCategory -> FOCUS ServiceCategory, for the common cases.
SERVICE_CATEGORY = {
    "virtual machines": "Compute",
    "virtual machines licenses": "Compute",
    "storage": "Storage",
    "bandwidth": "Networking",
    "virtual network": "Networking",
    "load balancer": "Networking",
    "sql database": "Databases",
    "azure database for postgresql": "Databases",
    "azure database for mysql": "Databases",
    "azure cosmos db": "Databases",
}
# ARM resource type (lower case) -> lepton resource_type.
RESOURCE_TYPES = {
    "microsoft.compute/virtualmachines": "azure.vm",
    "microsoft.compute/disks": "azure.managed-disk",
    "microsoft.network/publicipaddresses": "azure.public-ip",
}

LINUX, WINDOWS = "linux", "windows"
PriceKey = tuple[str, str, str]  # (region, lower-case ARM size, platform)
Prices = Mapping[PriceKey, Mapping[Pricing, Decimal]]  # -> hourly prices by pricing model
Sizes = Mapping[tuple[str, str], tuple[float, float]]  # (region, size) -> (vcpus, memory GiB)
# Azure Hybrid Benefit: a Windows VM whose licence the customer brings bills the Linux rate.
HYBRID_BENEFIT = frozenset({"windows_server", "windows_client"})
ARM64_MARK = "p"  # Azure names Arm (Ampere/Cobalt) sizes with a "p" feature letter: D4ps_v5
# GPU model in the size name (NC24ads_A100_v4, NV36ads_A10_v5, NC16as_T4_v3), else by series.
_GPU_IN_NAME = re.compile(r"_(A100|H100|H200|GB200|A10|T4|V620|V710|MI300X|MI200)_", re.I)
_GPU_SERIES = {"NCsv3": "V100", "NDsv2": "V100", "NCsv2": "P100", "NDs": "P40", "NVsv3": "M60"}


def text(value: Any) -> str:
    """An SDK enum or string as its plain string value ("" for None)."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def region_id(location: str) -> str:
    """ARM region names: lower case, no spaces ("East US" -> "eastus")."""
    return location.replace(" ", "").lower()


def arm_id(resource_id: str) -> str:
    """An ARM resource id as lepton spells it: lower case.

    ARM ids are case-insensitive and Azure is not consistent about their case: a disk's
    ``managedBy`` may name ``resourceGroups/SHOP`` where the VM listing says ``shop``, and Cost
    Management reports ids lower-cased. One spelling lets a disk's ``attached_to`` match its
    VM's id, and inventory ids match cost records' ``resource_id``.
    """
    return resource_id.lower()


def subscription_of(resource_id: str) -> str:
    """The subscription id inside an ARM resource id ("" when there is none)."""
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    if "subscriptions" in lowered:
        index = lowered.index("subscriptions") + 1
        return parts[index] if index < len(parts) else ""
    return ""


def arm_resource_type(resource_id: str) -> str | None:
    """``azure.vm`` etc. for the resource kinds lepton knows, from an ARM resource id."""
    parts = resource_id.lower().split("/")
    if "providers" not in parts:
        return None
    index = len(parts) - 1 - parts[::-1].index("providers")
    return RESOURCE_TYPES.get("/".join(parts[index + 1 : index + 3]))


# --- utilisation -----------------------------------------------------------------------------


def utilization(percent_samples: Sequence[float], days: int) -> Utilization | None:
    """Hourly ``Percentage CPU`` averages -> fractions of capacity (None without samples)."""
    if not percent_samples:
        return None
    return Utilization.from_samples(percent_samples, days, scale=100)


# --- virtual machines ------------------------------------------------------------------------


def power_state(vm: Any) -> str:
    """``running``, ``deallocated``, ``stopped``... from the instance view ("" if unknown)."""
    view = getattr(vm, "instance_view", None)
    for status in getattr(view, "statuses", None) or []:
        code = text(getattr(status, "code", ""))
        if code.startswith("PowerState/"):
            return code.split("/", 1)[1].lower()
    return ""


def arch_of(size: str) -> str:
    """``arm64`` for sizes such as Standard_D4ps_v5, else ``x86_64`` (when no resource SKU
    says which)."""
    name = size.removeprefix("Standard_").split("_")[0]
    letters = name.lstrip("ABCDEFGHLMNX").lstrip("0123456789")
    return "arm64" if ARM64_MARK in letters else "x86_64"


def gpu_model_of(size: str) -> str | None:
    """The GPU model an Azure size carries, read from its name (resource SKUs give the count
    only): ``Standard_NC24ads_A100_v4`` -> A100, ``Standard_NC6s_v3`` -> V100."""
    match = _GPU_IN_NAME.search(size)
    if match:
        return match[1].upper()
    parts = size.removeprefix("Standard_").split("_")
    series = re.sub(r"\d+", "", parts[0]) + (parts[1] if len(parts) > 1 else "")
    return _GPU_SERIES.get(series)


@dataclass(frozen=True)
class SkuSpec:
    """One VM size as the resource SKUs describe it."""

    name: str
    vcpus: float
    memory_gib: float
    arch: str
    gpus: int = 0
    gpu_model: str | None = None


def _capability(sku: Any, name: str) -> str | None:
    for cap in getattr(sku, "capabilities", None) or []:
        if text(getattr(cap, "name", "")) == name:
            return text(getattr(cap, "value", ""))
    return None


def sku_spec(sku: Any) -> SkuSpec | None:
    """A ``virtualMachines`` resource SKU -> SkuSpec (None for other SKUs or without specs).
    Capabilities: vCPUs, MemoryGB (GiB, as Azure counts it), CpuArchitectureType (x64 |
    Arm64), GPUs."""
    if text(getattr(sku, "resource_type", "")).lower() != "virtualmachines":
        return None
    name = text(sku.name)
    vcpus, memory = _capability(sku, "vCPUs"), _capability(sku, "MemoryGB")
    if not vcpus or not memory:
        return None
    cpu = (_capability(sku, "CpuArchitectureType") or "").lower()
    arch = "arm64" if cpu.startswith("arm") else "x86_64" if cpu else arch_of(name)
    gpus = int(float(_capability(sku, "GPUs") or 0))
    return SkuSpec(
        name=name,
        vcpus=float(vcpus),
        memory_gib=float(memory),
        arch=arch,
        gpus=gpus,
        gpu_model=gpu_model_of(name) if gpus else None,
    )


def vm_platform(vm: Any) -> str:
    """linux | windows, from the OS disk's ``osType`` (linux when Azure does not say)."""
    profile = getattr(vm, "storage_profile", None)
    disk = getattr(profile, "os_disk", None)
    return WINDOWS if text(getattr(disk, "os_type", "")).lower() == WINDOWS else LINUX


def vm_price(
    prices: Prices, location: str, size: str, platform: str, license_type: str
) -> Mapping[Pricing, Decimal]:
    """A VM's hourly prices: its platform's, except that a Windows VM under Hybrid Benefit (or
    one whose Windows price is unknown) bills the Linux rate."""
    linux = prices.get((location, size, LINUX), {})
    if platform == LINUX or license_type.lower() in HYBRID_BENEFIT:
        return linux
    return prices.get((location, size, platform)) or linux


def vm_pricing(vm: Any) -> Pricing:
    return (
        Pricing.SPOT
        if text(getattr(vm, "priority", "")).lower() in SPOT_PRIORITIES
        else Pricing.ON_DEMAND
    )


def zone_of(location: str, zones: Sequence[str] | None) -> str | None:
    """Azure zones are "1", "2", "3" per region; lepton names them ``eastus-1`` to be unique."""
    return f"{location}-{zones[0]}" if zones else None


def vm_resource(
    vm: Any,
    subscription: str,
    prices: Prices,
    sizes: Sizes,
    usage: Mapping[str, Utilization],
    skus: Mapping[tuple[str, str], SkuSpec] | None = None,
) -> Resource:
    """One VM. A deallocated VM bills no compute, so its hourly cost is 0 (its disks still bill).
    Specs come from the resource SKUs when given, else from the region's VM size list."""
    location = region_id(text(vm.location))
    size = text(vm.hardware_profile.vm_size)
    state = power_state(vm)
    pricing = vm_pricing(vm)
    platform = vm_platform(vm)
    sku = (skus or {}).get((location, size.lower()))
    vcpus, memory = (
        (sku.vcpus, sku.memory_gib) if sku else sizes.get((location, size.lower()), (None, None))
    )
    license_type = text(getattr(vm, "license_type", None))
    price = vm_price(prices, location, size.lower(), platform, license_type).get(
        pricing, Decimal(0)
    )
    return Resource(
        id=arm_id(vm.id),
        provider=PROVIDER,
        account=subscription,
        region=location,
        zone=zone_of(location, vm.zones),
        kind=ResourceKind.COMPUTE,
        resource_type="azure.vm",
        type=size,
        pricing=pricing,
        hourly_cost=Decimal(0) if state == "deallocated" else price,
        vcpus=vcpus,
        memory_gib=memory,
        arch=sku.arch if sku else arch_of(size),
        platform=platform,
        gpus=sku.gpus if sku else None,
        gpu_model=sku.gpu_model if sku else None,
        utilization=usage.get(arm_id(vm.id)),
        state=ResourceState.RUNNING
        if state in ("running", "starting", "")
        else ResourceState.STOPPED,
        created_at=getattr(vm, "time_created", None),
        tags=dict(vm.tags or {}),
    )


def deallocated_vm_ids(vms: Iterable[Any]) -> set[str]:
    """Ids (as :func:`arm_id`) of VMs whose compute is released (their disks are pure storage
    cost)."""
    return {arm_id(vm.id) for vm in vms if power_state(vm) in ("deallocated", "stopped")}


# --- managed disks and public IPs ------------------------------------------------------------

# Managed disk tiers: the smallest tier that holds the disk is the one billed.
DISK_TIERS = (
    (4, "1"), (8, "2"), (16, "3"), (32, "4"), (64, "6"), (128, "10"), (256, "15"), (512, "20"),
    (1024, "30"), (2048, "40"), (4096, "50"), (8192, "60"), (16384, "70"), (32767, "80"),
)  # fmt: skip
DISK_FAMILY = {"premium": "P", "standardssd": "E", "standard": "S"}


def disk_tier(sku: str, size_gib: float) -> str | None:
    """The Retail Prices ``skuName`` billed for a disk: Premium_LRS, 100 GiB -> ``P10 LRS``."""
    family, _, redundancy = sku.partition("_")
    letter = DISK_FAMILY.get(family.lower())
    if letter is None or not redundancy:
        return None  # Premium v2 and Ultra are billed per GiB/IOPS, not per tier
    minimum = 32 if letter == "S" else 0  # Standard HDD starts at S4
    for cap, number in DISK_TIERS:
        if size_gib <= cap and cap >= minimum:
            return f"{letter}{number} {redundancy.upper()}"
    return None


def wasted_disk(disk: Any, stopped_vms: set[str]) -> bool:
    """Unattached, or attached to a VM that is deallocated."""
    owner = arm_id(getattr(disk, "managed_by", None) or "")
    return text(disk.disk_state).lower() == "unattached" or owner in stopped_vms


def disk_resource(
    disk: Any, subscription: str, monthly_prices: Mapping[tuple[str, str], Decimal]
) -> Resource:
    """One managed disk, priced as its tier's monthly price spread over HOURS_PER_MONTH."""
    location = region_id(text(disk.location))
    sku = text(disk.sku.name) if disk.sku else ""
    size = float(disk.disk_size_gb or 0)
    tier = disk_tier(sku, size)
    monthly = monthly_prices.get((location, tier), Decimal(0)) if tier else Decimal(0)
    attached = getattr(disk, "managed_by", None)
    return Resource(
        id=arm_id(disk.id),
        provider=PROVIDER,
        account=subscription,
        region=location,
        zone=zone_of(location, getattr(disk, "zones", None)),
        kind=ResourceKind.STORAGE,
        resource_type="azure.managed-disk",
        type=sku,
        hourly_cost=monthly / HOURS_PER_MONTH,  # exact: rounding is for display only
        size_gib=size,
        state=ResourceState.STOPPED if attached else ResourceState.UNATTACHED,
        attached_to=arm_id(attached) if attached else None,
        created_at=getattr(disk, "time_created", None),
        tags=dict(disk.tags or {}),
    )


def unassociated_ip(ip: Any) -> bool:
    return (
        getattr(ip, "ip_configuration", None) is None and getattr(ip, "nat_gateway", None) is None
    )


def ip_sku(ip: Any) -> str:
    return text(ip.sku.name) if getattr(ip, "sku", None) else "Basic"


def ip_resource(
    ip: Any, subscription: str, hourly_prices: Mapping[tuple[str, str], Decimal]
) -> Resource:
    location = region_id(text(ip.location))
    sku = ip_sku(ip)
    return Resource(
        id=arm_id(ip.id),
        provider=PROVIDER,
        account=subscription,
        region=location,
        kind=ResourceKind.NETWORK,
        resource_type="azure.public-ip",
        type=sku,
        hourly_cost=hourly_prices.get((location, sku.lower()), Decimal(0)),
        state=ResourceState.UNATTACHED,
        tags=dict(ip.tags or {}),
    )


# --- cost query rows -------------------------------------------------------------------------


def usage_date(value: Any) -> dt.date:
    """``UsageDate`` comes as the number 20240131 or as an ISO timestamp string."""
    raw = str(value)
    if raw.isdigit() and len(raw) == 8:
        return dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    return dt.date.fromisoformat(raw[:10])


CostKey = tuple[dt.date, str, str, str, str, str, str]


def sum_by_key(table: Mapping[str, Any]) -> dict[CostKey, Decimal]:
    """Cost per (day, resource, service, location, pricing model, meter category, currency)."""
    index = {name.lower(): i for i, name in enumerate(table["columns"])}

    def cell(row: Sequence[Any], name: str) -> str:
        i = index.get(name.lower())
        return "" if i is None or row[i] is None else str(row[i])

    totals: dict[CostKey, Decimal] = {}
    for row in table["rows"]:
        key = (
            usage_date(row[index["usagedate"]]),
            cell(row, "ResourceId"),
            cell(row, "ServiceName"),
            cell(row, "ResourceLocation"),
            cell(row, "PricingModel"),
            cell(row, "MeterCategory"),
            cell(row, "Currency") or "USD",
        )
        cost_column = index.get("cost", index.get("pretaxcost"))
        amount = Decimal(str(row[cost_column])) if cost_column is not None else Decimal(0)
        totals[key] = totals.get(key, Decimal(0)) + amount
    return totals


def cost_record(subscription: str, key: CostKey, billed: Decimal, effective: Decimal) -> CostRecord:
    day, resource_id, service, location, model, category, currency = key
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return CostRecord(
        provider_name=FOCUS_PROVIDER_NAME,
        sub_account_id=subscription,
        billing_period_start=day.replace(day=1),
        charge_period_start=start,
        charge_period_end=start + dt.timedelta(days=1),
        pricing_category=PRICING_CATEGORY.get(model.lower(), "Other" if model else None),
        service_name=service or None,
        service_category=SERVICE_CATEGORY.get(category.lower(), "Other" if category else None),
        region_id=region_id(location) or None,
        resource_id=arm_id(resource_id) or None,
        resource_type=arm_resource_type(resource_id) if resource_id else None,
        billed_cost=billed,
        effective_cost=effective,
        billing_currency=currency,
    )


def cost_records(
    subscription: str, actual: Mapping[str, Any], amortized: Mapping[str, Any]
) -> list[CostRecord]:
    """ActualCost gives BilledCost, AmortizedCost EffectiveCost, joined on the group key."""
    billed, effective = sum_by_key(actual), sum_by_key(amortized)
    keys = sorted(set(billed) | set(effective))
    zero = Decimal(0)
    return [cost_record(subscription, k, billed.get(k, zero), effective.get(k, zero)) for k in keys]
