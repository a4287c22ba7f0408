"""Something a provider sells: an instance type in a region, at one price per pricing model."""

from __future__ import annotations

from decimal import Decimal

from lepton_cli.models.base import Count, HourlyPrice, Model, Perf, PositiveSize, Size
from lepton_cli.models.money import monthly
from lepton_cli.models.resource import Pricing


class Offering(Model):
    provider: str
    region: str
    type: str
    vcpus: PositiveSize
    memory_gib: PositiveSize
    perf: Perf = 1.0
    family: str | None = None  # general | compute | memory | arm ...
    arch: str | None = None  # x86_64 | arm64; None: x86_64
    platform: str = "linux"  # linux | windows | ...: one offering per (type, platform)
    gpus: Count = 0
    gpu_model: str | None = None  # e.g. L4, A10G, A100, H100
    gpu_memory_gib: Size | None = None  # per GPU
    prices: dict[Pricing, HourlyPrice]  # hourly, in the inventory's currency

    def monthly(self, pricing: Pricing) -> Decimal:
        return monthly(self.prices[pricing])

    @property
    def key(self) -> tuple[str, str, str, str]:
        """One offering per (provider, region, type, platform): platforms are priced apart."""
        return (self.provider, self.region, self.type, self.platform)
