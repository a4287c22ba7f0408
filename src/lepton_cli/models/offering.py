"""Something a provider sells: an instance type in a region, at one price per pricing model."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from lepton_cli.models.base import Model
from lepton_cli.models.money import monthly
from lepton_cli.models.resource import Pricing


class Offering(Model):
    provider: str
    region: str
    type: str
    vcpus: float = Field(gt=0)
    memory_gib: float = Field(gt=0)
    perf: float = Field(default=1.0, gt=0)
    family: str | None = None  # general | compute | memory | arm ...
    arch: str | None = None  # x86_64 | arm64; None: x86_64
    platform: str = "linux"  # linux | windows | ...: one offering per (type, platform)
    gpus: int = Field(default=0, ge=0)
    gpu_model: str | None = None  # e.g. L4, A10G, A100, H100
    gpu_memory_gib: float | None = Field(default=None, ge=0)  # per GPU
    prices: dict[Pricing, Decimal]  # hourly, in the inventory's currency

    def monthly(self, pricing: Pricing) -> Decimal:
        return monthly(self.prices[pricing])

    @property
    def key(self) -> tuple[str, str, str, str]:
        """One offering per (provider, region, type, platform): platforms are priced apart."""
        return (self.provider, self.region, self.type, self.platform)
