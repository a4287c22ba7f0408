"""The gcp provider (placeholder until its issue lands)."""

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


class GcpConfig(BaseModel):
    model_config = ConfigDict(extra="allow")


class GcpProvider:
    name: ClassVar[str] = "gcp"
    config_model: ClassVar[type[BaseModel]] = GcpConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.INVENTORY, Capability.COSTS, Capability.OFFERINGS}
    )
    sdk_modules: ClassVar[tuple[str, ...]] = (
        "google.cloud.billing",
        "google.cloud.bigquery",
        "google.cloud.compute",
        "google.cloud.monitoring",
    )
    install_extra: ClassVar[str | None] = "gcp"

    def __init__(self, config: BaseModel, context: ProviderContext) -> None:
        self.config = config
        self.context = context
        self.failures: list[ScopeFailure] = []

    def _todo(self) -> ProviderError:
        return ProviderError("the gcp provider is not available yet")

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        raise self._todo()

    def costs(self, period: Period) -> Iterator[CostRecord]:
        raise self._todo()

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        raise self._todo()
