"""The focus provider (placeholder until its issue lands)."""

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


class FocusConfig(BaseModel):
    model_config = ConfigDict(extra="allow")


class FocusProvider:
    name: ClassVar[str] = "focus"
    config_model: ClassVar[type[BaseModel]] = FocusConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.INVENTORY, Capability.COSTS}
    )
    sdk_modules: ClassVar[tuple[str, ...]] = ()
    install_extra: ClassVar[str | None] = None

    def __init__(self, config: BaseModel, context: ProviderContext) -> None:
        self.config = config
        self.context = context
        self.failures: list[ScopeFailure] = []

    def _todo(self) -> ProviderError:
        return ProviderError("the focus provider is not available yet")

    def inventory(self, scope: Scope) -> Iterator[Resource]:
        raise self._todo()

    def costs(self, period: Period) -> Iterator[CostRecord]:
        raise self._todo()

    def offerings(self, regions: Sequence[str]) -> Iterator[Offering]:
        raise self._todo()
