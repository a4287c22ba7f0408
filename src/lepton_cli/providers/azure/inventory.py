"""One subscription's VMs, wasted disks and idle public IPs, priced and with CPU utilisation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from lepton_cli.diskcache import DiskCache
from lepton_cli.models import Pricing, Resource, Utilization
from lepton_cli.providers.azure import metrics, normalize, prices
from lepton_cli.providers.azure.clients import AzureClients
from lepton_cli.providers.azure.failures import boundary
from lepton_cli.providers.azure.skus import vm_skus
from lepton_cli.providers.base import ScopeFailure

T = TypeVar("T")


@dataclass
class Reader:
    """Reads what one subscription runs. Secondary lookups (metrics, prices) that fail are
    recorded in ``failures`` and the resources are still returned, unpriced or without usage.
    """

    clients: AzureClients
    cache: DiskCache
    failures: list[ScopeFailure] = field(default_factory=list)

    def _price_items(self, region: str, filters: Sequence[str]) -> list[dict[str, Any]]:
        """Retail Prices items for ``filters``; a failure is recorded and gives no items."""
        url = self.clients.config.retail_prices_url

        def fetch() -> list[dict[str, Any]]:
            client = self.clients.public
            return [i for f in filters for i in prices.fetch_items(client, url, f, self.cache)]

        empty: list[dict[str, Any]] = []
        return boundary().read(self.failures, f"retail prices / {region}", fetch, empty)

    def vm_prices(self, region: str, skus: Sequence[str] | None) -> normalize.Prices:
        return prices.vm_prices(self._price_items(region, prices.vm_filters(region, skus)))

    def sizes(self, compute: Any, region: str) -> dict[tuple[str, str], tuple[float, float]]:
        """(region, lower-case size) -> (vCPUs, memory GiB) from the region's VM size list."""
        return {
            (region, s.name.lower()): (float(s.number_of_cores), s.memory_in_mb / 1024)
            for s in compute.virtual_machine_sizes.list(region)
            if s.number_of_cores and s.memory_in_mb
        }

    def usage(self, subscription: str, region: str, days: int) -> dict[str, Utilization]:
        monitor = self.clients.monitor(subscription)
        top = self.clients.config.metrics_top
        call = lambda: metrics.cpu_usage(monitor, region, days, top)  # noqa: E731
        scope = f"subscription {subscription} / {region} metrics"
        return boundary().read(self.failures, scope, call, {})

    def read(self, subscription: str, regions: Sequence[str], days: int) -> list[Resource]:
        """What lepton reports for ``subscription``, in ``regions`` (all when empty)."""
        compute = self.clients.compute(subscription)
        wanted = {normalize.region_id(r) for r in regions}

        def keep(items: Iterable[Any]) -> list[Any]:
            return [i for i in items if not wanted or normalize.region_id(i.location) in wanted]

        vms = keep(compute.virtual_machines.list_all(status_only="true"))
        disks = keep(compute.disks.list())
        ips = keep(self.clients.network(subscription).public_ip_addresses.list_all())
        resources = self._vms(subscription, compute, vms, days)
        stopped = normalize.deallocated_vm_ids(vms)
        resources += self._disks(
            subscription, [d for d in disks if normalize.wasted_disk(d, stopped)]
        )
        resources += self._ips(subscription, [i for i in ips if normalize.unassociated_ip(i)])
        return resources

    def _vms(self, subscription: str, compute: Any, vms: list[Any], days: int) -> list[Resource]:
        by_region: dict[str, set[str]] = {}
        for vm in vms:
            by_region.setdefault(normalize.region_id(vm.location), set()).add(
                normalize.text(vm.hardware_profile.vm_size)
            )
        sizes: dict[tuple[str, str], tuple[float, float]] = {}
        price_table: dict[normalize.PriceKey, dict[Pricing, Decimal]] = {}
        usage: dict[str, Utilization] = {}
        specs: dict[tuple[str, str], normalize.SkuSpec] = {}
        no_specs: dict[tuple[str, str], normalize.SkuSpec] = {}
        for region, skus in sorted(by_region.items()):
            sizes.update(self.sizes(compute, region))
            scope = f"subscription {subscription} / {region} resource skus"
            call = partial(vm_skus, compute, region)
            specs.update(boundary().read(self.failures, scope, call, no_specs))
            price_table.update(
                {k: dict(v) for k, v in self.vm_prices(region, sorted(skus)).items()}
            )
            usage.update(self.usage(subscription, region, days))
        return [
            normalize.vm_resource(vm, subscription, price_table, sizes, usage, specs) for vm in vms
        ]

    def _disks(self, subscription: str, disks: list[Any]) -> list[Resource]:
        tiers: dict[str, set[str]] = {}
        for disk in disks:
            tier = normalize.disk_tier(
                normalize.text(disk.sku.name) if disk.sku else "", disk.disk_size_gb or 0
            )
            if tier:
                tiers.setdefault(normalize.region_id(disk.location), set()).add(tier)
        table: dict[tuple[str, str], Decimal] = {}
        for region, names in sorted(tiers.items()):
            items = self._price_items(region, [prices.disk_filter(region, sorted(names))])
            table.update(prices.disk_prices(items))
        return [normalize.disk_resource(d, subscription, table) for d in disks]

    def _ips(self, subscription: str, ips: list[Any]) -> list[Resource]:
        table: dict[tuple[str, str], Decimal] = {}
        for region in sorted({normalize.region_id(i.location) for i in ips}):
            items = self._price_items(region, [prices.ip_filter(region)])
            table.update(prices.ip_prices(items))
        return [normalize.ip_resource(i, subscription, table) for i in ips]
