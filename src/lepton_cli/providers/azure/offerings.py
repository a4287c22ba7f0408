"""Offerings for the catalog: Retail Prices joined with the VM size list of each region."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from lepton_cli.models import Offering, Pricing
from lepton_cli.providers.azure import normalize, prices
from lepton_cli.providers.azure.clients import AzureClients
from lepton_cli.providers.azure.inventory import Reader
from lepton_cli.providers.cache import DiskCache

ARM64_MARK = "p"  # Azure names Arm (Ampere/Cobalt) sizes with a "p" feature letter: D4ps_v5


def arch_of(size: str) -> str:
    """``arm64`` for sizes such as Standard_D4ps_v5, else ``x86_64``."""
    name = size.removeprefix("Standard_").split("_")[0]
    letters = name.lstrip("ABCDEFGHLMNX").lstrip("0123456789")
    return "arm64" if ARM64_MARK in letters else "x86_64"


def offerings(
    clients: AzureClients, cache: DiskCache, subscription: str, regions: Sequence[str]
) -> Iterator[Offering]:
    """One Offering per size that has both specs and an on-demand Linux price."""
    reader = Reader(clients, cache)
    compute = clients.compute(subscription) if regions else None
    for region in sorted({normalize.region_id(r) for r in regions}):
        sizes = reader.sizes(compute, region)
        items = prices.fetch_items(clients.public, clients.config.retail_prices_url,
                                   prices.vm_filters(region, None)[0], cache)  # fmt: skip
        spelled = {str(i.get("armSkuName", "")).lower(): str(i.get("armSkuName")) for i in items}
        for (where, sku), table in sorted(prices.vm_prices(items).items()):
            spec = sizes.get((where, sku))
            if spec is None or Pricing.ON_DEMAND not in table:
                continue
            name = spelled[sku]
            yield Offering(provider="azure", region=where, type=name, vcpus=spec[0],
                           memory_gib=spec[1], arch=arch_of(name), prices=table)  # fmt: skip
