"""The azure provider: costs, VMs, utilisation and retail prices (docs/azure.md).

Importing this package imports no Azure SDK: every SDK import happens inside a method.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import ClassVar, TypeVar

from pydantic import BaseModel

from lepton_cli.models import CostRecord, Offering, Period, Resource
from lepton_cli.providers.azure.config import AzureConfig
from lepton_cli.providers.base import Capability, ProviderContext, Scope, ScopeFailure

__all__ = ["AzureConfig", "AzureProvider"]

T = TypeVar("T")


class AzureProvider:
    """Reads Azure with DefaultAzureCredential (az login, service principal, managed identity)."""

    name: ClassVar[str] = "azure"
    config_model: ClassVar[type[BaseModel]] = AzureConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.INVENTORY, Capability.COSTS, Capability.OFFERINGS}
    )
    sdk_modules: ClassVar[tuple[str, ...]] = (
        "azure.identity",
        "azure.mgmt.costmanagement",
        "azure.mgmt.compute",
        "azure.mgmt.monitor",
        "azure.mgmt.network",
        "azure.mgmt.resource",
    )
    install_extra: ClassVar[str | None] = "azure"

    def __init__(self, config: BaseModel, context: ProviderContext) -> None:
        from lepton_cli.diskcache import DiskCache
        from lepton_cli.providers.azure.clients import AzureClients
        from lepton_cli.providers.azure.costs import Pacer
        from lepton_cli.providers.boundary import Timeouts

        self.config = AzureConfig.model_validate(config.model_dump())
        self.context = context
        self.failures: list[ScopeFailure] = []
        self.timeouts = Timeouts.of(context)
        self.clients = AzureClients(self.config, self.timeouts)
        self.cache = DiskCache.of(context, "azure")
        self.pacer = Pacer(self.config.cost_query_interval)

    def subscriptions(self, requested: Sequence[str] = ()) -> list[str]:
        """``requested``, else the configured list, else every subscription the identity reads."""
        chosen = list(requested) or list(self.config.subscriptions)
        return chosen or self._needed(
            "cannot list the subscriptions", self.clients.subscription_ids
        )

    def _needed(self, what: str, call: Callable[[], T]) -> T:
        """A read the command cannot do without: its failure is a ProviderError (exit 4)."""
        from lepton_cli.providers.azure.failures import boundary
        from lepton_cli.providers.pool import within

        edge = boundary()
        try:
            return within(call, self.timeouts.deadline)
        except edge.caught as e:
            raise edge.error(what, e) from e

    def _per_subscription(
        self, subscriptions: Sequence[str], read: Callable[[str, list[ScopeFailure]], list[T]]
    ) -> Iterator[T]:
        """``read`` each subscription within the deadline; one that fails (a 401 or 403, a
        garbled answer, a stall) is recorded and the others still delivered. ``read`` records
        its secondary failures (metrics, prices) in the list it is given. Only having no usable
        credential at all stops the scan."""
        from lepton_cli.providers.azure.failures import boundary
        from lepton_cli.providers.pool import within

        edge = boundary()
        for subscription in subscriptions:
            found: list[ScopeFailure] = []
            bounded = partial(within, partial(read, subscription, found), self.timeouts.deadline)
            items: list[T] | None = edge.read(
                self.failures, f"subscription {subscription}", bounded, None
            )
            if items is not None:
                self.failures.extend(found)
                yield from items

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        """VMs, disks unattached or on deallocated VMs, and unassociated public IPs."""
        from lepton_cli.providers.azure.inventory import Reader
        from lepton_cli.providers.boundary import preload

        def read(subscription: str, failures: list[ScopeFailure]) -> list[Resource]:
            reader = Reader(self.clients, self.cache, failures)
            return reader.read(subscription, scope.regions, scope.days)

        preload("azure.mgmt.compute", "azure.mgmt.network", "azure.mgmt.monitor")
        yield from self._per_subscription(self.subscriptions(scope.accounts), read)

    def costs(self, period: Period) -> Iterator[CostRecord]:
        """Daily cost records per resource, service, location, pricing model and meter category."""
        from lepton_cli.providers.azure import costs, normalize
        from lepton_cli.providers.boundary import preload

        preload("azure.mgmt.costmanagement")

        def read(subscription: str, _: list[ScopeFailure]) -> list[CostRecord]:
            scope = f"/subscriptions/{subscription}"
            tables = [
                costs.query_cost(
                    self.clients.cost_management, scope, costs.query_body(kind, period),
                    self.pacer, self.cache, self.config.base_url,
                )
                for kind in costs.COST_TYPES
            ]  # fmt: skip
            return normalize.cost_records(subscription, tables[0], tables[1])

        yield from self._per_subscription(self.subscriptions(), read)

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        """Every Linux VM size sold in ``regions``: on-demand, spot and 1-year reserved."""
        from lepton_cli.errors import ProviderError
        from lepton_cli.providers.azure.offerings import offerings

        subscriptions = self.subscriptions() if regions else [""]
        if not subscriptions:
            raise ProviderError(
                "azure: the identity can read no subscription",
                hint="VM sizes are listed per subscription: grant Reader on one",
            )
        subscription = subscriptions[0]
        yield from self._needed(
            "cannot read VM sizes and prices",
            lambda: list(offerings(self.clients, self.cache, subscription, regions)),
        )
