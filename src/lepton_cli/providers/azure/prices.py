"""The public Azure Retail Prices API: VM (Linux and Windows), managed-disk and public-IP prices.

Answers are paged (``NextPageLink``) and cached on disk per filter. Facts of the API that the
parsing relies on: spot is only visible as a " Spot" suffix on ``meterName``; Windows only as
"Windows" in ``productName``; a reservation's ``retailPrice`` is the total for its whole term.
A reservation covers compute only: a reserved Windows VM still pays the Windows licence at the
pay-as-you-go rate, so its reserved price is the Linux reservation plus that licence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from lepton_cli.diskcache import DiskCache, cache_key
from lepton_cli.models import Pricing
from lepton_cli.providers.azure.normalize import LINUX, WINDOWS, PriceKey
from lepton_cli.providers.boundary import MalformedAnswer

API_VERSION = "2023-01-01-preview"
HOURS_PER_YEAR = Decimal(8760)
SKUS_PER_QUERY = 10  # keeps the $filter (and so the URL) short
SIX_PLACES = Decimal("0.000001")


def fetch_items(client: Any, url: str, odata_filter: str, cache: DiskCache) -> list[dict[str, Any]]:
    """Every item matching ``odata_filter``, following ``NextPageLink``; cached per filter."""
    key = cache_key(url, odata_filter)
    cached = cache.get("azure-prices", key, _is_items)
    if cached is not None:
        return list(cached)
    items = list(_pages(client, url, odata_filter))
    cache.put("azure-prices", key, items)
    return items


def _is_items(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) for i in value)


def _pages(client: Any, url: str, odata_filter: str) -> Iterator[dict[str, Any]]:
    from azure.core.rest import HttpRequest

    request = HttpRequest("GET", url, params={"api-version": API_VERSION, "$filter": odata_filter})
    while True:
        response = client.send_request(request)
        response.raise_for_status()
        page = response.json()
        if not isinstance(page, dict) or not isinstance(page.get("Items") or [], list):
            raise MalformedAnswer("a Retail Prices page without an Items list")
        yield from page.get("Items") or []
        next_link = page.get("NextPageLink")
        if not next_link:
            return
        request = HttpRequest("GET", next_link)


def quoted(value: str) -> str:
    """An OData string literal."""
    return "'" + value.replace("'", "''") + "'"


def vm_filters(region: str, skus: Sequence[str] | None) -> list[str]:
    """Filters for VM meters in ``region``: all of them, or ``skus`` a few at a time."""
    base = f"serviceName eq 'Virtual Machines' and armRegionName eq {quoted(region)}"
    if skus is None:
        return [base]
    chunks = [sorted(skus)[i : i + SKUS_PER_QUERY] for i in range(0, len(skus), SKUS_PER_QUERY)]
    return [f"{base} and ({' or '.join(f'armSkuName eq {quoted(s)}' for s in c)})" for c in chunks]


def vm_price(item: Mapping[str, Any]) -> tuple[Pricing, Decimal] | None:
    """The Linux hourly price an item gives, by pricing model (None for other items)."""
    found = vm_meter(item)
    return (found[1], found[2]) if found and found[0] == LINUX else None


def vm_meter(item: Mapping[str, Any]) -> tuple[str, Pricing, Decimal] | None:
    """(platform, pricing model, hourly price) of a VM price item (None for other items)."""
    platform = WINDOWS if "Windows" in str(item.get("productName", "")) else LINUX
    found = _hourly(item)
    return (platform, *found) if found else None


def _hourly(item: Mapping[str, Any]) -> tuple[Pricing, Decimal] | None:
    meter = str(item.get("meterName", ""))
    if "Low Priority" in meter:
        return None
    if item.get("unitOfMeasure") != "1 Hour" or item.get("tierMinimumUnits", 0) not in (0, 0.0):
        return None
    price = Decimal(str(item.get("retailPrice", 0)))
    kind = item.get("type")
    if kind == "Consumption":
        return (Pricing.SPOT if meter.endswith(" Spot") else Pricing.ON_DEMAND), price
    if kind == "Reservation" and item.get("reservationTerm") == "1 Year":
        return Pricing.RESERVED, (price / HOURS_PER_YEAR).quantize(SIX_PLACES)
    return None  # DevTestConsumption, 3-year terms, savings plans


def vm_prices(items: Iterable[Mapping[str, Any]]) -> dict[PriceKey, dict[Pricing, Decimal]]:
    """(region, lower-case ARM size, platform) -> hourly price per pricing model (lowest when
    repeated). Windows reservations are derived (see the module docstring)."""
    table: dict[PriceKey, dict[Pricing, Decimal]] = {}
    for item in items:
        found = vm_meter(item)
        if found is None or not item.get("armSkuName"):
            continue
        platform, pricing, price = found
        key = (str(item["armRegionName"]), str(item["armSkuName"]).lower(), platform)
        prices = table.setdefault(key, {})
        prices[pricing] = min(price, prices.get(pricing, price))
    _windows_reservations(table)
    return table


def _windows_reservations(table: dict[PriceKey, dict[Pricing, Decimal]]) -> None:
    for (region, sku, platform), prices in table.items():
        linux = table.get((region, sku, LINUX), {})
        wanted = (Pricing.RESERVED, Pricing.ON_DEMAND)
        if platform == WINDOWS and Pricing.ON_DEMAND in prices and all(p in linux for p in wanted):
            licence = prices[Pricing.ON_DEMAND] - linux[Pricing.ON_DEMAND]
            prices[Pricing.RESERVED] = linux[Pricing.RESERVED] + licence


def disk_filter(region: str, tiers: Sequence[str]) -> str:
    names = " or ".join(f"skuName eq {quoted(t)}" for t in sorted(tiers))
    return f"serviceName eq 'Storage' and armRegionName eq {quoted(region)} and ({names})"


def disk_prices(items: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Decimal]:
    """(region, tier e.g. "P10 LRS") -> monthly price of the disk meter ("P10 LRS Disk")."""
    table: dict[tuple[str, str], Decimal] = {}
    for item in items:
        sku = str(item.get("skuName", ""))
        if item.get("meterName") == f"{sku} Disk" and item.get("unitOfMeasure") == "1/Month":
            table[(str(item["armRegionName"]), sku)] = Decimal(str(item["retailPrice"]))
    return table


def ip_filter(region: str) -> str:
    return (
        f"serviceName eq 'Virtual Network' and armRegionName eq {quoted(region)}"
        " and productName eq 'IP Addresses'"
    )


def ip_prices(items: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Decimal]:
    """(region, "standard" | "basic") -> hourly price of a static IPv4 address."""
    table: dict[tuple[str, str], Decimal] = {}
    for item in items:
        meter = str(item.get("meterName", ""))
        if meter.endswith("IPv4 Static Public IP") and item.get("type") == "Consumption":
            sku = meter.split(" ", 1)[0].lower()
            table[(str(item["armRegionName"]), sku)] = Decimal(str(item["retailPrice"]))
    return table
