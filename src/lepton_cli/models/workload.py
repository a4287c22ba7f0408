"""A workload: what must keep being served, and the continuity rules around it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lepton_cli.models.base import Model


class Demand(Model):
    vcpu: float = Field(ge=0)
    memory_gib: float = Field(default=0, ge=0)


class Spread(Model):
    min_providers: int | None = Field(default=None, ge=1)
    min_zones: int | None = Field(default=None, ge=1)


class Allowed(Model):
    providers: list[str] | None = None
    regions: list[str] | None = None


class Workload(Model):
    name: str = Field(min_length=1)
    demand: Demand | None = None  # derived from utilisation when absent
    min_replicas: int | None = Field(default=None, ge=0)
    max_spot_share: float = Field(default=0.0, ge=0, le=1)
    spread: Spread | None = None
    survive_loss_of_provider: float = Field(default=0.0, ge=0, le=1)
    allowed: Allowed | None = None
    priority: int = 1
    headroom: float | None = Field(default=None, ge=0)  # default from config (0.2)
    # with `optimize --commitments plan`: pooled purchases (None, "pool") or per-instance
    # reserved candidates ("per-instance")
    commitments: Literal["pool", "per-instance"] | None = None
