"""Offerings for the catalog: Retail Prices joined with the VM sizes of each region.

Specs come from the region's resource SKUs (vCPUs, memory, CPU architecture, GPUs), else from
its VM size list; one offering per (size, platform) with an on-demand price.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from lepton_cli.diskcache import DiskCache
from lepton_cli.models import Offering, Pricing
from lepton_cli.providers.azure import normalize, prices
from lepton_cli.providers.azure.clients import AzureClients
from lepton_cli.providers.azure.inventory import Reader
from lepton_cli.providers.azure.normalize import SkuSpec, arch_of
from lepton_cli.providers.azure.skus import vm_skus

__all__ = ["arch_of", "offerings"]


def region_specs(reader: Reader, compute: Any, region: str) -> dict[tuple[str, str], SkuSpec]:
    """Resource SKUs of ``region`` laid over its VM size list (which knows no arch or GPUs)."""
    specs = {
        key: SkuSpec(name=key[1], vcpus=v, memory_gib=m, arch=arch_of(key[1]))
        for key, (v, m) in reader.sizes(compute, region).items()
    }
    return specs | vm_skus(compute, region)


def offerings(
    clients: AzureClients, cache: DiskCache, subscription: str, regions: Sequence[str]
) -> Iterator[Offering]:
    """One Offering per (size, platform) that has both specs and an on-demand price."""
    reader = Reader(clients, cache)
    compute = clients.compute(subscription) if regions else None
    for region in sorted({normalize.region_id(r) for r in regions}):
        specs = region_specs(reader, compute, region)
        items = prices.fetch_items(clients.public, clients.config.retail_prices_url,
                                   prices.vm_filters(region, None)[0], cache)  # fmt: skip
        spelled = {str(i.get("armSkuName", "")).lower(): str(i.get("armSkuName")) for i in items}
        for (where, sku, platform), table in sorted(prices.vm_prices(items).items()):
            spec = specs.get((where, sku))
            if spec is not None and Pricing.ON_DEMAND in table:
                yield _offering(where, spelled[sku], platform, spec, table)


def _offering(
    region: str, name: str, platform: str, spec: SkuSpec, table: Mapping[Pricing, Decimal]
) -> Offering:
    return Offering(
        provider="azure",
        region=region,
        type=name,
        vcpus=spec.vcpus,
        memory_gib=spec.memory_gib,
        arch=spec.arch,
        platform=platform,
        gpus=spec.gpus,
        gpu_model=spec.gpu_model,
        family="accelerated" if spec.gpus else None,
        prices=dict(table),
    )
