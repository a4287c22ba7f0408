"""A workload: what must keep being served, and the continuity rules around it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lepton_cli.models.base import (
    Count,
    DemandAmount,
    Headroom,
    Model,
    PositiveCount,
    Share,
    StorageGib,
)

AnyValue = Literal["any"]
"""``any`` in place of a list: no restriction."""


class Demand(Model):
    vcpu: DemandAmount
    memory_gib: DemandAmount = 0
    gpus: Count | None = None  # total GPUs; default: what runs today


class Spread(Model):
    min_providers: PositiveCount | None = None
    min_zones: PositiveCount | None = None


class Allowed(Model):
    """Where a workload may run. Without ``allowed`` it stays where it runs today; inside it, a
    field left out (or ``any``) does not restrict."""

    providers: list[str] | AnyValue | None = None
    regions: list[str] | AnyValue | None = None


class Requires(Model):
    """What a workload's software needs. Defaults: what its resources run on today."""

    arch: list[str] | AnyValue | None = None  # x86_64 | arm64
    platform: str | None = None  # linux | windows | ...
    gpu_models: list[str] | None = None  # e.g. [L4, A10G]


class Workload(Model):
    name: str = Field(min_length=1)
    demand: Demand | None = None  # derived from utilisation when absent
    min_replicas: Count | None = None
    max_spot_share: Share = 0.0
    spread: Spread | None = None
    survive_loss_of_provider: Share = 0.0
    allowed: Allowed | None = None
    requires: Requires | None = None
    data_gib: StorageGib | None = None  # what a move copies; default: its disks
    priority: Count = 1
    max_scale: float = Field(default=2.0, ge=1, le=1000, allow_inf_nan=False)  # efficiency cap
    headroom: Headroom | None = None  # default from config (0.2)
    # with `optimize --commitments plan`: pooled purchases (None, "pool") or per-instance
    # reserved candidates ("per-instance")
    commitments: Literal["pool", "per-instance"] | None = None
