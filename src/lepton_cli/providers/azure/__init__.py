"""The azure provider (placeholder until its issue lands)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from lepton_cli.models import CostRecord, Offering, Period, Resource
from lepton_cli.providers.base import (
    Capability,
    ProviderContext,
    ProviderError,
    Scope,
    ScopeFailure,
)


class AzureConfig(BaseModel):
    model_config = ConfigDict(extra="allow")


class AzureProvider:
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
        "azure.mgmt.resource",
    )
    install_extra: ClassVar[str | None] = "azure"

    def __init__(self, config: BaseModel, context: ProviderContext) -> None:
        self.config = config
        self.context = context
        self.failures: list[ScopeFailure] = []

    def _todo(self) -> ProviderError:
        return ProviderError("the azure provider is not available yet")

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        raise self._todo()

    def costs(self, period: Period) -> Iterator[CostRecord]:
        raise self._todo()

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        raise self._todo()
